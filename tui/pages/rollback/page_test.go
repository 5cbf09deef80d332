package rollback

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
	rb "github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

func TestMain(m *testing.M) {
	tuitest.NoColor()
	os.Exit(m.Run())
}

const (
	failing = "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"
	other   = "uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe"
	good    = "1111111111111111111111111111111111111111"
)

func fixturePlan() *rb.Plan {
	patch := tuitest.ElectVersion
	deploy := func(n int, subnet string) rb.Step {
		return rb.Step{N: n, Kind: rb.StepDeploy, Subnet: subnet, Version: good, From: patch, Why: "restore",
			Precondition: rb.Condition{Kind: rb.CondElected, Version: good, Text: "GuestOS " + good + " is elected"},
			Expect:       rb.Condition{Kind: rb.CondSubnetRuns, Subnet: subnet, Version: good, Text: "subnet " + subnet + " runs " + good + " again and finalizes"}}
	}
	return &rb.Plan{SchemaVersion: rb.PlanSchemaVersion, Release: patch, Mode: proposals.ModeSecurity, Created: tuitest.Now, RegistryVersion: 42,
		Problem: "subnet " + failing + " failed the finalizing check after its GuestOS update: \x1b[2Jno new block for 12m",
		Targets: []rb.Target{
			{Subnet: failing, Failing: true, Current: patch, Restore: good, UpgradedAt: 40, RestoreElected: true},
			{Subnet: other, Current: patch, Restore: good, UpgradedAt: 39, RestoreElected: true},
		},
		Steps: []rb.Step{
			{N: 1, Kind: rb.StepHalt, Why: "stop the rollout", Precondition: rb.Condition{Kind: rb.CondNone, Text: "none"},
				Expect: rb.Condition{Kind: rb.CondHalted, Text: "the release ledger records the halt; `rollout advance` refuses to continue"}},
			deploy(2, failing), deploy(3, other),
		}}
}

// fakeSource plays a rollback: each Submit moves the next pending step
// along (submitted, then done).
type fakeSource struct {
	plan     *rb.Plan
	started  *rb.Plan
	st       *rb.Status
	submits  int
	planErr  error
	failStep bool
	// judge, when set, plays a health source: the targets' health each
	// status carries (rb.Status.Targets).
	judge func(*rb.Status) []TargetHealth
}

func (f *fakeSource) Plan(context.Context) (*rb.Plan, error) { return f.plan, f.planErr }

func (f *fakeSource) Started(context.Context) (*rb.Plan, error) { return f.started, nil }

func (f *fakeSource) Start(_ context.Context, p *rb.Plan) error {
	f.started = p
	f.st = &rb.Status{Release: p.Release, Now: tuitest.Now}
	for _, s := range p.Steps {
		f.st.Steps = append(f.st.Steps, rb.StepStatus{N: s.N, Kind: s.Kind, Subnet: s.Subnet, Version: s.Version, State: rb.StatePending})
	}
	return nil
}

func (f *fakeSource) Submit(context.Context) (*rb.Status, error) {
	f.submits++
	for i := range f.st.Steps {
		s := &f.st.Steps[i]
		switch s.State {
		case rb.StateDone:
			continue
		case rb.StateSubmitted:
			s.State, s.ProposalStatus, s.Detail = rb.StateDone, governance.StatusExecuted, "done"
		case rb.StatePending:
			if f.failStep && s.N == 2 {
				s.State, s.Proposal, s.ProposalStatus = rb.StateFailed, 1100, governance.StatusRejected
				return f.copy(), &rb.StepFailedError{N: 2, Proposal: 1100, Status: governance.StatusRejected}
			}
			s.State, s.Proposal, s.ProposalStatus, s.Detail = rb.StateSubmitted, uint64(1100+s.N), governance.StatusOpen, "proposal open"
			if s.Kind == rb.StepHalt {
				s.State, s.Proposal, s.ProposalStatus, s.Detail = rb.StateDone, 0, governance.StatusUnknown, ""
			}
		}
		return f.copy(), nil
	}
	return f.copy(), nil
}

func (f *fakeSource) copy() *rb.Status {
	c := *f.st
	c.Steps = append([]rb.StepStatus(nil), f.st.Steps...)
	c.Done = true
	for _, s := range c.Steps {
		c.Done = c.Done && s.State == rb.StateDone
	}
	if f.judge != nil {
		c.Targets = f.judge(&c)
	}
	return &c
}

func (f *fakeSource) Status(context.Context) (*rb.Status, error) {
	if f.st == nil {
		return nil, errors.New("no state")
	}
	return f.copy(), nil
}

func newPage(t *testing.T, srcs ...*fakeSource) *Page {
	t.Helper()
	var rs []Release
	for i, s := range srcs {
		rs = append(rs, Release{Name: []string{"2026-11-patch", "2026-10-patch"}[i], Source: s})
	}
	p := New(tuitest.Common(), rs)
	p.SetSize(80, 21)
	run(p, p.Init())
	return p
}

// run executes cmd and feeds its messages back, returning what is for the
// root (status and error messages).
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
	case common.ErrorMsg, common.StatusMsg, common.ClearErrorMsg:
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
	t.Run("none", func(t *testing.T) {
		p := New(tuitest.Common(), nil)
		p.SetSize(80, 21)
		tuitest.Golden(t, p.View())
	})
	t.Run("not_planned", func(t *testing.T) {
		tuitest.Golden(t, newPage(t, &fakeSource{plan: fixturePlan()}).View())
	})
	t.Run("planned", func(t *testing.T) {
		p := newPage(t, &fakeSource{plan: fixturePlan()}, &fakeSource{})
		press(p, "p")
		tuitest.Golden(t, p.View())
	})
	t.Run("confirm", func(t *testing.T) {
		p := newPage(t, &fakeSource{plan: fixturePlan()})
		press(p, "p")
		press(p, "s")
		tuitest.Golden(t, p.View())
	})
	t.Run("in_progress", func(t *testing.T) {
		p := newPage(t, &fakeSource{plan: fixturePlan()})
		press(p, "p")
		press(p, "s")
		press(p, "y")
		run(p, p.Refresh())
		tuitest.Golden(t, p.View())
	})
}

func TestSubmitNeedsConfirmation(t *testing.T) {
	src := &fakeSource{plan: fixturePlan()}
	p := newPage(t, src)
	if msgs := press(p, "s"); len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "press p to plan") {
		t.Fatalf("s before planning: %v", msgs)
	}
	press(p, "p")
	press(p, "s")
	if !p.Capturing() || !strings.Contains(p.View(), "y confirm · n cancel") {
		t.Fatalf("no confirmation:\n%s", p.View())
	}
	press(p, "n")
	if src.started != nil || src.submits != 0 {
		t.Fatal("a cancelled rollback was started")
	}
	press(p, "s")
	msgs := press(p, "y")
	if src.started == nil || src.submits != 1 {
		t.Fatalf("confirmed rollback: started=%v submits=%d", src.started != nil, src.submits)
	}
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "following it on every refresh") {
		t.Errorf("after submit: %v", msgs)
	}
}

// TestFollowsToCompletion: after the confirmation every refresh submits
// the due steps until the status is done; then refreshes stop submitting.
func TestFollowsToCompletion(t *testing.T) {
	src := &fakeSource{plan: fixturePlan()}
	p := newPage(t, src)
	press(p, "p")
	press(p, "s")
	press(p, "y")
	var last []tea.Msg
	for i := 0; i < 10 && (p.Status() == nil || !p.Status().Done); i++ {
		last = run(p, p.Refresh())
	}
	if !p.Status().Done {
		t.Fatalf("not done after %d submits:\n%s", src.submits, p.View())
	}
	// Without a health source the page says what it knows: the steps took
	// effect, the targets' health is not observed; never "complete".
	if len(last) != 1 || !strings.Contains(string(last[0].(common.StatusMsg)), "target health not observed") ||
		strings.Contains(string(last[0].(common.StatusMsg)), "complete") {
		t.Errorf("completion not reported truthfully: %v", last)
	}
	out := p.View()
	if !strings.Contains(out, "✓ done") || strings.Count(out, "✓ ") < 3 {
		t.Errorf("done view:\n%s", out)
	}
	n := src.submits
	run(p, p.Refresh())
	if src.submits != n {
		t.Errorf("a refresh after completion submitted again")
	}
}

// TestFailedStepStopsFollowing: a rejected step is reported, the page
// stops submitting on its own, and s (confirmed) resubmits.
func TestFailedStepStopsFollowing(t *testing.T) {
	src := &fakeSource{plan: fixturePlan(), failStep: true}
	p := newPage(t, src)
	press(p, "p")
	press(p, "s")
	press(p, "y")
	msgs := run(p, p.Refresh())
	if len(msgs) != 1 {
		t.Fatalf("msgs = %v", msgs)
	}
	if e, ok := msgs[0].(common.ErrorMsg); !ok || !errors.Is(e.Err, rb.ErrStepFailed) {
		t.Fatalf("want the step failure, got %v", msgs[0])
	}
	if !strings.Contains(p.View(), "✗ 2. roll subnet") || !strings.Contains(p.View(), "✗ a step failed") {
		t.Errorf("failure not shown:\n%s", p.View())
	}
	n := src.submits
	run(p, p.Refresh())
	if src.submits != n {
		t.Error("kept submitting after a failed step")
	}
	src.failStep = false
	src.st.Steps[1].State = rb.StatePending
	press(p, "s")
	press(p, "y")
	if src.submits != n+1 {
		t.Errorf("resubmit did not submit")
	}
}

// TestResumesRecordedRollback: a rollback started elsewhere (the CLI) is
// loaded from its state and shown; p does not replace its plan.
func TestResumesRecordedRollback(t *testing.T) {
	src := &fakeSource{plan: fixturePlan()}
	if err := src.Start(context.Background(), fixturePlan()); err != nil {
		t.Fatal(err)
	}
	p := newPage(t, src)
	if !strings.Contains(p.View(), "… in progress") {
		t.Fatalf("recorded rollback not shown:\n%s", p.View())
	}
	msgs := press(p, "p")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "under way") {
		t.Errorf("p on a started rollback: %v", msgs)
	}
	if src.submits != 0 {
		t.Error("loading a recorded rollback submitted")
	}
}

// watchingSource also reports the targets' health as the library states
// it: the version waits until the target's deploy step is done, then
// finalization waits for healthyAfter observations (or fails: stalled),
// then the target is healthy.
type watchingSource struct {
	*fakeSource
	watches, healthyAfter int
	stalled               bool
}

func newWatching(healthyAfter int) *watchingSource {
	w := &watchingSource{fakeSource: &fakeSource{plan: fixturePlan()}, healthyAfter: healthyAfter}
	w.judge = w.observe
	return w
}

func (w *watchingSource) observe(st *rb.Status) []TargetHealth {
	w.watches++
	var out []TargetHealth
	for _, t := range w.started.Targets {
		deployed := false
		for _, s := range st.Steps {
			deployed = deployed || s.Subnet == t.Subnet && s.State == rb.StateDone
		}
		fin := rb.CheckOK
		switch {
		case w.stalled:
			fin = rb.CheckFailed
		case w.watches <= w.healthyAfter:
			fin = rb.CheckWaiting
		}
		checks := []rb.TargetCheck{{Name: health.CheckVersion, State: rb.CheckOK}, {Name: health.CheckFinalizing, State: fin}, {Name: health.CheckAlerts, State: rb.CheckOK}}
		if !deployed {
			checks = []rb.TargetCheck{{Name: health.CheckVersion, State: rb.CheckWaiting, Detail: "waiting for " + t.Restore[:8] + ": proposal open"},
				{Name: health.CheckFinalizing, State: rb.CheckWaiting}, {Name: health.CheckAlerts, State: rb.CheckWaiting}}
		}
		out = append(out, TargetHealth{Subnet: t.Subnet, Version: t.Restore, Checks: checks})
	}
	return out
}

// TestFollowsUntilTargetsRecover: with the targets' health observed, the
// page keeps refreshing after the steps are done until every target is
// healthy on its restored version, and says so; a wait shows as a wait.
func TestFollowsUntilTargetsRecover(t *testing.T) {
	src := newWatching(6)
	var rs []Release
	p := New(tuitest.Common(), append(rs, Release{Name: "2026-11-patch", Source: src}))
	p.SetSize(80, 21)
	run(p, p.Init())
	press(p, "p")
	press(p, "s")
	// The status line says what is true: submitted, the targets recovering
	// (both unhealthy), never "complete".
	var notes []string
	for _, m := range press(p, "y") {
		notes = append(notes, string(m.(common.StatusMsg)))
	}
	for i := 0; i < 10 && !p.Status().Done; i++ {
		for _, m := range run(p, p.Refresh()) {
			if sm, ok := m.(common.StatusMsg); ok {
				notes = append(notes, string(sm))
			}
		}
	}
	if len(notes) == 0 || !strings.Contains(notes[0], "submitted, 2 targets recovering") {
		t.Errorf("after the submit: %q", notes)
	}
	for _, n := range notes {
		if strings.Contains(n, "complete") || strings.Contains(n, "recovered") {
			t.Errorf("claims completion while the targets are unhealthy: %q", n)
		}
	}
	if !p.Status().Done {
		t.Fatal("steps not done")
	}
	if out := p.View(); !strings.Contains(out, "targets recovering") || !strings.Contains(out, "failing · … finalizing") || strings.Contains(out, "✗ finalizing") {
		t.Fatalf("recovery not shown as a wait:\n%s", out)
	}
	tuitest.Golden(t, p.View())
	var last []tea.Msg
	for i := 0; i < 10 && !strings.Contains(p.View(), "targets healthy"); i++ {
		last = run(p, p.Refresh())
	}
	if out := p.View(); !strings.Contains(out, "✓ done · targets healthy") || strings.Count(out, "✓ healthy") != 2 {
		t.Fatalf("recovered targets not shown:\n%s", out)
	}
	if len(last) != 1 || !strings.Contains(string(last[0].(common.StatusMsg)), "every target healthy on its restored version") {
		t.Errorf("recovery not announced: %v", last)
	}
	n := src.watches
	run(p, p.Refresh())
	if src.watches != n {
		t.Error("kept observing after every target recovered")
	}
}

func TestPlanErrorShows(t *testing.T) {
	p := newPage(t, &fakeSource{planErr: rb.ErrNothingToRollBack})
	msgs := press(p, "p")
	if len(msgs) != 1 {
		t.Fatalf("msgs = %v", msgs)
	}
	if e, ok := msgs[0].(common.ErrorMsg); !ok || !errors.Is(e.Err, rb.ErrNothingToRollBack) {
		t.Errorf("got %v", msgs[0])
	}
}

// TestPickerFitsLongNames: releases named by their 40-character commits
// are shortened so both stay in view at 80 columns.
func TestPickerFitsLongNames(t *testing.T) {
	a, b := tuitest.ElectVersion, "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081"
	p := New(tuitest.Common(), []Release{{Name: a, Source: &fakeSource{}}, {Name: b, Source: &fakeSource{}}})
	p.SetSize(80, 21)
	first := strings.Split(p.View(), "\n")[0]
	if w := ansi.StringWidth(first); w > 80 || !strings.Contains(first, "["+a[:20]) || !strings.Contains(first, " "+b[:20]) || strings.Contains(first, "…]…") {
		t.Errorf("picker line (%d wide): %q", ansi.StringWidth(first), first)
	}
}

// TestWaitsAreNotFailures: a target waiting for its restored version
// (its deploy not done) shows "… version", one with one height seen
// "… finalizing", never ✗; a stall on the restored version is ✗.
func TestWaitsAreNotFailures(t *testing.T) {
	src := newWatching(100)
	p := New(tuitest.Common(), []Release{{Name: "2026-11-patch", Source: src}})
	p.SetSize(80, 21)
	run(p, p.Init())
	press(p, "p")
	press(p, "s")
	press(p, "y")
	out := p.View()
	if !strings.Contains(out, "failing · … version") || strings.Contains(out, "✗ version") || strings.Contains(out, "✗ finalizing") {
		t.Errorf("a wait for the restored version shows as a failure:\n%s", out)
	}
	tuitest.Golden(t, out)
	for i := 0; i < 10 && !p.Status().Done; i++ {
		run(p, p.Refresh())
	}
	if out := p.View(); !strings.Contains(out, "failing · … finalizing") || strings.Contains(out, "✗ finalizing") {
		t.Errorf("a finalization wait shows as a failure:\n%s", out)
	}
	src.stalled = true
	run(p, p.Refresh())
	if out := p.View(); !strings.Contains(out, "failing · ✗ finalizing") {
		t.Errorf("a stall on the restored version is not shown failed:\n%s", out)
	}
}

// TestNoHealthSourceClaimsNothing: without health data the page neither
// counts "0 targets recovering" nor calls the targets recovered.
func TestNoHealthSourceClaimsNothing(t *testing.T) {
	src := &fakeSource{plan: fixturePlan()} // no health source: no Status.Targets
	p := New(tuitest.Common(), []Release{{Name: "2026-11-patch", Source: src}})
	p.SetSize(80, 21)
	run(p, p.Init())
	press(p, "p")
	press(p, "s")
	var notes []string
	for _, m := range press(p, "y") {
		notes = append(notes, string(m.(common.StatusMsg)))
	}
	for i := 0; i < 10 && !p.Status().Done; i++ {
		for _, m := range run(p, p.Refresh()) {
			notes = append(notes, string(m.(common.StatusMsg)))
		}
	}
	all := strings.Join(notes, "\n")
	if !strings.Contains(notes[0], "submitted, 2 targets recovering") || !strings.Contains(all, "target health not observed") ||
		strings.Contains(all, "0 targets") || strings.Contains(all, "recovered") {
		t.Errorf("notes without a health source:\n%s", all)
	}
}

// TestKindRollbackSaysWhatChecksIt: a HostOS rollback has no subnet
// targets to observe; once its steps hold the page says so, and neither
// blames a missing health source nor claims recovered subnets.
func TestKindRollbackSaysWhatChecksIt(t *testing.T) {
	pl := fixturePlan()
	pl.Kind = "hostos"
	all := submitNotes(t, "hostos-patch", pl)
	if !strings.Contains(all, "hostos targets are checked by the steps") || strings.Contains(all, "no health source") || strings.Contains(all, "recovered") {
		t.Errorf("notes of a HostOS rollback:\n%s", all)
	}
}

// A GuestOS rollback whose only targets are API boundary nodes has no
// subnet health to observe: its status line says the steps check its
// targets, never that a health source is missing or that it recovered.
func TestNodeOnlyRollbackSaysWhatChecksIt(t *testing.T) {
	pl := fixturePlan()
	nodes := []string{"node-a"}
	pl.Targets = []rb.Target{{APIBoundaryNodes: nodes, Current: tuitest.ElectVersion, Restore: good, RestoreElected: true}}
	pl.Steps = []rb.Step{pl.Steps[0], {N: 2, Kind: rb.StepAPIBoundary, Nodes: nodes, Version: good, From: tuitest.ElectVersion, Why: "restore",
		Precondition: rb.Condition{Kind: rb.CondElected, Version: good, Text: "GuestOS " + good + " is elected"},
		Expect:       rb.Condition{Kind: rb.CondAPIBoundaryRun, Nodes: nodes, Version: good, Text: "node-a runs " + good}}}
	all := submitNotes(t, "apibn-patch", pl)
	if !strings.Contains(all, "API boundary nodes, checked by the steps") || strings.Contains(all, "no health source") || strings.Contains(all, "recovered") {
		t.Errorf("notes of an API-boundary-node rollback:\n%s", all)
	}
}

// submitNotes plans pl on the page of release name, submits it after the
// confirmation and follows it until done: the status lines it showed.
func submitNotes(t *testing.T, name string, pl *rb.Plan) string {
	t.Helper()
	p := New(tuitest.Common(), []Release{{Name: name, Source: &fakeSource{plan: pl}}})
	p.SetSize(80, 21)
	run(p, p.Init())
	press(p, "p")
	press(p, "s")
	var notes []string
	for _, m := range press(p, "y") {
		notes = append(notes, string(m.(common.StatusMsg)))
	}
	for i := 0; i < 10 && !p.Status().Done; i++ {
		for _, m := range run(p, p.Refresh()) {
			notes = append(notes, string(m.(common.StatusMsg)))
		}
	}
	return strings.Join(notes, "\n")
}
