package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
)

// TestRolloutHaltAndResume: a halted rollout's advance exits 9 naming the
// reason and the resume command and submits nothing; status shows the
// halt (text and JSON) and exits 9; resume lifts it and advance submits.
func TestRolloutHaltAndResume(t *testing.T) {
	releaseNet(t)
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "10", "--bake", "30m")
	mustRun(t, ExitUsage, "rollout", "halt", rel, "--yes")
	r := mustRun(t, ExitRefused, "rollout", "resume", rel, "--reason", "nothing to resume", "--yes")
	if !strings.Contains(r.Stderr, "not halted") {
		t.Errorf("resume of a running rollout:\n%s", r.Stderr)
	}
	mustRun(t, 0, "rollout", "halt", rel, "--reason", "alerts on tdb26; investigating", "--yes")

	r = mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes")
	for _, want := range []string{"rollout is halted", "alerts on tdb26; investigating", "nnspatch rollout resume " + rel + " --reason"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("advance while halted lacks %q:\n%s", want, r.Stderr)
		}
	}
	if l, err := (rollout.Store{Dir: rel}).Read(); err != nil || len(l.ProposalsFor(rollout.KindDeploy, rollout.SigningSubnet)) != 0 {
		t.Fatalf("a halted advance recorded deploys: %v", err)
	}
	r = mustRun(t, ExitRefused, "rollout", "status", rel)
	if !strings.Contains(r.Stdout, "state: halted") || !strings.Contains(r.Stdout, "Halted (local: this release directory only) since") || !strings.Contains(r.Stdout, "(otherwise upgrading_subnets)") {
		t.Errorf("status while halted:\n%s", r.Stdout)
	}
	st := statusJSON(t, mustRun(t, ExitRefused, "rollout", "status", rel, "--json").Stdout)
	if st.State != rollout.RolloutHalted || st.Halted == nil || st.Halted.Reason != "alerts on tdb26; investigating" || st.HaltSource != rollout.HaltLocal {
		t.Errorf("status JSON while halted: state %s, halt %+v", st.State, st.Halted)
	}

	r = mustRun(t, 0, "rollout", "resume", rel, "--reason", "false alarm", "--yes", "--json")
	var doc struct {
		Halted *rollout.Halt `json:"halted"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || doc.Halted != nil {
		t.Errorf("resume JSON %q: %v", r.Stdout, err)
	}
	if r := mustRun(t, 0, "rollout", "advance", rel, "--yes"); strings.TrimSpace(r.Stdout) == "" {
		t.Error("advance after resume submitted nothing")
	}
	log := mustRun(t, 0, "release", "log", rel).Stdout
	for _, want := range []string{"  halt ", "  resume ", "false alarm"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, log)
		}
	}
}

// TestRolloutResumeAfterRollback releases a patch that stalls a subnet of
// batch 1, rolls batch 1 back through the CLI, resumes the rollout and
// advances: nothing is proposed to the rolled-back subnets (also with
// --retry-failed-proposals), advance exits 9 naming them, and status
// shows each as rolled_back with the rollback's proposal and what
// unblocks it. --redeploy-rolled-back proposes them again and records the
// override.
func TestRolloutResumeAfterRollback(t *testing.T) {
	n := releaseNet(t)
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "2", "--bake", "15m")
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	batch1 := l.Plan.Batches[0].Subnets
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Subnets: []string{batch1[0]}}); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "rollout", "advance", rel, "--yes")
	if _, err := n.Advance(20 * time.Minute); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ExitRefused, "rollout", "status", rel)
	mustRun(t, 0, "rollback", "submit", "--release", rel, "--all-targets", "--yes")
	if _, err := n.Advance(30 * time.Minute); err != nil {
		t.Fatal(err)
	}
	// Finalization on the restored version needs two heights: one status
	// sees the first, the next (a minute on) sees it grow.
	mustRun(t, 0, "rollback", "status", "--release", rel)
	if _, err := n.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	var rb jsonout.RollbackStatus
	if err := json.Unmarshal([]byte(mustRun(t, 0, "rollback", "status", "--release", rel, "--json").Stdout), &rb); err != nil || !rb.Status.Done {
		t.Fatalf("rollback not done: %v %+v", err, rb.Status)
	}
	rollbackOf := map[string]uint64{}
	for _, s := range rb.Status.Steps {
		if s.Subnet != "" {
			rollbackOf[s.Subnet] = s.Proposal
		}
	}
	if len(rollbackOf) != len(batch1) {
		t.Fatalf("rollback deployed to %v; want every subnet of batch 1 %v", rollbackOf, batch1)
	}
	mustRun(t, 0, "rollout", "resume", rel, "--reason", "rollback done; batch 1 healthy on the old version", "--yes")

	before := proposalCount(n)
	deploys := len(mustReadLedger(t, rel).Proposals)
	r := mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes")
	for _, sub := range batch1 {
		if want := "subnet " + sub + " was rolled back to "; !strings.Contains(r.Stderr, want) {
			t.Errorf("advance after the rollback lacks %q:\n%s", want, r.Stderr)
		}
		if want := fmt.Sprintf(" by proposal %d", rollbackOf[sub]); !strings.Contains(r.Stderr, want) {
			t.Errorf("advance after the rollback does not name the rollback's proposal %q:\n%s", want, r.Stderr)
		}
	}
	if want := "nnspatch rollout advance " + rel + " --redeploy-rolled-back"; !strings.Contains(r.Stderr, want) {
		t.Errorf("advance after the rollback does not say how to re-deploy (%q):\n%s", want, r.Stderr)
	}
	mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes", "--retry-failed-proposals")
	if got := proposalCount(n); got != before {
		t.Fatalf("advance after the rollback made %d proposal(s)", got-before)
	}
	if got := len(mustReadLedger(t, rel).Proposals); got != deploys {
		t.Fatalf("advance after the rollback recorded %d submission(s)", got-deploys)
	}

	out := mustRun(t, ExitRefused, "rollout", "status", rel).Stdout
	for _, want := range []string{"state: rolled_back", "Batch 1 ", "↩ rolled_back", "re-deploying the version needs `nnspatch rollout advance " + rel + " --redeploy-rolled-back`"} {
		if !strings.Contains(out, want) {
			t.Errorf("status after the rollback lacks %q:\n%s", want, out)
		}
	}
	st := statusJSON(t, mustRun(t, ExitRefused, "rollout", "status", rel, "--json").Stdout)
	for _, s := range st.Batches[0].Subnets {
		if s.State != rollout.StateRolledBack || s.RolledBack == nil || s.RolledBack.ID != rollbackOf[s.Subnet] ||
			!strings.Contains(s.Detail, fmt.Sprintf("rolled back to %s by proposal %d", s.RolledBack.Version[:10], s.RolledBack.ID)) {
			t.Errorf("subnet %s after the rollback: %s %q %+v", s.Subnet, s.State, s.Detail, s.RolledBack)
		}
	}
	if st.State != rollout.RolloutRolledBack || st.Batches[0].State != rollout.StateRolledBack || st.Batches[1].State != rollout.StatePending {
		t.Errorf("status after the rollback: rollout %s, batches %s %s", st.State, st.Batches[0].State, st.Batches[1].State)
	}

	// The override: the fault is gone, the version is proposed again to
	// exactly the rolled-back subnets, and the override is audited.
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Clear: true}); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, 0, "rollout", "advance", rel, "--yes", "--redeploy-rolled-back", "--json")
	var adv jsonout.Submitted
	if err := json.Unmarshal([]byte(r.Stdout), &adv); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range adv.Submitted {
		got = append(got, s.Subnet)
	}
	if diff := cmp.Diff(batch1, got); diff != "" {
		t.Errorf("re-deployed to (-want +got):\n%s", diff)
	}
	if st := statusJSON(t, mustRun(t, 0, "rollout", "status", rel, "--json").Stdout); st.Batches[0].State == rollout.StateRolledBack {
		t.Errorf("batch 1 still rolled back after the re-deploy: %+v", st.Batches[0])
	}
	if log := mustRun(t, 0, "release", "log", rel).Stdout; strings.Count(log, "re-deploying "+patchVersion[:10]+" (--redeploy-rolled-back)") != len(batch1) {
		t.Errorf("audit log lacks one override per re-deployed subnet:\n%s", log)
	}
}

func mustReadLedger(t *testing.T, rel string) *rollout.Ledger {
	t.Helper()
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	return l
}
