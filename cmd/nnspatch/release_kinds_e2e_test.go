package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

// hostOSPatch is the HostOS version the CLI tests release.
const hostOSPatch = "7b2c9d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"

// newHostOSRelease runs `release new --kind hostos`, `release submit` and
// `rollout plan` against the local network.
func newHostOSRelease(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	pkg := filepath.Join(dir, "host-update-img.tar.zst")
	writeFile(t, pkg, strings.Repeat("hostos security patch ", 1000))
	rel := filepath.Join(dir, "releases", "hostos")
	mustRun(t, 0, "release", "new", "--kind", "hostos", "--security", "--version", hostOSPatch, "--artifact", pkg,
		"--forum-url", "https://forum.dfinity.org/t/hostos-security-patch/4", "--dir", rel)
	mustRun(t, 0, "release", "submit", rel, "--yes")
	r := mustRun(t, 0, "rollout", "plan", rel, "--per-subnet", "20")
	if !strings.Contains(r.Stdout, "Stage canary (tolerance 0%)") || !strings.Contains(r.Stdout, "Stage main (tolerance 5%)") {
		t.Fatalf("rollout plan of a HostOS release:\n%s", r.Stdout)
	}
	return rel
}

// hostOSState reads `release status --json` of a HostOS release.
func hostOSState(t *testing.T, rel string, code ExitCode) rollout.HostOSStatus {
	t.Helper()
	var doc struct {
		Status rollout.HostOSStatus `json:"status"`
	}
	r := mustRun(t, code, "release", "status", rel, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("decode HostOS status: %v\n%s", err, r.Stdout)
	}
	return doc.Status
}

// advanceCLI runs `rollout advance` until stop(exit code) says so, moving
// the clock by step whenever it waits.
func advanceCLI(t *testing.T, n *localnet.Network, rel string, step time.Duration, stop func(cliResult) bool) cliResult {
	t.Helper()
	for range 40 {
		r := runCLI(t, "rollout", "advance", rel, "--yes")
		if stop(r) {
			return r
		}
		if r.Code != 0 && r.Code != ExitPending {
			t.Fatalf("rollout advance: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
		}
		if r.Code == ExitPending {
			if _, err := n.Advance(step); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatal("rollout advance did not stop in 40 rounds")
	return cliResult{}
}

// TestHostOSReleaseCLIEndToEnd: a HostOS release from `release new --kind
// hostos` to disclosure through the CLI: plan by stage, advance with the
// node health gates to 100%, quiet period, refused early disclosure.
func TestHostOSReleaseCLIEndToEnd(t *testing.T) {
	n := releaseNet(t)
	rel := newHostOSRelease(t)
	advanceCLI(t, n, rel, time.Hour, func(cliResult) bool {
		return hostOSState(t, rel, 0).State == rollout.RolloutComplete
	})
	st := hostOSState(t, rel, 0)
	if st.OnVersion != st.Nodes || !st.Quiet.Started {
		t.Fatalf("after the rollout: %d of %d nodes, quiet %+v", st.OnVersion, st.Nodes, st.Quiet)
	}
	if r := mustRun(t, 0, "release", "status", rel); !strings.Contains(r.Stdout, "state: complete") || !strings.Contains(r.Stdout, "quiet period day 1 of 10") {
		t.Errorf("release status:\n%s", r.Stdout)
	}
	mustRun(t, ExitRefused, "release", "disclose", rel, "--source-url", "https://github.com/dfinity/ic/tree/"+hostOSPatch)
	if _, err := n.Advance(10 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "release", "disclose", rel, "--source-url", "https://github.com/dfinity/ic/tree/"+hostOSPatch)
}

// TestHostOSRollbackCLI: the first canary node goes down on the patch, the
// canary stage exceeds its tolerance (advance exits 9 naming it), and
// `rollback submit --release` moves the node back to its previous HostOS.
func TestHostOSRollbackCLI(t *testing.T) {
	n := releaseNet(t)
	rel := newHostOSRelease(t)
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	canary := l.HostOS.Stages[0].Batches[0].Nodes[0]
	if err := n.SetFault(localnet.Fault{Version: hostOSPatch, Subnets: []string{canary}}); err != nil {
		t.Fatal(err)
	}
	r := advanceCLI(t, n, rel, time.Hour, func(r cliResult) bool { return r.Code == ExitRefused })
	if !strings.Contains(r.Stderr, "canary") || !strings.Contains(r.Stderr, canary) {
		t.Fatalf("advance over tolerance does not name the stage and node:\n%s", r.Stderr)
	}
	if r := mustRun(t, 0, "rollback", "plan", "--release", rel); !strings.Contains(r.Stdout, "Rollback plan for HostOS") || !strings.Contains(r.Stdout, "back to HostOS "+l.HostOS.Previous[canary][:8]) {
		t.Fatalf("rollback plan:\n%s", r.Stdout)
	}
	mustRun(t, 0, "rollback", "submit", "--release", rel, "--yes")
	if got := n.Registry().Nodes(); len(got) == 0 {
		t.Fatal("no nodes")
	}
	for _, nd := range n.Nodes() {
		if nd.ID == canary && (nd.HostOSVersion != l.HostOS.Previous[canary] || !nd.Up) {
			t.Fatalf("canary after the rollback: %+v; want up on %s", nd, l.HostOS.Previous[canary])
		}
	}
	if st := hostOSState(t, rel, ExitRefused); st.State != rollout.RolloutHalted || len(st.RolledBack) != 1 {
		t.Fatalf("release after the rollback: %s, rolled back %v", st.State, st.RolledBack)
	}
}

// TestCanisterReleaseCLIEndToEnd: an NNS canister release from `draft
// upgrade-canister` and `release new --kind nns-canister` to disclosure,
// then its rollback: a wrong previous wasm is refused (exit 6), the right
// one is installed again.
func TestCanisterReleaseCLIEndToEnd(t *testing.T) {
	n := releaseNet(t)
	dir := t.TempDir()
	wasm, draft := filepath.Join(dir, "root.wasm"), filepath.Join(dir, "upgrade-root.yaml")
	writeFile(t, wasm, "\x00asm\x01\x00\x00\x00patched root")
	mustRun(t, 0, "draft", "upgrade-canister", "--security", "--canister", proposals.RootCanisterID, "--wasm", wasm,
		"--forum-url", "https://forum.dfinity.org/t/root-security-patch/5", "-o", draft)
	rel := filepath.Join(dir, "releases", "root")
	mustRun(t, 0, "release", "new", "--kind", "nns-canister", "--upgrade", draft, "--version", "root-fix-1", "--dir", rel)
	mustRun(t, 0, "release", "submit", rel, "--yes")
	if _, err := n.Advance(5 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, 0, "release", "status", rel)
	if !strings.Contains(r.Stdout, "state: complete") || !strings.Contains(r.Stdout, "quiet period day") {
		t.Fatalf("release status after the upgrade:\n%s", r.Stdout)
	}
	mustRun(t, ExitRefused, "release", "disclose", rel, "--source-url", "https://github.com/dfinity/ic/tree/x")
	if _, err := n.Advance(10 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "release", "disclose", rel, "--source-url", "https://github.com/dfinity/ic/tree/x")

	wrong, prev := filepath.Join(dir, "wrong.wasm"), filepath.Join(dir, "root-before.wasm")
	writeFile(t, wrong, "\x00asm\x01\x00\x00\x00not root's previous module")
	if err := os.WriteFile(prev, localnet.SeedWasm("root"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := mustRun(t, ExitChecksum, "rollback", "plan", "--release", rel, "--wasm", "root="+wrong); !strings.Contains(r.Stderr, "module hash") {
		t.Errorf("wrong previous wasm:\n%s", r.Stderr)
	}
	mustRun(t, 0, "rollback", "submit", "--release", rel, "--wasm", "root="+prev, "--yes")
	if _, err := n.Advance(5 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "rollback", "submit", "--release", rel, "--yes")
	if r := mustRun(t, ExitRefused, "release", "status", rel); !strings.Contains(r.Stdout, "rolled_back") {
		t.Fatalf("release status after the rollback:\n%s", r.Stdout)
	}
}
