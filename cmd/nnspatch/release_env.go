package main

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// releaseEnv is what every release and rollout command shares: where
// releases live, the network, the neuron and the health source.
type releaseEnv struct {
	IO         *IOStreams
	JSON       func() bool
	Yes        func() bool
	f          *Factory
	Net        netOptions
	Neuron     uint64
	Prometheus string
	Window     time.Duration
	MetricsGap time.Duration
	Queries    health.Queries
	AcceptRisk string
}

func newReleaseEnv(f *Factory) *releaseEnv {
	return &releaseEnv{IO: f.IO, JSON: f.JSONOutput, Yes: func() bool { return f.Globals.Yes }, f: f}
}

// addNetFlags registers the network flags; writes adds --neuron and --accept-risk.
func (e *releaseEnv) addFlags(cmd *cobra.Command, writes bool) {
	addNetFlags(cmd, &e.Net)
	if writes {
		cmd.Flags().Uint64Var(&e.Neuron, "neuron", 0, "proposer neuron `id` (default: neuron from the config)")
		cmd.Flags().StringVar(&e.AcceptRisk, "accept-risk", "", "accept the risk of submitting to mainnet (`mainnet`)")
	}
}

// addHealthFlags registers the health-gate flags.
func (e *releaseEnv) addHealthFlags(fl *pflag.FlagSet) {
	fl.StringVar(&e.Prometheus, "prometheus", "", "Prometheus `url` for health gates (default: prometheus_url, else the local network's /metrics)")
	fl.DurationVar(&e.Window, "alert-window", 0, "range of the finalization query, and of the alert query when longer than the plan's bake (default: alert_window, 15m)")
	fl.StringVar(&e.Queries.Version, "query-version", "", "PromQL: replicas by (ic_subnet, ic_active_version) (default: query_version, else built in)")
	fl.StringVar(&e.Queries.Finalizing, "query-finalizing", "", "PromQL: finalized height growth by ic_subnet over {{.Window}} (default: query_finalizing, else built in)")
	fl.StringVar(&e.Queries.Alerts, "query-alerts", "", "PromQL: alerts by (ic_subnet, alertname, alertstate) over {{.Window}} (default: query_alerts, else built in)")
	fl.StringVar(&e.Queries.Nodes, "query-nodes", "", "PromQL: 1 or 0 by ic_node, whether the node's host answered throughout {{.Window}} (default: query_nodes, else built in)")
	fl.StringVar(&e.Queries.NodeAlerts, "query-node-alerts", "", "PromQL: alerts by (ic_node, alertname, alertstate) over {{.Window}} (default: query_node_alerts, else built in)")
	fl.DurationVar(&e.MetricsGap, "metrics-gap", 0, "scrape /metrics twice this far apart (0: once, compared with the last observation)")
}

// store resolves <release>: a directory with a ledger, or a version under
// the releases directory.
func (e *releaseEnv) store(ref string) (rollout.Store, error) {
	if strings.ContainsRune(ref, filepath.Separator) || fileExists(filepath.Join(ref, rollout.LedgerFile)) {
		return rollout.Store{Dir: ref}, nil
	}
	dir, err := e.releasesDir()
	if err != nil {
		return rollout.Store{}, err
	}
	return rollout.Store{Dir: filepath.Join(dir, ref)}, nil
}

// releasesDir is releases_dir when configured, else ./releases.
func (e *releaseEnv) releasesDir() (string, error) {
	l, err := e.f.LoadedConfig()
	if err != nil {
		return "", err
	}
	if l.Sources["releases_dir"] == config.SourceDefault {
		return "releases", nil
	}
	return l.Config.ReleasesDir, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// openRelease resolves <release> and builds its tracker (see tracker).
func (e *releaseEnv) openRelease(ctx context.Context, ref string, writes bool) (*rollout.Tracker, error) {
	s, err := e.store(ref)
	if err != nil {
		return nil, err
	}
	return e.tracker(ctx, s, writes)
}

// tracker connects to the network and builds the release's tracker;
// writes resolves the neuron and checks the mainnet risk flag.
func (e *releaseEnv) tracker(ctx context.Context, s rollout.Store, writes bool) (*rollout.Tracker, error) {
	if writes {
		if err := e.resolveNeuron(); err != nil {
			return nil, err
		}
	}
	c, err := e.f.governanceClient(ctx, e.Net.RootKey)
	if err != nil {
		return nil, err
	}
	if writes {
		if err := checkMainnetRisk(c.Network, e.AcceptRisk, "submitting"); err != nil {
			return nil, err
		}
	}
	cfg, err := e.f.Config()
	if err != nil {
		return nil, err
	}
	return &rollout.Tracker{Store: s, Gov: c, Health: withBake(e.healthSource(cfg, c.Network), planBake(s)), Now: networkClock(c.Network),
		Actor: c.Sender().Encode(), Neuron: e.Neuron, Policy: cfg.Policy()}, nil
}

// bareTracker builds a tracker that reads governance and the registry
// only (no health source, no neuron), for commands that look things up.
func (e *releaseEnv) bareTracker(ctx context.Context, s rollout.Store) (*rollout.Tracker, error) {
	c, err := e.f.governanceClient(ctx, e.Net.RootKey)
	if err != nil {
		return nil, err
	}
	cfg, err := e.f.Config()
	if err != nil {
		return nil, err
	}
	return &rollout.Tracker{Store: s, Gov: c, Now: networkClock(c.Network), Actor: c.Sender().Encode(), Policy: cfg.Policy()}, nil
}

func (e *releaseEnv) resolveNeuron() error {
	if e.Neuron != 0 {
		return nil
	}
	cfg, err := e.f.Config()
	if err != nil {
		return err
	}
	if cfg.Neuron == 0 {
		return FlagErrorf("--neuron is required (or set neuron in the config file)")
	}
	e.Neuron = cfg.Neuron
	return nil
}

// planBake is the bake time of the release's plan (0 without a plan or a
// readable ledger; the commands report those themselves).
func planBake(s rollout.Store) time.Duration {
	l, err := s.Read()
	if err != nil || l.Plan == nil {
		return 0
	}
	return time.Duration(l.Plan.Bake)
}

// withBake makes a Prometheus source's alerts query look back over at
// least the bake time, so no alert during a bake goes unseen.
func withBake(src health.Source, bake time.Duration) health.Source {
	if p, ok := src.(health.Prometheus); ok {
		p.AlertWindow = bake
		return p
	}
	return src
}

// healthSource picks Prometheus (flag, then config), else the local
// network's /metrics; nil (with a warning) when neither exists.
func (e *releaseEnv) healthSource(cfg *config.Config, n governance.Network) health.Source {
	prom := e.Prometheus
	if prom == "" {
		prom = cfg.PrometheusURL
	}
	if prom != "" {
		return health.Prometheus{URL: prom, Queries: e.queries(cfg), Window: cmp.Or(e.Window, cfg.AlertWindow)}
	}
	if isLoopbackURL(n.URL) {
		return health.Metrics{URL: strings.TrimRight(n.URL, "/") + "/metrics", Gap: e.MetricsGap, Once: e.MetricsGap == 0}
	}
	fmt.Fprintln(e.IO.ErrOut, "warning: no prometheus_url configured: health gates cannot pass; set it or pass --prometheus")
	return nil
}

// queries are the --query-* flags, else the config's query_* keys; empty
// ones mean the built-in queries.
func (e *releaseEnv) queries(cfg *config.Config) health.Queries {
	c := cfg.HealthQueries()
	return health.Queries{Version: cmp.Or(e.Queries.Version, c.Version),
		Finalizing: cmp.Or(e.Queries.Finalizing, c.Finalizing), Alerts: cmp.Or(e.Queries.Alerts, c.Alerts),
		Nodes: cmp.Or(e.Queries.Nodes, c.Nodes), NodeAlerts: cmp.Or(e.Queries.NodeAlerts, c.NodeAlerts)}
}

// networkClock reads the local network's virtual clock, or the real one.
func networkClock(n governance.Network) func(context.Context) (time.Time, error) {
	if !isLoopbackURL(n.URL) {
		return func(context.Context) (time.Time, error) { return time.Now().UTC(), nil }
	}
	admin := localnet.Admin{URL: n.URL}
	return func(ctx context.Context) (time.Time, error) {
		st, err := admin.Status(ctx)
		if err != nil {
			return time.Now().UTC(), nil // a local replica that is not nnspatch localnet
		}
		return st.Now, nil
	}
}

// now reads the configured network's clock (a local network's virtual
// clock) for offline commands, so a ledger's times follow one clock; the
// wall clock when the network is not a running local one.
func (e *releaseEnv) now(ctx context.Context) time.Time {
	n, err := e.f.resolveNetwork("")
	if err != nil {
		return time.Now().UTC()
	}
	t, _ := networkClock(n)(ctx)
	return t
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// actor returns the principal of the configured identity for offline
// actions, or a placeholder naming the local user.
func (e *releaseEnv) actor() string {
	if id, err := e.f.loadIdentity(); err == nil {
		return id.Sender().Encode()
	}
	return "local-user:" + os.Getenv("USER")
}
