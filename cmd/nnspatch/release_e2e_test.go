package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/rollout"
)

// patchVersion is the security patch the end-to-end tests release.
const patchVersion = "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081"

// releaseNet starts a local network and points the CLI at it as the
// developer identity with neuron 80 (isolated config).
func releaseNet(t *testing.T) *localnet.Network {
	t.Helper()
	isolateConfig(t)
	n := localnettest.Start(t)
	t.Setenv("NNSPATCH_LOCAL_URL", n.URL())
	t.Setenv("NNSPATCH_IDENTITY", n.DeveloperIdentityPath())
	t.Setenv("NNSPATCH_NEURON", "80")
	return n
}

// newTestRelease writes a release package and runs `release new` and
// `release submit`; it returns the release dir, the package and the
// election proposal id.
func newTestRelease(t *testing.T) (rel, pkg string, election uint64) {
	t.Helper()
	dir := t.TempDir()
	pkg = filepath.Join(dir, "update-img.tar.zst")
	if err := os.WriteFile(pkg, []byte(strings.Repeat("guestos security patch ", 40000)), 0o644); err != nil {
		t.Fatal(err)
	}
	rel = filepath.Join(dir, "releases", patchVersion)
	mustRun(t, 0, "release", "new", "--security", "--version", patchVersion, "--artifact", pkg,
		"--measurements-waiver", "test build without SEV measurements", "--forum-url", "https://forum.dfinity.org/t/security-patch/3", "--dir", rel)
	r := mustRun(t, 0, "release", "submit", rel, "--yes")
	id, err := strconv.ParseUint(strings.TrimSpace(r.Stdout), 10, 64)
	if err != nil {
		t.Fatalf("release submit printed %q", r.Stdout)
	}
	return rel, pkg, id
}

// mustRun runs the CLI and fails the test unless it exits with code.
func mustRun(t *testing.T, code ExitCode, args ...string) cliResult {
	t.Helper()
	r := runCLI(t, args...)
	if r.Code != code {
		t.Fatalf("nnspatch %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Code, code, r.Stdout, r.Stderr)
	}
	return r
}

// statusJSON decodes the status of `rollout status|advance --json`.
func statusJSON(t *testing.T, out string) rollout.Status {
	t.Helper()
	var doc struct {
		Status rollout.Status `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("decode status JSON: %v\n%s", err, out)
	}
	return doc.Status
}

// TestSecurityReleaseEndToEnd drives a whole security release against the
// local network on its virtual clock: elect, adopt, roll out in batches
// with the NNS last and the unassigned nodes after it, wait out the quiet
// period, disclose and verify.
func TestSecurityReleaseEndToEnd(t *testing.T) {
	start := time.Now()
	n := releaseNet(t)
	rel, pkg, election := newTestRelease(t)
	if r := mustRun(t, 0, "release", "submit", rel, "--yes"); strings.TrimSpace(r.Stdout) != strconv.FormatUint(election, 10) {
		t.Fatalf("second submit printed %q, want the same proposal %d", r.Stdout, election)
	}
	r0 := mustRun(t, 0, "release", "status", rel, "--json")
	if !strings.Contains(r0.Stdout, `"schema_version": 1`) {
		t.Errorf("status JSON lacks the envelope:\n%s", r0.Stdout)
	}
	st := statusJSON(t, r0.Stdout)
	if st.Election.Status != "executed" {
		t.Fatalf("election is %s, want executed", st.Election.Status)
	}

	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "10", "--bake", "30m")
	st = statusJSON(t, mustRun(t, 0, "rollout", "status", rel, "--json").Stdout)
	if len(st.Batches) < 5 {
		t.Fatalf("%d batches, want at least 4 plus the NNS", len(st.Batches))
	}
	last := st.Batches[len(st.Batches)-1]
	if len(last.Subnets) != 1 || last.Subnets[0].Subnet != rollout.NNSSubnet {
		t.Fatalf("last batch %+v, want the NNS subnet alone", last.Subnets)
	}

	// The continuous plan ends with the NNS subnet, the unassigned nodes
	// and the API boundary nodes (function 47), so the rollout reaches
	// 100% patched by itself.
	order := driveRollout(t, n, rel)
	if len(order) < 3 || order[len(order)-3] != rollout.NNSSubnet || order[len(order)-2] != "" || order[len(order)-1] != rollout.APIBoundaryTarget {
		t.Errorf("deploys end with %q, want the NNS subnet, the unassigned nodes (\"\") and %s", order[max(len(order)-3, 0):], rollout.APIBoundaryTarget)
	}
	st = statusJSON(t, mustRun(t, 0, "rollout", "status", rel, "--json").Stdout)
	if st.APIBoundary == nil || st.APIBoundary.State != rollout.StateComplete || st.Quiet.Unpatched != nil || st.Quiet.Held != nil {
		t.Fatalf("API boundary nodes %+v, quiet %+v; want complete and 100%% patched", st.APIBoundary, st.Quiet)
	}
	checkQuietStart(t, rel, st.APIBoundary.Executed)

	r := mustRun(t, 0, "rollout", "status", rel)
	if !strings.Contains(r.Stdout, "state: complete") || !strings.Contains(r.Stdout, "quiet period day 1 of 10, disclosure due") {
		t.Errorf("status lacks the quiet period:\n%s", r.Stdout)
	}
	r = mustRun(t, ExitRefused, "release", "disclose", rel, "--source-url", "https://github.com/dfinity/ic/tree/"+patchVersion)
	if !strings.Contains(r.Stderr, "quiet period has not ended") {
		t.Errorf("early disclose: %s", r.Stderr)
	}
	if _, err := n.Advance(10 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if r := mustRun(t, 0, "rollout", "status", rel); !strings.Contains(r.Stdout, "disclosure due") || !strings.Contains(r.Stdout, "quiet period over") {
		t.Errorf("status after 10 days:\n%s", r.Stdout)
	}
	mustRun(t, 0, "release", "disclose", rel, "--source-url", "https://github.com/dfinity/ic/tree/"+patchVersion)

	r = mustRun(t, 0, "verify", strconv.FormatUint(election, 10), "--artifact", pkg, "--json")
	var v jsonout.Verify
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil || !v.Match || v.Package.Version != patchVersion {
		t.Fatalf("verify: %v %+v", err, v)
	}
	sum := sha256.Sum256(mustRead(t, pkg))
	if v.Artifact.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("verify hashed %s", v.Artifact.SHA256)
	}
	sums := filepath.Join(t.TempDir(), "SHA256SUMS")
	writeFile(t, sums, v.Artifact.SHA256+"  update-img.tar.zst\n")
	mustRun(t, 0, "verify", strconv.FormatUint(election, 10), "--artifact", pkg, "--sums", sums)
	writeFile(t, sums, strings.Repeat("0", 64)+"  update-img.tar.zst\n")
	mustRun(t, ExitChecksum, "verify", strconv.FormatUint(election, 10), "--artifact", pkg, "--sums", sums)
	tampered := filepath.Join(t.TempDir(), "update-img.tar.zst")
	if err := os.WriteFile(tampered, append(mustRead(t, pkg), 'X'), 0o644); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, ExitChecksum, "verify", strconv.FormatUint(election, 10), "--artifact", tampered)
	if !strings.Contains(r.Stderr, v.Package.SHA256) || !strings.Contains(r.Stdout, "✗ mismatch") {
		t.Errorf("mismatch output lacks both hashes:\n%s\n%s", r.Stdout, r.Stderr)
	}

	log := mustRun(t, 0, "release", "log", rel).Stdout
	for _, action := range []string{"draft", "submit", "plan", "advance", "gate", "quiet", "disclose"} {
		if !strings.Contains(log, "  "+action+" ") {
			t.Errorf("audit log lacks a %q action:\n%s", action, log)
		}
	}
	t.Logf("security release end to end: %d deploys, %s wall time", len(order), time.Since(start).Round(time.Millisecond))
}

// checkQuietStart: the quiet period starts when the last target (here the
// API boundary nodes, deployed at want) ran the version, not when a status
// run first saw it.
func checkQuietStart(t *testing.T, rel string, want time.Time) {
	t.Helper()
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	var seen time.Time
	for _, e := range l.Audit {
		if e.Action == "quiet" {
			seen = e.At
		}
	}
	if seen.IsZero() {
		t.Fatal("no quiet event in the audit log")
	}
	if start := l.QuietPeriod.Start; !start.Equal(want.UTC()) || seen.Sub(start) < 30*time.Minute {
		t.Errorf("quiet period starts %s; API boundary nodes deployed %s; first seen complete %s", start, want, seen)
	}
}

// driveRollout alternates `rollout advance` with moves of the virtual clock
// until the rollout is complete, and returns the deploy targets in
// submission order ("" for the unassigned nodes).
func driveRollout(t *testing.T, n *localnet.Network, rel string) []string {
	t.Helper()
	var order []string
	for range 80 {
		r := runCLI(t, "rollout", "advance", rel, "--yes", "--json")
		if r.Code != 0 && r.Code != ExitPending {
			t.Fatalf("rollout advance: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
		}
		var doc jsonout.Submitted
		if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
			t.Fatalf("decode advance JSON: %v\n%s", err, r.Stdout)
		}
		for _, s := range doc.Submitted {
			order = append(order, s.Subnet)
		}
		if doc.Status.State == rollout.RolloutComplete {
			return order
		}
		step := time.Hour
		if nx := doc.Status.Next; nx != nil && nx.In > step {
			step = nx.In + time.Minute
		}
		if _, err := n.Advance(step); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("rollout not complete after 80 rounds; deploys so far: %d", len(order))
	return nil
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
