package config

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Value returns the effective value of key (one of Keys), or nil.
func (c *Config) Value(key string) any {
	switch key {
	case "network":
		return c.Network
	case "networks":
		return c.Networks
	case "local_url":
		return c.LocalURL
	case "identity":
		return c.Identity
	case "hsm_module":
		return c.HSMModule
	case "neuron":
		return c.Neuron
	case "releases_dir":
		return c.ReleasesDir
	case "prometheus_url":
		return c.PrometheusURL
	case "alert_window":
		return c.AlertWindow.String()
	case "query_version":
		return c.QueryVersion
	case "query_finalizing":
		return c.QueryFinalizing
	case "query_alerts":
		return c.QueryAlerts
	case "query_nodes":
		return c.QueryNodes
	case "query_node_alerts":
		return c.QueryNodeAlerts
	case "deny_words":
		return c.DenyWords
	case "ingress_expiry":
		return c.IngressExpiry.String()
	case "output":
		return c.Output
	case "rollout_policy":
		return c.RolloutPolicy
	}
	return nil
}

// FormatValue renders a value from Value on one line: maps sorted by key,
// lists comma-separated (long ones cut after five items; --json has them
// all), empty strings as "".
func FormatValue(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return `""`
		}
		return x
	case []string:
		if len(x) > 6 {
			return fmt.Sprintf("[%s, … %d more]", strings.Join(x[:5], ", "), len(x)-5)
		}
		return "[" + strings.Join(x, ", ") + "]"
	case map[string]Network:
		return formatNetworks(x)
	case time.Duration:
		return x.String()
	}
	return fmt.Sprint(v)
}

func formatNetworks(m map[string]Network) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+"="+FormatNetwork(n, m[n]))
	}
	return strings.Join(parts, "; ")
}

// FormatNetwork renders one network as "URL (root key: …)".
func FormatNetwork(name string, n Network) string {
	url := n.URL
	if url == "" {
		url = "local_url"
	}
	key := n.RootKey
	switch {
	case name == "ic":
		key = "built-in mainnet key"
	case key == "":
		key = "fetch (loopback)"
	case key != RootKeyFetch:
		key = "hex " + key[:min(len(key), 16)] + "…"
	}
	return url + " (root key: " + key + ")"
}

// NetworkNames returns the names in c.Networks, sorted.
func (c *Config) NetworkNames() []string {
	names := make([]string, 0, len(c.Networks))
	for n := range c.Networks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
