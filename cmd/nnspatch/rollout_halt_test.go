package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/rollout"
)

// TestRolloutHaltAndResume: a halted rollout's advance exits 9 naming the
// reason and the resume command and submits nothing; status shows the
// halt (text and JSON) and exits 9; resume lifts it and advance submits.
func TestRolloutHaltAndResume(t *testing.T) {
	releaseNet(t)
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--batch-size", "10", "--bake", "30m")
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
	if !strings.Contains(r.Stdout, "state: halted") || !strings.Contains(r.Stdout, "Halted: since") || !strings.Contains(r.Stdout, "(otherwise upgrading_subnets)") {
		t.Errorf("status while halted:\n%s", r.Stdout)
	}
	st := statusJSON(t, mustRun(t, ExitRefused, "rollout", "status", rel, "--json").Stdout)
	if st.State != rollout.RolloutHalted || st.Halted == nil || st.Halted.Reason != "alerts on tdb26; investigating" {
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
