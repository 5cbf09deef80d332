package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// Config is nnspatch's effective configuration after merging flags,
// environment, the config file and defaults.
type Config struct {
	// Network is the network used when --network is not given: a name from
	// Networks ("ic", "local", or one defined in the file) or a URL.
	Network string `mapstructure:"network" yaml:"network"`
	// Networks maps a network name to its URL and root key, like dfx's
	// networks.json. "ic" and "local" always exist unless redefined.
	Networks map[string]Network `mapstructure:"networks" yaml:"networks"`
	// LocalURL is the URL of the local network (nnspatch localnet or a local
	// replica); the "local" network uses it when it has no URL of its own.
	LocalURL string `mapstructure:"local_url" yaml:"local_url"`
	// Identity is a dfx identity name or the path to a PEM file. The key itself
	// is never stored here or printed.
	Identity string `mapstructure:"identity" yaml:"identity"`
	// HSMModule is the PKCS#11 library for --identity hsm:... keys that do
	// not name one; empty means OpenSC's module (as dfx suggests).
	HSMModule string `mapstructure:"hsm_module" yaml:"hsm_module"`
	// Neuron is the default proposer neuron id; 0 means none.
	Neuron uint64 `mapstructure:"neuron" yaml:"neuron"`
	// ReleasesDir is where release ledgers and downloaded artifacts live.
	ReleasesDir string `mapstructure:"releases_dir" yaml:"releases_dir"`
	// PrometheusURL is the Prometheus server queried by rollout health gates;
	// empty disables the gates that need it.
	PrometheusURL string `mapstructure:"prometheus_url" yaml:"prometheus_url"`
	// AlertWindow is the range of the Prometheus finalization and alert
	// queries (--alert-window); the alert query spans at least the plan's bake.
	AlertWindow time.Duration `mapstructure:"alert_window" yaml:"alert_window"`
	// QueryVersion, QueryFinalizing, QueryAlerts, QueryNodes and
	// QueryNodeAlerts are PromQL queries that replace the built-in
	// health-gate queries (--query-version, --query-finalizing,
	// --query-alerts, --query-nodes, --query-node-alerts); empty keeps the
	// built-in one.
	// Each is a text/template over {{.Window}}.
	QueryVersion    string `mapstructure:"query_version" yaml:"query_version"`
	QueryFinalizing string `mapstructure:"query_finalizing" yaml:"query_finalizing"`
	QueryAlerts     string `mapstructure:"query_alerts" yaml:"query_alerts"`
	QueryNodes      string `mapstructure:"query_nodes" yaml:"query_nodes"`
	QueryNodeAlerts string `mapstructure:"query_node_alerts" yaml:"query_node_alerts"`
	// DenyWords are words a security-patch proposal's public text must not
	// contain before disclosure (security mode deny list), matched
	// case-insensitively. Setting it replaces the built-in list.
	DenyWords []string `mapstructure:"deny_words" yaml:"deny_words"`
	// IngressExpiry is how long a signed request stays valid; the IC accepts
	// at most 5 minutes.
	IngressExpiry time.Duration `mapstructure:"ingress_expiry" yaml:"ingress_expiry"`
	// Output is the default output format: "text" or "json" (--json sets "json").
	Output string `mapstructure:"output" yaml:"output"`
	// RolloutPolicy is the plan policy of `rollout plan` (--policy): "dfinity"
	// (DFINITY's practice), "continuous" (registry order, back to back) or
	// the path of a policy YAML file.
	RolloutPolicy string `mapstructure:"rollout_policy" yaml:"rollout_policy"`
}

// Network is one named network: its URL and root key ("fetch", hex DER, or
// empty for the built-in mainnet key / fetch on loopback).
type Network = governance.NetworkConfig

// RootKeyFetch is the RootKey value that fetches the key from the network.
const RootKeyFetch = "fetch"

// DefaultConfig returns every default in one place.
func DefaultConfig() *Config {
	return &Config{
		Network: "local",
		Networks: map[string]Network{
			"ic":    {URL: governance.MainnetURL},
			"local": {RootKey: RootKeyFetch},
		},
		LocalURL:      governance.DefaultLocalURL,
		Identity:      "default",
		ReleasesDir:   filepath.Join(dataHome(), "nnspatch", "releases"),
		AlertWindow:   health.DefaultWindow,
		DenyWords:     append([]string(nil), proposals.DefaultDenyWords...),
		RolloutPolicy: "dfinity",
		IngressExpiry: 4 * time.Minute,
		Output:        "text",
	}
}

// MaxIngressExpiry is the longest ingress expiry the IC accepts.
const MaxIngressExpiry = 5 * time.Minute

// Validate checks values and normalizes paths (expanding a leading ~). It
// names the offending key in every error.
func (c *Config) Validate() error {
	if c.Output != "text" && c.Output != "json" {
		return fmt.Errorf("output: %q is not text or json", c.Output)
	}
	if c.IngressExpiry <= 0 || c.IngressExpiry > MaxIngressExpiry {
		return fmt.Errorf("ingress_expiry: %s is outside (0, %s]", c.IngressExpiry, MaxIngressExpiry)
	}
	if err := checkURL("local_url", c.LocalURL, false); err != nil {
		return err
	}
	if err := checkURL("prometheus_url", c.PrometheusURL, true); err != nil {
		return err
	}
	if err := c.validateHealth(); err != nil {
		return err
	}
	for name, n := range c.Networks {
		if err := validateNetwork(name, n); err != nil {
			return err
		}
	}
	for name := range c.Networks {
		if _, err := c.Resolver().Resolve(name, ""); err != nil {
			return fmt.Errorf("networks.%s: %w", name, err)
		}
	}
	c.ReleasesDir = expandHome(c.ReleasesDir)
	if looksLikePath(c.Identity) {
		c.Identity = expandHome(c.Identity)
	}
	return nil
}

// HealthQueries returns the health-gate queries of this config; empty ones
// mean the built-in queries (health.DefaultQueries).
func (c *Config) HealthQueries() health.Queries {
	return health.Queries{Version: c.QueryVersion, Finalizing: c.QueryFinalizing, Alerts: c.QueryAlerts, Nodes: c.QueryNodes,
		NodeAlerts: c.QueryNodeAlerts}
}

// validateHealth checks alert_window and that each query_* is a template.
func (c *Config) validateHealth() error {
	if c.AlertWindow <= 0 {
		return fmt.Errorf("alert_window: %s is not positive; use a duration like 15m", c.AlertWindow)
	}
	for key, q := range map[string]string{"query_version": c.QueryVersion,
		"query_finalizing": c.QueryFinalizing, "query_alerts": c.QueryAlerts, "query_nodes": c.QueryNodes,
		"query_node_alerts": c.QueryNodeAlerts} {
		if _, err := template.New(key).Parse(q); err != nil {
			return fmt.Errorf("%s: not a valid template: %w; write PromQL with {{.Window}} for the range", key, err)
		}
	}
	return nil
}

// Policy returns the security-patch validation policy of this config.
func (c *Config) Policy() proposals.Policy {
	return proposals.Policy{DenyWords: append([]string(nil), c.DenyWords...)}
}

func validateNetwork(name string, n Network) error {
	if err := checkURL("networks."+name+".url", n.URL, name == "local"); err != nil {
		return err
	}
	if n.RootKey == "" || n.RootKey == RootKeyFetch {
		return nil
	}
	if _, err := governance.ParseRootKey(n.RootKey); err != nil {
		return fmt.Errorf("networks.%s.root_key: %w", name, err)
	}
	return nil
}

// Resolver returns the governance network resolver for this config; the
// "local" network without a URL of its own uses LocalURL.
func (c *Config) Resolver() governance.Resolver {
	nets := make(map[string]governance.NetworkConfig, len(c.Networks))
	for name, n := range c.Networks {
		if name == "local" && n.URL == "" {
			n.URL = c.LocalURL
		}
		nets[name] = n
	}
	return governance.Resolver{Networks: nets}
}

func checkURL(key, raw string, optional bool) error {
	if raw == "" {
		if optional {
			return nil
		}
		return fmt.Errorf("%s: required", key)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an http(s) URL", key, raw)
	}
	return nil
}

func looksLikePath(s string) bool {
	return strings.ContainsRune(s, '/') || strings.HasSuffix(s, ".pem")
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

func dataHome() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	return filepath.Join("~", ".local", "share")
}
