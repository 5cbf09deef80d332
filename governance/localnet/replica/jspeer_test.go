package replica

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot walks up from the package directory to the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}

// runJSPeer runs jspeer/agent_check.mjs against net and returns its exit
// error and combined output. It fails the test if the JS agents are not
// installed.
func runJSPeer(t *testing.T, net *testNet, extra ...string) (string, error) {
	t.Helper()
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "jspeer", "node_modules", "@icp-sdk", "core", "package.json")); err != nil {
		t.Fatalf("jspeer/node_modules is missing the JS agents; run: npm ci --prefix jspeer")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: %v", err)
	}
	args := append([]string{filepath.Join(root, "jspeer", "agent_check.mjs"), net.url.String(), counterID.Encode()}, extra...)
	cmd := exec.Command(node, args...)
	cmd.Dir = root
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestJSPeer checks the official JS agent (@icp-sdk/core) accepts the server
// with every verification on, for all identity kinds with synchronous calls
// and for one with 202-polled calls, and that in bad-key mode each verifying
// path fails. It also runs against a clock a day ahead of real time.
func TestJSPeer(t *testing.T) {
	for _, async := range []bool{false, true} {
		net := startNet(t, WithAsyncCalls(async))
		var extra []string
		if async {
			extra = []string{"--quick"}
		}
		out, err := runJSPeer(t, net, extra...)
		t.Logf("async=%v: %s", async, out)
		if err != nil || !strings.Contains(out, `"ok":true`) {
			t.Fatalf("async=%v: agent_check failed: %v\n%s", async, err, out)
		}
	}
	// A clock a day ahead, as after `localnet advance 1d`: the agent syncs to
	// the certified /time and its requests must still be admitted.
	real := time.Now()
	ahead := startNet(t, WithClock(func() time.Time { return real.Add(24*time.Hour + time.Since(real)) }))
	out, err := runJSPeer(t, ahead, "--quick", "--ahead=86400")
	t.Logf("ahead: %s", out)
	if err != nil || !strings.Contains(out, `"ok":true`) {
		t.Fatalf("agent_check --ahead=86400: %v\n%s", err, out)
	}
	// Bad-key mode: a verified query, an update call and a read_state must
	// each fail verification on their own.
	bad := startNet(t, WithBadRootKey())
	out, err = runJSPeer(t, bad, "--expect-untrusted")
	t.Logf("bad-key: %s", out)
	if err != nil || !strings.Contains(out, `"ok":true`) {
		t.Fatalf("agent_check --expect-untrusted: %v\n%s", err, out)
	}
	for _, path := range []string{`"query"`, `"call"`, `"readState"`} {
		if !strings.Contains(out, path) {
			t.Errorf("no verification failure recorded for %s:\n%s", path, out)
		}
	}
}
