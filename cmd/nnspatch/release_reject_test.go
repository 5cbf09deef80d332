package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
)

// TestReleaseRejectedElection: an election proposed by a small neuron and
// voted down by neuron 80 (whom the big neurons follow) is rejected for
// real; release status shows the tally and the next steps with the release
// named, advance refuses (exit 9), and a re-drafted resubmission makes a
// new proposal that executes, all recorded in the audit log.
func TestReleaseRejectedElection(t *testing.T) {
	n := releaseNet(t)
	if _, err := n.Advance(48 * time.Hour); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rel := dir + "/rel"
	elect := []string{"--security", "--version", patchVersion, "--sha256", strings.Repeat("ab", 32), "--measurements-waiver", "lab build", "--forum-url", "https://forum.dfinity.org/t/security-patch/2"}
	mustRun(t, 0, append([]string{"release", "new", "--dir", rel}, elect...)...)
	if l, err := (rollout.Store{Dir: rel}).Read(); err != nil || l.Created.Sub(n.Now()).Abs() > time.Minute {
		t.Fatalf("release created %v on a network whose clock reads %s (%v)", l, n.Now(), err)
	}
	first := strings.TrimSpace(mustRun(t, 0, "release", "submit", rel, "--neuron", "81", "--yes").Stdout)
	mustRun(t, 0, "release", "vote", rel, "--vote", "no", "--neuron", "80", "--yes")

	r := mustRun(t, ExitRefused, "release", "status", rel)
	for _, want := range []string{"Election: rejected (proposal " + first + ", yes ", "no 6", "nnspatch release submit " + rel + "` (with --redraft FILE",
		"nnspatch release abandon " + rel + " --reason TEXT", "Blocked: election proposal " + first + " rejected"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("release status lacks %q:\n%s", want, r.Stdout)
		}
	}
	if st := statusJSON(t, mustRun(t, ExitRefused, "release", "status", rel, "--json").Stdout); st.State != rollout.RolloutElectFailed || st.Election.Tally.No == 0 {
		t.Errorf("status JSON: state %s, tally %+v", st.State, st.Election.Tally)
	}
	mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes")

	draft := dir + "/elect-v2.yaml"
	mustRun(t, 0, append([]string{"draft", "elect-guestos", "-o", draft, "--title", "Elect the security patch (second attempt)"}, elect...)...)
	second := strings.TrimSpace(mustRun(t, 0, "release", "submit", rel, "--redraft", draft, "--yes").Stdout)
	if second == first {
		t.Fatalf("resubmission returned the rejected proposal %s", first)
	}
	if st := statusJSON(t, mustRun(t, 0, "release", "status", rel, "--json").Stdout); st.Election.Status != "executed" || strconv.FormatUint(st.Election.Proposal, 10) != second {
		t.Errorf("after resubmission: election %+v, want proposal %s executed", st.Election, second)
	}
	log := mustRun(t, 0, "release", "log", rel).Stdout
	for _, want := range []string{"neuron 80 voted no on proposal " + first, "re-drafted the election", "as proposal " + second} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, log)
		}
	}
}
