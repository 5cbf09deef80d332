package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/rollback"
)

// TestRollbackEndToEnd releases a patch, lets it stall the first subnet of
// batch 1, then plans, submits and tracks the rollback through the CLI.
func TestRollbackEndToEnd(t *testing.T) {
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
	mustRun(t, ExitRefused, "rollout", "status", rel)

	text := mustRun(t, 0, "rollback", "plan", "--release", rel).Stdout
	for _, want := range []string{"Rollback plan for GuestOS " + patchVersion, "1. halt the rollout", "2. roll subnet " + failing + " back to", "What failed: subnet " + failing + " failed the "} {
		if !strings.Contains(text, want) {
			t.Errorf("plan text lacks %q:\n%s", want, text)
		}
	}
	if md := mustRun(t, 0, "rollback", "plan", "--release", rel, "--format", "markdown").Stdout; !strings.HasPrefix(md, "# Rollback plan: GuestOS") {
		t.Errorf("markdown plan:\n%s", md)
	}
	p, err := rollback.DecodePlan([]byte(mustRun(t, 0, "rollback", "plan", "--release", rel, "--format", "json").Stdout))
	if err != nil || len(p.Targets) != 1 || p.Targets[0].Subnet != failing || !p.Targets[0].Failing || p.Targets[0].RestoreWhy == "" {
		t.Fatalf("JSON plan (only the failing subnet, with why its version): %v %+v", err, p)
	}
	if len(p.Notes) == 0 || !strings.Contains(strings.Join(p.Notes, "\n"), "left alone") {
		t.Errorf("plan does not name the healthy subnets it leaves alone: %v", p.Notes)
	}
	var env jsonout.RollbackPlan
	if err := json.Unmarshal([]byte(mustRun(t, 0, "rollback", "plan", "--release", rel, "--json").Stdout), &env); err != nil ||
		env.SchemaVersion == 0 || len(env.Plan.Steps) != len(p.Steps) {
		t.Fatalf("--json plan envelope: %v %+v", err, env)
	}

	// The proposals execute at once, but the replicas switch only after
	// the upgrade delay: until then the rollback is in progress.
	before := proposalCount(n)
	checkNoConfirm(t, mustRun(t, ExitUsage, "rollback", "submit", "--release", rel), []string{"rollback", "submit"})
	if after := proposalCount(n); after != before {
		t.Fatalf("rollback submit without --yes made %d proposal(s)", after-before)
	}
	out := mustRun(t, 0, "rollback", "submit", "--release", rel, "--yes").Stdout
	if !strings.Contains(out, "Rollback of "+patchVersion+": in progress") || !strings.Contains(out, "… 2. deploy     "+failing) {
		t.Fatalf("submit output:\n%s", out)
	}
	// The target waits for its version (the replicas upgrade): a wait, not ✗.
	if st := mustRun(t, 0, "rollback", "status", "--release", rel).Stdout; !strings.Contains(st, "executed; waiting for: subnet "+failing+" runs") ||
		!strings.Contains(st, "Targets on their restored versions: 0 of 1 healthy\n  … "+failing) || !strings.Contains(st, "… version: upgrading:") || strings.Contains(st, "✗") {
		t.Fatalf("status before the replicas switched:\n%s", st)
	}
	// status --watch refreshes until the replicas switched back.
	// The clock advances only once the watch printed the in-progress state.
	watch := make(chan cliResult, 1)
	seen := newSignalWriter(": in progress")
	go func() {
		watch <- runCLIWith(t, &IOStreams{In: &bytes.Buffer{}, Out: seen, ErrOut: &bytes.Buffer{}},
			"rollback", "status", "--release", rel, "--watch", "--interval", "50ms")
	}()
	select {
	case <-seen.found:
	case w := <-watch:
		t.Fatalf("status --watch ended before printing the rollback in progress: exit %d\n%s", w.Code, w.Stdout)
	}
	if _, err := n.Advance(30 * time.Minute); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-watch:
		if w.Code != 0 || !strings.Contains(w.Stdout, ": in progress") || !strings.Contains(w.Stdout, "Rollback of "+patchVersion+": done") ||
			!strings.Contains(w.Stdout, "1 of 1 healthy\n  ✓ "+failing) {
			t.Fatalf("status --watch: exit %d\n%s\n%s", w.Code, w.Stdout, w.Stderr)
		}
	case <-time.After(time.Minute):
		t.Fatal("status --watch did not end once the rollback was done")
	}
	mustRun(t, ExitUsage, "rollback", "status", "--release", rel, "--interval", "1s")
	before = proposalCount(n)
	if r := mustRun(t, 0, "rollback", "submit", "--release", rel, "--yes", "--to", patchVersion); !strings.Contains(r.Stderr, "note: resuming the plan in") {
		t.Errorf("a resumed submit with plan flags says nothing:\n%s", r.Stderr)
	}
	other := strings.Repeat("f", 40)
	if r := mustRun(t, ExitUsage, "rollback", "submit", "--version", other, "--state", filepath.Join(rel, "rollback.json"), "--yes"); !strings.Contains(r.Stderr, "holds the rollback of GuestOS "+patchVersion+", not "+other) {
		t.Errorf("submit on another version's state file:\n%s", r.Stderr)
	}
	if after := proposalCount(n); after != before {
		t.Fatalf("a second submit made %d proposal(s)", after-before)
	}
	var doc jsonout.RollbackStatus
	if err := json.Unmarshal([]byte(mustRun(t, 0, "rollback", "status", "--release", rel, "--json").Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, s := range doc.Status.Steps {
		if s.Proposal != 0 {
			ids = append(ids, s.Proposal)
		}
	}
	if !doc.Status.Done || len(ids) != 1 { // only the failing subnet: the healthy one is left alone
		t.Fatalf("status: done=%v proposals=%v", doc.Status.Done, ids)
	}
	if len(doc.Status.Targets) != 1 || doc.Status.Targets[0].Subnet != failing || doc.Status.Targets[0].State() != rollback.CheckOK {
		t.Fatalf("status --json targets: %+v", doc.Status.Targets)
	}
	// The plan halted the rollout (not abandoned the release): advance
	// refuses until the halt is lifted.
	if r := mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes"); !strings.Contains(r.Stderr, "rollout is halted") {
		t.Errorf("advance after the rollback:\n%s", r.Stderr)
	}
	if l, err := (rollout.Store{Dir: rel}).Read(); err != nil || l.Halted == nil || l.Abandoned != nil || !strings.HasPrefix(l.Halted.Reason, "rollback: subnet "+failing) {
		t.Fatalf("ledger after the rollback: %v halted=%+v abandoned=%+v", err, l.Halted, l.Abandoned)
	}
	if log := mustRun(t, 0, "release", "log", rel).Stdout; !strings.Contains(log, "rollback") || !strings.Contains(log, "rollout halted: rollback:") {
		t.Errorf("release log lacks the rollback or the halt:\n%s", log)
	}
}

func TestRollbackUsageAndRefusals(t *testing.T) {
	releaseNet(t)
	mustRun(t, ExitUsage, "rollback", "plan")
	mustRun(t, ExitUsage, "rollback", "plan", "--release", "x", "--version", "y")
	mustRun(t, ExitUsage, "rollback", "plan", "--version", patchVersion, "--format", "html")
	r := mustRun(t, ExitRefused, "rollback", "plan", "--version", patchVersion)
	if !strings.Contains(r.Stderr, "nothing runs the version") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
	if r := mustRun(t, ExitUsage, "rollback", "plan", "--version", patchVersion, "--failing", "aaaaa-aa"); !strings.Contains(r.Stderr, "--failing: failing subnet aaaaa-aa is not in the registry") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
	mustRun(t, ExitError, "rollback", "status", "--state", t.TempDir()+"/none.json")
}

func proposalCount(n *localnet.Network) int {
	total := 0
	for _, c := range n.Governance().StatusCounts() {
		total += c
	}
	return total
}

// TestRollbackNoTargetHint checks through real commands that the hint
// asks for --to only when --to was not given.
func TestRollbackNoTargetHint(t *testing.T) {
	n := releaseNet(t)
	v := n.Topology().Subnets[0].Version
	r := mustRun(t, ExitRefused, "rollback", "plan", "--version", v)
	if h := hintLine(t, r.Stderr); !strings.Contains(h, "--all-targets") {
		t.Errorf("no failure detected: hint = %q, want one naming --all-targets", h)
	}
	r = mustRun(t, ExitRefused, "rollback", "plan", "--version", v, "--all-targets")
	if h := hintLine(t, r.Stderr); !strings.Contains(h, "pass --to VERSION") {
		t.Errorf("without --to: hint = %q, want one asking for --to VERSION", h)
	}
	r = mustRun(t, ExitRefused, "rollback", "plan", "--version", v, "--to", v, "--all-targets")
	h := hintLine(t, r.Stderr)
	if strings.Contains(h, "pass --to VERSION to name") || !strings.Contains(h, "--to "+v+" cannot be restored") {
		t.Errorf("with --to: hint = %q, want one about the version given", h)
	}
}
