package main

import (
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
)

// TestTUIRollbackInTmux runs the real binary in tmux as a release manager
// during an incident: a release rolls out, the local network's fault
// injection stalls a batch-1 subnet on the patch, the Releases header names
// the failure and the next action, the rollback is planned, confirmed and
// submitted from the Rollback page, and the status line says what is true
// at each step: submitted and 1 target recovering, then recovered once the
// subnet runs its old version again and finalizes, never "complete" before.
func TestTUIRollbackInTmux(t *testing.T) {
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

	s := startTUI(t, "rollback", "--neuron", "80", "--refresh", "1s", "--release", rel)

	// The Releases header: the failure and what to do about it.
	s.run("send-keys", "-t", "tui", "4")
	s.waitScreen("✗ failed")
	scr := s.waitScreen("Next     [5,p] now: roll back or halt: subnet " + failing[:11])
	if !strings.Contains(scr, "✗ "+failing[:11]) {
		t.Errorf("the failed subnet is not marked:\n%s", scr)
	}

	// Plan, confirm and submit the rollback.
	s.run("send-keys", "-t", "tui", "5")
	s.waitScreen("No rollback under way")
	s.run("send-keys", "-t", "tui", "p")
	s.waitScreen("1. halt the rollout")
	s.run("send-keys", "-t", "tui", "s")
	s.waitScreen("y confirm · n cancel")
	s.run("send-keys", "-t", "tui", "y")
	scr = s.waitScreen("submitted, 1 target recovering")
	if strings.Contains(scr, "complete") || strings.Contains(scr, "recovered") {
		t.Errorf("the status line claims completion while the target recovers:\n%s", scr)
	}
	// The subnet returns to its old version at its next CUP: move the
	// network's clock on; the page follows on its refresh until the
	// target is healthy on the restored version.
	if _, err := n.Advance(30 * time.Minute); err != nil {
		t.Fatal(err)
	}
	scr = s.waitScreen("recovered: 1 of 1 targets healthy")
	if !strings.Contains(scr, "✓ done · targets healthy") {
		t.Errorf("recovered rollback not drawn:\n%s", scr)
	}

	// The Releases page now shows the halt the rollback recorded.
	s.run("send-keys", "-t", "tui", "4")
	s.waitScreen("‖ Halted")
	s.run("send-keys", "-t", "tui", "q")

	// The CLI reads the same state: the rollback done, the rollout halted.
	if st := mustRun(t, 0, "rollback", "status", "--release", rel).Stdout; !strings.Contains(st, "Rollback of "+patchVersion+": done") {
		t.Errorf("rollback status after the TUI's rollback:\n%s", st)
	}
	led, err := rollout.Store{Dir: rel}.Read()
	if err != nil || led.Halted == nil {
		t.Errorf("rollout not halted after the rollback (err %v)", err)
	}
}
