package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is not installed; run scripts/setup-test.sh (or apt-get install -y tmux): %v", err)
	}
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
	dir := t.TempDir()
	bin := filepath.Join(dir, "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	s := tmuxSession{t: t, socket: fmt.Sprintf("nnspatch-hostos-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { s.run("kill-server") })
	stderr := filepath.Join(dir, "stderr")
	cmdline := strings.Join([]string{bin, "tui", "--network", "local", "--refresh", "2s", "--log-file", filepath.Join(dir, "tui.log"),
		"--release", rel, "2>" + stderr}, " ")
	if out, err := s.run("new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", "-e", "NO_COLOR=1", cmdline); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(stderr)
			t.Logf("stderr of nnspatch tui:\n%s", b)
		}
	})
	s.waitScreen("[1 Proposals]")
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
