package main

import (
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
)

// TestTUIHostOSReleaseInTmux runs the real binary in tmux as a release
// manager of a HostOS patch: the Releases page shows the stages, `a`
// names the DeployHostosToSomeNodes proposal of canary batch 1 and submits
// it after y; the canary node goes down on the patch (the local network's
// fault), the page names it with the stage over its tolerance, and the
// Rollback page plans and submits the HostOS rollback that moves the node
// back to its previous HostOS version.
func TestTUIHostOSReleaseInTmux(t *testing.T) {
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
	s := startTUI(t, "hostos", "--refresh", "2s", "--release", rel)
	s.run("send-keys", "-t", "tui", "4")
	s.waitScreen("Stages")
	s.waitScreen("canary · pending")
	s.run("send-keys", "-t", "tui", "a")
	s.waitScreen("DeployHostosToSomeNodes")
	s.run("send-keys", "-t", "tui", "y")
	scr := s.waitScreen("over the stage's tolerance")
	if !strings.Contains(scr, "node "+canary[:5]) {
		t.Errorf("the Releases page does not name the canary node %s:\n%s", canary, scr)
	}
	s.run("send-keys", "-t", "tui", "5")
	s.run("send-keys", "-t", "tui", "p")
	scr = s.waitScreen("1. halt the rollout")
	if !strings.Contains(scr, "HostOS") {
		t.Errorf("the Rollback page's plan is not a HostOS rollback:\n%s", scr)
	}
	s.run("send-keys", "-t", "tui", "s")
	s.waitScreen("y confirm")
	s.run("send-keys", "-t", "tui", "y")
	s.waitScreen("every step's expected state holds")
	prev := l.HostOS.Previous[canary]
	for _, nd := range n.Nodes() {
		if nd.ID == canary && (nd.HostOSVersion != prev || !nd.Up) {
			t.Fatalf("canary after the rollback from the TUI: %+v; want up on %s", nd, prev)
		}
	}
}
