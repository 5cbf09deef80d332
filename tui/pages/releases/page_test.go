package releases

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

func TestMain(m *testing.M) {
	tuitest.NoColor()
	os.Exit(m.Run())
}

// fakeTracker returns a fixed status and counts advances.
type fakeTracker struct {
	st       *rollout.Status
	advances int
	wait     bool
}

func (f *fakeTracker) Status(ctx context.Context) (*rollout.Status, error) { return f.st, nil }

func (f *fakeTracker) Advance(ctx context.Context) (*rollout.AdvanceResult, error) {
	f.advances++
	if f.wait {
		return nil, &rollout.WaitError{Reasons: []string{"batch 2 starts at 14:00"}}
	}
	return &rollout.AdvanceResult{Status: f.st, Submitted: []rollout.Submitted{{Kind: rollout.KindDeploy, Subnet: "io67a-2jmkw", Proposal: 1077}}}, nil
}

func upgrading() *rollout.Status {
	now := tuitest.Now
	return &rollout.Status{Version: tuitest.ElectVersion, Mode: "security", Now: now, State: rollout.RolloutUpgrading,
		Election: rollout.ElectionStatus{Proposal: 1041, Status: "executed", Tally: governance.Tally{Yes: 60, Total: 100}},
		Batches: []rollout.BatchStatus{
			{Batch: 1, Start: now.Add(-3 * time.Hour), State: rollout.StateComplete, Subnets: []rollout.SubnetStatus{
				{Subnet: "io67a-2jmkw-zup3h", State: rollout.StateComplete, Proposal: 1050, Checks: []health.Check{{Name: "finalizing", OK: true}}}}},
			{Batch: 2, Start: now.Add(-time.Hour), State: rollout.StateBaking, Subnets: []rollout.SubnetStatus{
				{Subnet: "shefu-t3kr5-t5q3w", State: rollout.StateBaking, Proposal: 1051, BakeLeft: 9 * time.Minute, Checks: []health.Check{{Name: "finalizing", OK: true}}},
				{Subnet: "uzr34-akd3s-xrdag", State: rollout.StateFailed, Proposal: 1052, FailedCheck: "alerts", Detail: "alert IC_Replica_Behind firing",
					Checks: []health.Check{{Name: "alerts", OK: false}}}}},
			{Batch: 3, Start: now.Add(2 * time.Hour), State: rollout.StatePending, Subnets: []rollout.SubnetStatus{
				{Subnet: rollout.NNSSubnet, State: rollout.StatePending}}},
		},
		Next:     &rollout.NextBatch{Batch: 3, At: now.Add(2 * time.Hour), In: 2 * time.Hour},
		Blockers: []string{"subnet uzr34: alerts failed: IC_Replica_Behind firing"},
		Quiet:    rollout.QuietStatus{Days: 10},
	}
}

func newPage(t *testing.T, trs ...*fakeTracker) *Page {
	t.Helper()
	var rs []Release
	for i, tr := range trs {
		rs = append(rs, Release{Name: []string{"2026-11-patch", "2026-10-patch"}[i], Tracker: tr})
	}
	p := New(tuitest.Common(), rs)
	p.SetSize(80, 21)
	run(p, p.Init())
	return p
}

func run(p *Page, cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	switch m := msg.(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, run(p, c)...)
		}
		return out
	case common.ErrorMsg, common.StatusMsg:
		return []tea.Msg{m}
	case nil:
		return nil
	}
	_, next := p.Update(msg)
	return run(p, next)
}

func press(p *Page, s string) []tea.Msg {
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
	return run(p, cmd)
}

func TestView(t *testing.T) {
	t.Run("upgrading", func(t *testing.T) {
		tuitest.Golden(t, newPage(t, &fakeTracker{st: upgrading()}, &fakeTracker{st: upgrading()}).View())
	})
	t.Run("quiet", func(t *testing.T) {
		st := upgrading()
		st.State, st.Blockers, st.Next, st.Batches = rollout.RolloutComplete, nil, nil, st.Batches[:1]
		st.Quiet = rollout.QuietStatus{Started: true, Start: tuitest.Now.Add(-2 * 24 * time.Hour), End: tuitest.Now.Add(8 * 24 * time.Hour), Day: 3, Days: 10}
		p := newPage(t, &fakeTracker{st: st})
		if end, ok := p.DisclosureDue(tuitest.ElectVersion); !ok || !end.Equal(st.Quiet.End) {
			t.Errorf("DisclosureDue = %v %v", end, ok)
		}
		tuitest.Golden(t, p.View())
	})
	t.Run("halted", func(t *testing.T) {
		st := upgrading()
		st.State, st.Underlying, st.Next = rollout.RolloutHalted, rollout.RolloutUpgrading, nil
		st.Halted = &rollout.Halt{At: tuitest.Now.Add(-10 * time.Minute), By: "2zedg-uv7ud-mqjkz-sy6k5", Reason: "rollback: subnet uzr34 stalled\x1b[2J"}
		p := newPage(t, &fakeTracker{st: st})
		out := p.View()
		if !strings.Contains(out, "‖ halted") || !strings.Contains(out, "rollout resume") || strings.Contains(out, "\x1b") {
			t.Errorf("halt not shown (or not sanitized):\n%s", out)
		}
		tuitest.Golden(t, out)
	})
	t.Run("none", func(t *testing.T) {
		p := New(tuitest.Common(), nil)
		p.SetSize(80, 21)
		tuitest.Golden(t, p.View())
	})
}

func TestAdvanceNeedsConfirmation(t *testing.T) {
	tr := &fakeTracker{st: upgrading()}
	p := newPage(t, tr)
	press(p, "a")
	if !strings.Contains(p.View(), "y confirm · n cancel") {
		t.Fatalf("no confirmation:\n%s", p.View())
	}
	press(p, "n")
	if tr.advances != 0 {
		t.Fatal("cancelled advance ran")
	}
	press(p, "a")
	msgs := press(p, "y")
	if tr.advances != 1 || len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "submitted #1077") {
		t.Errorf("advances=%d msgs=%v", tr.advances, msgs)
	}
	tr.wait = true
	press(p, "a")
	msgs = press(p, "y")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "nothing to advance yet: batch 2 starts") {
		t.Errorf("wait: %v", msgs)
	}
}

// TestStateWord: every final or stopped rollout state carries a symbol, so
// its meaning never rests on colour alone.
func TestStateWord(t *testing.T) {
	for s, want := range map[rollout.RolloutState]string{
		rollout.RolloutComplete:   "✓ complete",
		rollout.RolloutFailed:     "✗ failed",
		rollout.RolloutHalted:     "‖ halted",
		rollout.RolloutRolledBack: "↩ rolled_back",
		rollout.RolloutUpgrading:  "… upgrading_subnets",
	} {
		if got := stateWord(s); got != want {
			t.Errorf("stateWord(%s) = %q, want %q", s, got, want)
		}
	}
}
