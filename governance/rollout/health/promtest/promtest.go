// Package promtest runs a real Prometheus server (Debian's prometheus
// package, installed by scripts/setup-test.sh) for tests of the Prometheus
// health source: it scrapes one target, such as a local network's /metrics,
// every 250ms, and the per-node host exporter targets the target lists at
// /_/sd/host_node_exporter (localnet's hostexporter.go) every HostScrapeInterval
// as the job host_node_exporter, and is stopped when the test ends. A missing binary fails the
// test with the command that installs it; it never skips.
package promtest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// ScrapeInterval is how often the server scrapes its target.
const ScrapeInterval = 250 * time.Millisecond

// HostScrapeInterval is how often the server scrapes each node's host
// exporter target (one per node, so less often than the target).
const HostScrapeInterval = time.Second

// Start runs Prometheus scraping target's /metrics (target is a base URL,
// e.g. http://127.0.0.1:4943), waits until it is ready and returns its URL.
// Its log is printed when the test fails.
func Start(t testing.TB, target string) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus binary not found (%v): run scripts/setup-test.sh (it installs Debian's prometheus package)", err)
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		t.Fatalf("prometheus target %q: want a base URL such as http://127.0.0.1:4943", target)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(config(u.Host)), 0o644); err != nil {
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
	WaitFor(t, 30*time.Second, "prometheus ready", func() (bool, string) {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return base
}

func config(host string) string {
	ms, hms := ScrapeInterval.Milliseconds(), HostScrapeInterval.Milliseconds()
	return fmt.Sprintf(`global:
  scrape_interval: %dms
  scrape_timeout: %dms
scrape_configs:
  - job_name: localnet
    metrics_path: /metrics
    static_configs:
      - targets: [%q]
  - job_name: host_node_exporter
    scrape_interval: %dms
    scrape_timeout: %dms
    http_sd_configs:
      - url: http://%s/_/sd/host_node_exporter
        refresh_interval: 5s
`, ms, ms*4/5, host, hms, hms*4/5, host)
}

// freeAddr returns a free loopback address.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitFor polls cond every 200ms until it holds, failing the test with
// cond's last detail when timeout passes first.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() (ok bool, detail string)) {
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
