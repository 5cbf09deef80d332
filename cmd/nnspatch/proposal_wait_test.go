package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
)

// startWait runs `proposal wait` in the background and returns once it has
// read the proposal and reported that it is waiting; the channel yields its
// result when it ends.
func startWait(t *testing.T, flags []string, args ...string) (<-chan cliResult, *signalWriter) {
	t.Helper()
	out, errOut := newSignalWriter("\n"), newSignalWriter("Waiting for proposal")
	ios := &IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}
	done := make(chan cliResult, 1)
	go func() {
		code := Main(append(append([]string{"proposal", "wait"}, args...), flags...), ios)
		done <- cliResult{Stdout: out.String(), Stderr: errOut.String(), Code: ExitCode(code)}
	}()
	select {
	case <-errOut.found:
	case r := <-done:
		t.Fatalf("proposal wait ended before waiting: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	return done, errOut
}

// advance moves the local network's clock.
func advance(t *testing.T, n *localnet.Network, d time.Duration) {
	t.Helper()
	if _, err := n.Advance(d); err != nil {
		t.Fatal(err)
	}
}

// TestProposalWaitBlocksUntilAdopted waits on an open motion with enough
// yes votes for the quorum: the wait only ends once the deadline passes on
// the network's clock and governance adopts it, with exit 0.
func TestProposalWaitBlocksUntilAdopted(t *testing.T) {
	n, flags := cliNet(t)
	id := submitMotion(t, flags, "wait for me")
	if r := run(t, flags, "vote", id, "yes", "--neuron", "80", "--yes"); r.Code != ExitOK {
		t.Fatalf("vote: %d %s", r.Code, r.Stderr)
	}
	done, _ := startWait(t, flags, id, "--interval", "5ms")
	select {
	case r := <-done:
		t.Fatalf("wait ended while the proposal was open: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	default:
	}
	advance(t, n, 5*24*time.Hour)
	r := <-done
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "proposal "+id+": ✓ executed") {
		t.Errorf("after the deadline: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestProposalWaitTimeout waits with a one-hour timeout: moving the
// network's clock two hours ends the wait with exit 8 while the proposal
// is still open.
func TestProposalWaitTimeout(t *testing.T) {
	n, flags := cliNet(t)
	id := submitMotion(t, flags, "time me out")
	done, errOut := startWait(t, flags, id, "--timeout", "1h", "--interval", "5ms", "--json")
	if !strings.Contains(errOut.String(), "by the network's clock") {
		t.Errorf("progress line: %s", errOut.String())
	}
	advance(t, n, 2*time.Hour)
	r := <-done
	var doc jsonout.ProposalWait
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("wait --json: %v\n%s", err, r.Stdout)
	}
	if r.Code != ExitPending || !doc.TimedOut || doc.Decided || doc.Status != "open" || doc.SchemaVersion != 1 {
		t.Errorf("timeout: exit %d, document %+v\n%s", r.Code, doc, r.Stderr)
	}
}

// TestProposalWaitDecided waits on proposals that are already decided:
// rejected (the proposer's 0.4% of the voting power misses the 3% quorum)
// exits 9, an adopted election exits 0, both at once.
func TestProposalWaitDecided(t *testing.T) {
	n, flags := cliNet(t)
	rejected := submitMotion(t, flags, "too few votes")
	advance(t, n, 5*24*time.Hour)
	r := run(t, flags, "proposal", "wait", rejected)
	if r.Code != ExitRefused || !strings.Contains(r.Stdout, "✗ rejected") || !strings.Contains(r.Stderr, "was rejected") {
		t.Errorf("rejected: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = run(t, flags, "proposal", "submit", writeElectDraft(t, "7777777777777777777777777777777777777777"), "--neuron", "80", "--yes")
	if r.Code != ExitOK {
		t.Fatalf("submit: %d %s", r.Code, r.Stderr)
	}
	r = run(t, flags, "proposal", "wait", strings.TrimSpace(r.Stdout), "--timeout", "1m", "--json")
	var doc jsonout.ProposalWait
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || r.Code != ExitOK || !doc.Decided || doc.TimedOut {
		t.Errorf("adopted election: exit %d %v\n%s%s", r.Code, err, r.Stdout, r.Stderr)
	}
	if r := run(t, flags, "proposal", "wait", rejected, "--interval", "0s"); r.Code != ExitUsage {
		t.Errorf("--interval 0: exit %d", r.Code)
	}
}
