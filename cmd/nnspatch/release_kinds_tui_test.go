package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

// TestReleaseKindsCLIAndTUIShareStatus: a HostOS release (planned and one
// batch advanced) and an NNS canister release in one releases_dir. `nnspatch
// tui` loads both for the Releases page, and each one's status read through
// the page's tracker (rollout.Tracker.Look) equals `release status --json`
// of the CLI: one library path for every release kind.
func TestReleaseKindsCLIAndTUIShareStatus(t *testing.T) {
	n := releaseNet(t)
	host := newHostOSRelease(t)
	mustRun(t, 0, "rollout", "advance", host, "--yes")
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(host)
	wasm, draft := filepath.Join(t.TempDir(), "root.wasm"), filepath.Join(t.TempDir(), "upgrade-root.yaml")
	writeFile(t, wasm, "\x00asm\x01\x00\x00\x00patched root")
	mustRun(t, 0, "draft", "upgrade-canister", "--security", "--canister", proposals.RootCanisterID, "--wasm", wasm,
		"--forum-url", "https://forum.dfinity.org/t/root-security-patch/5", "-o", draft)
	mustRun(t, 0, "release", "new", "--kind", "nns-canister", "--upgrade", draft, "--version", "root-fix-1", "--dir", filepath.Join(dir, "root-fix-1"))

	t.Setenv("NNSPATCH_RELEASES_DIR", dir)
	d := tuiDepsFor(t)
	if len(d.Releases) != 2 || len(d.Rollbacks) != 2 {
		t.Fatalf("tui releases %+v; want the HostOS and the canister release", d.Releases)
	}
	kinds := map[string]string{"hostos": rollout.ReleaseHostOS, "root-fix-1": rollout.ReleaseCanister}
	for _, r := range d.Releases {
		v, err := r.Tracker.Look(context.Background())
		if err != nil {
			t.Fatalf("the Releases page's tracker of %s: %v", r.Name, err)
		}
		if v.Kind != kinds[r.Name] {
			t.Fatalf("release %s read as kind %s; want %s", r.Name, v.Kind, kinds[r.Name])
		}
		cli := mustRun(t, 0, "release", "status", filepath.Join(dir, r.Name), "--json").Stdout
		var doc struct {
			Status map[string]any `json:"status"`
		}
		if err := json.Unmarshal([]byte(cli), &doc); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(withoutNow(t, doc.Status), withoutNow(t, v.Doc())); diff != "" {
			t.Errorf("release %s: CLI (-) and TUI (+) status differ:\n%s", r.Name, diff)
		}
		if r.Name == "hostos" && (v.HostOS.OnVersion != 1 || v.HostOS.Stages[0].Batches[0].State != rollout.StateComplete) {
			t.Errorf("HostOS status after one advance: %d nodes on the version, batch 1 %s", v.HostOS.OnVersion, v.HostOS.Stages[0].Batches[0].State)
		}
	}
}

// withoutNow is a status as a JSON map without "now" (the local network's
// clock runs on between the two reads).
func withoutNow(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "now")
	return m
}

// TestReleaseAdvanceConfirmationNamesPreview: asked interactively, `rollout
// advance` of a HostOS release names what it would submit (the library's
// preview the TUI's confirmation shows): declined, nothing is proposed;
// accepted, the named batch is.
func TestReleaseAdvanceConfirmationNamesPreview(t *testing.T) {
	releaseNet(t)
	rel := newHostOSRelease(t)
	ask := func(answer string) cliResult {
		ios, in, _, _ := TestStreams()
		ios.SetTTY(true, false, true)
		in.WriteString(answer + "\n")
		return runCLIWith(t, ios, "rollout", "advance", rel)
	}
	want := "Advance the rollout of " + rel + " with neuron 80: 1 DeployHostosToSomeNodes proposal: HostOS stage canary, batch 1, 1 node(s)? [y/N]"
	r := ask("n")
	if r.Code != ExitUsage || !strings.Contains(r.Stderr, want) {
		t.Fatalf("declined: exit %d\n%s\nwant %q", r.Code, r.Stderr, want)
	}
	if l, err := (rollout.Store{Dir: rel}).Read(); err != nil || len(l.ProposalsFor(rollout.KindHostOSDeploy, "hostos batch 1")) != 0 {
		t.Fatalf("a declined advance proposed (%v)", err)
	}
	if r := ask("y"); r.Code != 0 || !strings.Contains(r.Stderr, "Submitted hostos_deploy") {
		t.Fatalf("accepted: exit %d\n%s", r.Code, r.Stderr)
	}
	if l, err := (rollout.Store{Dir: rel}).Read(); err != nil || len(l.ProposalsFor(rollout.KindHostOSDeploy, "hostos batch 1")) != 1 {
		t.Fatalf("the accepted advance did not propose batch 1 (%v)", err)
	}
}
