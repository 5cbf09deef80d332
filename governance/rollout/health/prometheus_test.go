package health_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// startPrometheus runs a real Prometheus (Debian's package) scraping
// target every 250ms, stopped when the test ends, and returns its URL.
func startPrometheus(t *testing.T, target string) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus binary not found (%v): run the test setup (make test) to install prometheus", err)
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 250ms
  scrape_timeout: 200ms
scrape_configs:
  - job_name: localnet
    metrics_path: /metrics
    static_configs:
      - targets: [%q]
`, u.Host)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	base := "http://" + addr
	waitFor(t, 30*time.Second, "prometheus ready", func() (bool, string) {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return base
}

// freeAddr returns a free loopback address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFor polls cond every 200ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, detail := cond()
		if ok {
			return
		}
		last = detail
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s; last: %s", timeout, what, last)
}

// TestPrometheusGate runs the gate against a real Prometheus server that
// scrapes localnet: healthy before, upgrading with pending alerts right
// after a deploy, healthy once caught up, failing after a fault.
func TestPrometheusGate(t *testing.T) {
	ln, c := startLocal(t)
	src := health.Prometheus{URL: startPrometheus(t, ln.URL()), Window: 2 * time.Second}
	gate := func(version string) func() (bool, string) {
		return func() (bool, string) {
			s, err := src.Snapshot(testCtx(t))
			if err != nil {
				return false, err.Error()
			}
			var bad []string
			for _, ch := range health.Evaluate(s.Subnets[testSubnet], version) {
				if !ch.OK {
					bad = append(bad, ch.Name+": "+ch.Detail)
				}
			}
			return len(bad) == 0, strings.Join(bad, "; ")
		}
	}
	waitFor(t, 30*time.Second, "healthy gate on the old version", gate(oldVersion))
	if ok, _ := gate(newVersion)(); ok {
		t.Fatalf("gate passed for %s before it was deployed", newVersion)
	}

	deploy(t, c, testSubnet, newVersion)
	if _, err := ln.Advance(localnet.DefaultUpgradeDelay + time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "replicas on the new version with IC_Replica_Behind pending", func() (bool, string) {
		s, err := src.Snapshot(testCtx(t))
		if err != nil {
			return false, err.Error()
		}
		got := checksOf(s, testSubnet, newVersion)
		return got[health.CheckVersion].OK && strings.Contains(got[health.CheckAlerts].Detail, "IC_Replica_Behind (pending)"),
			got[health.CheckVersion].Detail + "; " + got[health.CheckAlerts].Detail
	})
	if _, err := ln.Advance(localnet.DefaultCatchUp); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "healthy gate on the new version", gate(newVersion))

	if err := ln.SetFault(localnet.Fault{Version: newVersion, Subnets: []string{testSubnet}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "finalizing and alerts checks failing after the fault", func() (bool, string) {
		s, err := src.Snapshot(testCtx(t))
		if err != nil {
			return false, err.Error()
		}
		got := checksOf(s, testSubnet, newVersion)
		return !got[health.CheckFinalizing].OK && s.Subnets[testSubnet].Firing(),
			got[health.CheckFinalizing].Detail + "; " + got[health.CheckAlerts].Detail
	})
	if s, err := src.Snapshot(testCtx(t)); err != nil || !checksOf(s, otherSubnet, oldVersion)[health.CheckFinalizing].OK {
		t.Errorf("fault leaked to %s (err %v)", otherSubnet, err)
	}
}

// TestPrometheusBadQuery reports the server's error for a broken query.
func TestPrometheusBadQuery(t *testing.T) {
	ln := localnetURL(t)
	src := health.Prometheus{URL: startPrometheus(t, ln), Queries: health.Queries{Version: "sum by (ic_subnet) ("}}
	_, err := src.Snapshot(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "bad_data") {
		t.Fatalf("err = %v, want a bad_data error from Prometheus", err)
	}
}

func localnetURL(t *testing.T) string {
	t.Helper()
	n, _ := startLocal(t)
	return n.URL()
}
