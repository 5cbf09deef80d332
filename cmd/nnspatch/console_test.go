package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/tui"
)

// tuiDepsFor builds the terminal app's inputs the way `nnspatch tui args…`
// does (flags, config, network, releases), without a terminal.
func tuiDepsFor(t *testing.T, args ...string) tui.Deps {
	t.Helper()
	ios, _, _, errOut := TestStreams()
	f := NewFactory(ios)
	root := NewCmdRoot(f)
	for _, c := range root.Commands() {
		if c.Name() == "tui" {
			root.RemoveCommand(c)
		}
	}
	var deps tui.Deps
	root.AddCommand(newCmdTUI(f, func(o *tuiOptions) error {
		var err error
		deps, err = tuiDeps(context.Background(), o, io.Discard)
		return err
	}))
	root.SetArgs(append([]string{"tui"}, args...))
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	if err := root.Execute(); err != nil {
		t.Fatalf("nnspatch tui %v: %v\n%s", args, err, errOut)
	}
	return deps
}

// TestCLIAndTUIShareReleaseFacts builds one stalled release's rollout
// status and rollback plan through the CLI (`rollout status --json`,
// `rollback plan --release --format json`) and through the terminal app's
// sources (the Releases page's tracker, the Rollback page's ReleaseSource)
// and finds them equal: one library path for both.
func TestCLIAndTUIShareReleaseFacts(t *testing.T) {
	n := releaseNet(t)
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "2", "--bake", "15m")
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	failing := l.Plan.Batches[0].Subnets[0]
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Subnets: []string{failing}}); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "rollout", "advance", rel, "--yes")
	if _, err := n.Advance(20 * time.Minute); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ExitRefused, "rollout", "status", rel) // the gate observes the stall

	cliStatus := statusJSON(t, runCLI(t, "rollout", "status", rel, "--json").Stdout)
	cliPlan, err := rollback.DecodePlan([]byte(mustRun(t, 0, "rollback", "plan", "--release", rel, "--format", "json").Stdout))
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	d := tuiDepsFor(t, "--release", rel)
	if len(d.Releases) != 1 || len(d.Rollbacks) != 1 {
		t.Fatalf("tui releases %d, rollbacks %d; want 1 each", len(d.Releases), len(d.Rollbacks))
	}
	tuiView, err := d.Releases[0].Tracker.Look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tuiStatus := tuiView.GuestOS
	tuiPlan, err := d.Rollbacks[0].Source.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if cliStatus.State != rollout.RolloutFailed {
		t.Fatalf("CLI status %s, want failed", cliStatus.State)
	}
	if diff := cmp.Diff(statusFacts(t, &cliStatus), statusFacts(t, tuiStatus)); diff != "" {
		t.Errorf("rollout status: CLI (-) and TUI (+) differ:\n%s", diff)
	}
	if len(cliPlan.Targets) != 1 || cliPlan.Targets[0].Subnet != failing {
		t.Fatalf("CLI plan targets %+v, want the failing subnet %s", cliPlan.Targets, failing)
	}
	if diff := cmp.Diff(stampedPlanJSON(t, cliPlan), stampedPlanJSON(t, tuiPlan)); diff != "" {
		t.Errorf("rollback plan: CLI (-) and TUI (+) differ:\n%s", diff)
	}

	// The app also lists every release directory in releases_dir (once,
	// also when named with --release), in one order for both pages.
	t.Setenv("NNSPATCH_RELEASES_DIR", filepath.Dir(rel))
	if err := os.MkdirAll(filepath.Join(filepath.Dir(rel), "not-a-release"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"--release", rel}} {
		d := tuiDepsFor(t, args...)
		if len(d.Releases) != 1 || d.Releases[0].Name != patchVersion || len(d.Rollbacks) != 1 || d.Rollbacks[0].Name != patchVersion {
			t.Errorf("tui %v: releases %+v, rollbacks %+v; want %s once", args, d.Releases, d.Rollbacks, patchVersion)
		}
	}
}

// statusFacts is a status as JSON without the reference name the CLI adds.
func statusFacts(t *testing.T, st *rollout.Status) map[string]any {
	t.Helper()
	m := map[string]any{}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&m); err != nil {
		t.Fatal(err)
	}
	delete(m, "release")
	delete(m, "now") // the local network's clock runs on between the reads
	return m
}

// stampedPlanJSON is a plan as JSON, stamped at the zero time (the local
// network's clock runs on between the two plans).
func stampedPlanJSON(t *testing.T, p *rollback.Plan) string {
	t.Helper()
	cp := *p
	cp.Created = time.Time{}
	p = &cp
	var b bytes.Buffer
	if err := rollback.RenderJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
