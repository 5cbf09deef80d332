package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/rollout/health/promtest"
)

// TestRolloutPrometheusGate drives `rollout advance|status --prometheus`
// against a real Prometheus server scraping the local network: the first
// batch bakes and completes on Prometheus's data, the second is proposed,
// and a fault on one of its subnets stops the rollout (exit 9) naming the
// subnet and the check; custom queries given by flag are the ones run.
func TestRolloutPrometheusGate(t *testing.T) {
	n := releaseNet(t)
	rel, _, _ := newTestRelease(t)
	prom := []string{"--prometheus", promtest.Start(t, n.URL()), "--alert-window", "3s"}
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "3", "--interval", "1h", "--bake", "30m")
	first := len(strings.Fields(mustRun(t, 0, append([]string{"rollout", "advance", rel, "--yes"}, prom...)...).Stdout))
	if first != 3 {
		t.Fatalf("first advance submitted %d proposals, want 3", first)
	}
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	waitHealthy(t, rel, prom, 0)
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	var second []string
	promtest.WaitFor(t, 30*time.Second, "the second batch proposed", func() (bool, string) {
		r := runCLI(t, append([]string{"rollout", "advance", rel, "--yes"}, prom...)...)
		second = strings.Fields(r.Stdout)
		return r.Code == 0 && len(second) == 3, r.Stderr
	})
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	bad := l.Plan.Batches[1].Subnets[0]
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Subnets: []string{bad}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	var r cliResult
	promtest.WaitFor(t, 30*time.Second, "the gate to fail on "+bad, func() (bool, string) {
		r = runCLI(t, append([]string{"rollout", "advance", rel, "--yes"}, prom...)...)
		return r.Code == ExitRefused, r.Stderr
	})
	if !strings.Contains(r.Stderr, "subnet "+bad+" failed the ") || !strings.Contains(r.Stderr, "check") {
		t.Errorf("gate failure does not name the subnet and check:\n%s", r.Stderr)
	}

	// The queries are configurable: a custom alerts query fires on a
	// healthy subnet of the first batch, and a broken one is the server's error.
	ok := l.Plan.Batches[0].Subnets[0]
	custom := `label_replace(label_replace(label_replace(vector(1), "ic_subnet", "` + ok + `", "", ""), "alertname", "CustomGate", "", ""), "alertstate", "firing", "", "")`
	r = mustRun(t, ExitRefused, append([]string{"rollout", "status", rel, "--query-alerts", custom}, prom...)...)
	if !strings.Contains(r.Stdout, "CustomGate (firing)") {
		t.Errorf("custom alerts query not used:\n%s", r.Stdout)
	}
	cfgFile := filepath.Join(os.Getenv("NNSPATCH_CONFIG_HOME"), "config.yaml")
	writeFile(t, cfgFile, "query_alerts: '"+strings.ReplaceAll(custom, "CustomGate", "ConfigGate")+"'\nalert_window: 5s\n")
	r = mustRun(t, ExitRefused, append([]string{"rollout", "status", rel}, prom[:2]...)...)
	if !strings.Contains(r.Stdout, "ConfigGate (firing)") {
		t.Errorf("query_alerts from the config file not used:\n%s", r.Stdout)
	}
	if err := os.Remove(cfgFile); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, ExitUsage, append([]string{"rollout", "status", rel, "--query-version", "sum by (ic_subnet) ("}, prom...)...)
	if !strings.Contains(r.Stderr, "refused the version query") || !strings.Contains(r.Stderr, "bad_data") || !strings.Contains(r.Stderr, "(--query-version or query_version in the config)") {
		t.Errorf("broken query error does not name the query and the server's error:\n%s", r.Stderr)
	}
}

// waitHealthy polls `rollout status --json` until every subnet of batch i
// has been seen healthy on Prometheus's data (its bake has started).
func waitHealthy(t *testing.T, rel string, prom []string, i int) {
	t.Helper()
	promtest.WaitFor(t, 30*time.Second, "batch to bake", func() (bool, string) {
		r := runCLI(t, append([]string{"rollout", "status", rel, "--json"}, prom...)...)
		if r.Code != 0 {
			return false, r.Stderr
		}
		for _, s := range statusJSON(t, r.Stdout).Batches[i].Subnets {
			if !strings.HasPrefix(s.Detail, "healthy for") {
				return false, string(s.State) + ": " + s.Detail
			}
		}
		return true, ""
	})
}

// TestWithBake: the Prometheus source's alert query spans the plan's bake;
// other sources are unchanged.
func TestWithBake(t *testing.T) {
	p, ok := withBake(health.Prometheus{URL: "http://x"}, 30*time.Minute).(health.Prometheus)
	if !ok || p.AlertWindow != 30*time.Minute {
		t.Errorf("prometheus source %+v", p)
	}
	m := health.Metrics{URL: "http://x/metrics"}
	if got := withBake(m, time.Hour); got != m {
		t.Errorf("metrics source changed: %+v", got)
	}
}
