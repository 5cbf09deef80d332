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

// fakeTracker returns a status, counts advances and plans, and records
// halts, resumes and disclosures in the status it returns afterwards.
type fakeTracker struct {
	st       *rollout.Status
	advances int
	plans    int
	wait     bool
	reasons  []string
}

func (f *fakeTracker) PlanRelease(ctx context.Context, _ rollout.PlanRequest) (*rollout.Planned, error) {
	f.plans++
	return &rollout.Planned{Kind: rollout.ReleaseGuestOS, Plan: &rollout.Plan{Batches: make([]rollout.Batch, 3)}, Stored: true}, nil
}

func (f *fakeTracker) Halt(ctx context.Context, reason, actor string) error {
	f.reasons = append(f.reasons, "halt: "+reason)
	f.st.Halted, f.st.State = &rollout.Halt{At: f.st.Now, By: "2zedg-uv7ud", Reason: reason}, rollout.RolloutHalted
	return nil
}

func (f *fakeTracker) Resume(ctx context.Context, reason, actor string) error {
	if f.st.Halted == nil {
		return rollout.ErrNotHalted
	}
	f.reasons = append(f.reasons, "resume: "+reason)
	f.st.Halted, f.st.State = nil, rollout.RolloutUpgrading
	return nil
}

func (f *fakeTracker) Disclose(ctx context.Context, url string, force bool, reason string) (*rollout.Disclosure, error) {
	f.st.Disclosure = &rollout.Disclosure{At: f.st.Now, SourceURL: url}
	return f.st.Disclosure, nil
}

func (f *fakeTracker) Look(ctx context.Context) (*rollout.View, error) {
	return &rollout.View{Kind: rollout.ReleaseGuestOS, GuestOS: f.st}, nil
}

func (f *fakeTracker) AdvanceRelease(ctx context.Context) (*rollout.Advanced, error) {
	f.advances++
	if f.wait {
		return nil, &rollout.WaitError{Reasons: []string{"batch 2 starts at 14:00"}}
	}
	return &rollout.Advanced{View: &rollout.View{Kind: rollout.ReleaseGuestOS, GuestOS: f.st}, Submitted: []rollout.Submitted{{Kind: rollout.KindDeploy, Subnet: "io67a-2jmkw", Proposal: 1077}}}, nil
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
		rs = append(rs, Release{Name: []string{"2026-11-patch", "2026-10-patch"}[i], Tracker: tr, Neuron: 80})
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

// ready is a rollout whose batch 2 is due now: batch 1 is complete and
// batch 2's start has passed.
func ready() *rollout.Status {
	now := tuitest.Now
	return &rollout.Status{Version: tuitest.ElectVersion, Mode: "security", Now: now, State: rollout.RolloutUpgrading,
		Election: rollout.ElectionStatus{Proposal: 1041, Status: "executed", Tally: governance.Tally{Yes: 60, Total: 100}},
		Batches: []rollout.BatchStatus{
			{Batch: 1, Start: now.Add(-3 * time.Hour), State: rollout.StateComplete, Subnets: []rollout.SubnetStatus{
				{Subnet: "io67a-2jmkw-zup3h", State: rollout.StateComplete, Proposal: 1050, Checks: []health.Check{{Name: "finalizing", OK: true}}}}},
			{Batch: 2, Start: now.Add(-time.Minute), State: rollout.StatePending, Subnets: []rollout.SubnetStatus{
				{Subnet: "shefu-t3kr5-t5q3w", State: rollout.StatePending, Detail: "no deploy proposal yet"},
				{Subnet: "uzr34-akd3s-xrdag", State: rollout.StatePending, Detail: "no deploy proposal yet"}}},
			{Batch: 3, Start: now.Add(2 * time.Hour), State: rollout.StatePending, Subnets: []rollout.SubnetStatus{
				{Subnet: rollout.NNSSubnet, State: rollout.StatePending}}},
		},
		Next:     &rollout.NextBatch{Batch: 3, At: now.Add(2 * time.Hour), In: 2 * time.Hour},
		Blockers: []string{"batch 2 is pending: subnet shefu no deploy proposal yet"},
		Quiet:    rollout.QuietStatus{Days: 10, Targets: 5, Unpatched: []string{"a", "b", "c", "d"}},
	}
}

// TestReadyHeader: a batch that is simply due reads as the next action,
// now, with its key; never "(in due)", another batch's countdown or a
// "Blocked by" section.
func TestReadyHeader(t *testing.T) {
	p := newPage(t, &fakeTracker{st: ready()})
	out := p.View()
	for _, want := range []string{"Patched  1 of 5 targets", "Batch    2 of 3 · open", "Next     [a] now: advance batch 2: deploy to 2 subnets"} {
		if !strings.Contains(out, want) {
			t.Errorf("header lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"(in due)", "Blocked by", "Waiting on", "batch 3 at"} {
		if strings.Contains(out, bad) {
			t.Errorf("header shows %q:\n%s", bad, out)
		}
	}
	tuitest.Golden(t, out)
}

func TestAdvanceNeedsConfirmation(t *testing.T) {
	tr := &fakeTracker{st: ready()}
	p := newPage(t, tr)
	press(p, "a")
	out := flat(p.View())
	for _, want := range []string{"submit 2 DeployGuestosToAllSubnetNodes proposal(s) for batch 2", "shefu-t3kr5…", "uzr34-akd3s…", "neuron 80", "y confirm · n cancel"} {
		if !strings.Contains(out, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, out)
		}
	}
	press(p, "n")
	if tr.advances != 0 {
		t.Fatal("cancelled advance ran")
	}
	press(p, "a")
	msgs := press(p, "y")
	if tr.advances != 1 || len(msgs) == 0 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "submitted #1077") {
		t.Errorf("advances=%d msgs=%v", tr.advances, msgs)
	}
	tr.wait = true
	press(p, "a")
	msgs = press(p, "y")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "nothing to advance yet: batch 2 starts") {
		t.Errorf("wait: %v", msgs)
	}
}

// TestAdvanceNotDue: with nothing due the page says why and asks nothing.
func TestAdvanceNotDue(t *testing.T) {
	st := ready()
	st.Batches[1].Start = tuitest.Now.Add(time.Hour)
	st.Blockers = []string{"batch 2 starts at 13:00"}
	tr := &fakeTracker{st: st}
	p := newPage(t, tr)
	msgs := press(p, "a")
	if p.Capturing() || tr.advances != 0 || len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "nothing to advance yet: batch 2 starts") {
		t.Errorf("capturing=%v advances=%d msgs=%v", p.Capturing(), tr.advances, msgs)
	}
	if out := p.View(); !strings.Contains(out, "Next     [a] advance batch 2: deploy to 2 subnets · in 1h00m (11-20 13:00Z)") {
		t.Errorf("timed next action:\n%s", out)
	}
}

// flat joins the rows of a view, so a wrapped confirmation reads whole.
func flat(out string) string { return strings.ReplaceAll(out, "\n", " ") }

func typeText(p *Page, s string) {
	for _, r := range s {
		p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func enter(p *Page) []tea.Msg {
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	return run(p, cmd)
}

// TestHaltResumeDisclose: each asks for its text, confirms naming it, and
// reports what the status read afterwards says.
func TestHaltResumeDisclose(t *testing.T) {
	tr := &fakeTracker{st: ready()}
	p := newPage(t, tr)
	press(p, "H")
	typeText(p, "subnet uzr34 stalled")
	enter(p)
	if out := flat(p.View()); !strings.Contains(out, `Halt the rollout of 2026-11-patch? Recorded in this release`) || !strings.Contains(out, `"subnet uzr34 stalled"`) {
		t.Fatalf("halt confirmation:\n%s", out)
	}
	msgs := press(p, "y")
	if len(tr.reasons) != 1 || len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "halted in this release directory; next: resume") {
		t.Fatalf("halt: %v %v", tr.reasons, msgs)
	}
	press(p, "R")
	if msgs := enter(p); len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "reason is required") {
		t.Errorf("empty reason: %v", msgs)
	}
	typeText(p, "patched")
	enter(p)
	msgs = press(p, "y")
	if len(tr.reasons) != 2 || len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "resumed; next: advance") {
		t.Fatalf("resume: %v %v", tr.reasons, msgs)
	}
	press(p, "D")
	typeText(p, "https://github.com/dfinity/ic/tree/x")
	enter(p)
	if out := flat(p.View()); !strings.Contains(out, "source published at https://github.com/dfinity/ic/tree/x") {
		t.Fatalf("disclose confirmation:\n%s", out)
	}
	msgs = press(p, "y")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "disclosure of 2026-11-patch recorded") {
		t.Fatalf("disclose: %v", msgs)
	}
	if msgs := press(p, "D"); len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "recorded already") {
		t.Errorf("second disclose: %v", msgs)
	}
}

func TestPlanRollout(t *testing.T) {
	tr := &fakeTracker{st: ready()}
	p := newPage(t, tr)
	press(p, "P")
	if out := flat(p.View()); !strings.Contains(out, "Plan the rollout of 2026-11-patch from the live registry") || !strings.Contains(out, "Nothing is submitted to governance") {
		t.Fatalf("plan confirmation:\n%s", out)
	}
	msgs := press(p, "y")
	if tr.plans != 1 || len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "planned 2026-11-patch: 3 batches") {
		t.Errorf("plans=%d msgs=%v", tr.plans, msgs)
	}
}

// TestMainnetNeedsTheWord: on mainnet "y" does not act; "mainnet" typed
// out and enter does.
func TestMainnetNeedsTheWord(t *testing.T) {
	tr := &fakeTracker{st: ready()}
	p := newPage(t, tr)
	p.SetMainnet(true)
	press(p, "a")
	if out := p.View(); !strings.Contains(out, "MAINNET") || !strings.Contains(out, `type "mainnet"`) {
		t.Fatalf("mainnet confirmation:\n%s", out)
	}
	press(p, "y")
	if msgs := enter(p); tr.advances != 0 || len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "not confirmed") {
		t.Fatalf("y on mainnet: advances=%d %v", tr.advances, msgs)
	}
	press(p, "a")
	typeText(p, "mainnet")
	enter(p)
	if tr.advances != 1 {
		t.Errorf("typed mainnet: advances=%d", tr.advances)
	}
}

// TestProposalOpensInDetail: enter opens the highlighted proposal; j moves
// to the next one shown.
func TestProposalOpensInDetail(t *testing.T) {
	p := newPage(t, &fakeTracker{st: upgrading()})
	open := func() uint64 {
		_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
		m, ok := cmd().(common.OpenProposalMsg)
		if !ok {
			t.Fatalf("enter gave %T", cmd())
		}
		return m.ID
	}
	if id := open(); id != 1041 {
		t.Errorf("first proposal %d, want the election 1041", id)
	}
	press(p, "j")
	if id := open(); id != 1050 {
		t.Errorf("second proposal %d, want 1050", id)
	}
	if out := p.View(); !strings.Contains(out, "▶   ✓ io67a-2jmkw") {
		t.Errorf("cursor not shown:\n%s", out)
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
