// Package rollback is the Rollback page: pick a tracked release, plan its
// rollback (ordered steps, each with its precondition and the state
// expected after it), submit the plan after a confirmation, and follow it
// to completion, submitting each further step on the refresh tick as its
// precondition comes to hold (through the rollback package's Executor).
package rollback

import (
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	rb "github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/tui/common"
)

// entry is what the page knows of one release's rollback.
type entry struct {
	plan   *rb.Plan
	status *rb.Status
	// loaded reports that the state file was read.
	loaded bool
	// started reports a rollback under way (its state file exists).
	started bool
	// following submits due steps on every tick until done.
	following bool
	busy      bool
	planning  bool
	// announced reports that the targets' recovery was announced.
	announced bool
	// failed reports that the last call failed (the error line shows it).
	failed bool
}

// targets is the subnet targets' health the last status carried (nil:
// not observed).
func (e *entry) targets() []TargetHealth {
	if e.status == nil {
		return nil
	}
	return e.status.Targets
}

// recovered reports whether every observed target is healthy (true when
// the source does not observe them: its status carries no targets).
func (e *entry) recovered() bool {
	if e.status == nil {
		return false
	}
	for _, t := range e.status.Targets {
		if !t.Healthy() {
			return false
		}
	}
	return true
}

// Page is the Rollback page.
type Page struct {
	common.Common
	releases []Release
	entries  []entry
	scroll   int
	confirm  bool
	timeout  time.Duration
}

var _ common.Page = (*Page)(nil)

// New returns the page over rs.
func New(c common.Common, rs []Release) *Page {
	return &Page{Common: c.WithPrefix("rollback"), releases: append([]Release(nil), rs...),
		entries: make([]entry, len(rs)), timeout: 2 * time.Minute}
}

// Title implements common.Page.
func (p *Page) Title() string { return "Rollback" }

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return p.confirm }

// Init implements tea.Model: every release's rollback under way loads.
func (p *Page) Init() tea.Cmd { return p.Refresh() }

// Refresh loads what is not loaded yet and, for a rollback under way,
// submits due steps (when following) or checks its status.
func (p *Page) Refresh() tea.Cmd {
	var cmds []tea.Cmd
	for i := range p.releases {
		e := &p.entries[i]
		if e.busy {
			continue
		}
		switch {
		case !e.loaded:
			e.busy = true
			cmds = append(cmds, p.loadCmd(i))
		case e.started && e.following:
			e.busy = true
			cmds = append(cmds, p.progressCmd(i, true))
		case e.started && (e.status == nil || !e.status.Done || !e.recovered()):
			e.busy = true
			cmds = append(cmds, p.progressCmd(i, false))
		}
	}
	return tea.Batch(cmds...)
}

// Plan returns the selected release's rollback plan (nil before one is
// planned or loaded).
func (p *Page) Plan() *rb.Plan {
	if p.sel() < len(p.entries) {
		return p.entries[p.sel()].plan
	}
	return nil
}

// Status returns the selected release's last known rollback status.
func (p *Page) Status() *rb.Status {
	if p.sel() < len(p.entries) {
		return p.entries[p.sel()].status
	}
	return nil
}

// Update implements tea.Model.
func (p *Page) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		return p, p.loaded(msg)
	case PlannedMsg:
		return p, p.planned(msg)
	case ProgressMsg:
		return p, p.progressed(msg)
	case tea.KeyMsg:
		return p, p.handleKey(msg)
	}
	return p, nil
}

func (p *Page) loaded(msg LoadedMsg) tea.Cmd {
	if msg.Index >= len(p.entries) {
		return nil
	}
	e := &p.entries[msg.Index]
	e.busy = false
	if msg.Err != nil {
		p.fail(msg.Index, "read rollback of ", msg.Err)
		return common.StaleCmd("read rollback of "+common.Short(p.releases[msg.Index].Name, 12), msg.Err)
	}
	e.loaded = true
	if msg.Plan != nil {
		e.plan, e.status, e.started = msg.Plan, msg.Status, true
	}
	p.recovered(msg.Index)
	return common.FreshCmd()
}

func (p *Page) planned(msg PlannedMsg) tea.Cmd {
	if msg.Index >= len(p.entries) {
		return nil
	}
	e := &p.entries[msg.Index]
	e.planning = false
	if msg.Err != nil {
		return p.fail(msg.Index, "plan rollback of ", msg.Err)
	}
	e.plan, e.status, p.scroll = msg.Plan, nil, 0
	p.Log.Printf("planned rollback of %s: %d step(s)", p.releases[msg.Index].Name, len(msg.Plan.Steps))
	return common.StatusCmd(fmt.Sprintf("planned: %d step(s) for %d target(s); s submits", len(msg.Plan.Steps), len(msg.Plan.Targets)))
}

func (p *Page) progressed(msg ProgressMsg) tea.Cmd {
	if msg.Index >= len(p.entries) {
		return nil
	}
	e := &p.entries[msg.Index]
	name := common.Short(p.releases[msg.Index].Name, 12)
	e.busy = false
	if msg.Status != nil {
		e.status = msg.Status
		e.started = true
	}
	if msg.Err != nil {
		if errors.Is(msg.Err, rb.ErrStepFailed) {
			e.following = false // a failed step is resubmitted only on request
		}
		return p.fail(msg.Index, "roll back ", msg.Err)
	}
	if note := p.progressNote(e, name, msg.Submitted); note != "" {
		return common.StatusCmd(note)
	}
	return p.recovered(msg.Index)
}

// progressNote says what the rollback's status and its targets' health
// say is true now: submitted and recovering, steps done and recovering,
// recovered. It never calls a rollback complete while a target is not
// healthy on its restored version. "" when nothing changed worth saying.
func (p *Page) progressNote(e *entry, name string, submitted bool) string {
	done := e.status != nil && e.status.Done
	// observed: the targets' health is known (the status carries it when
	// the source observes the replicas); otherwise recovery is not claimed
	// either way.
	observed := len(e.targets()) > 0
	rec := rb.CountRecovery(e.targets())
	recovering := rec.Recovering()
	if !observed {
		recovering = len(subnetTargets(e.plan))
	}
	switch {
	case done && observed && rec.Recovered():
		e.following = false
		if e.announced {
			return ""
		}
		e.announced = true
		p.Log.Printf("rollback of %s: every target recovered", name)
		return fmt.Sprintf("rollback of %s recovered: %d of %d targets healthy; every target healthy on its restored version", name, rec.Healthy, rec.Total)
	case done && !observed && e.following && e.plan != nil && e.plan.Kind == "" && len(subnetTargets(e.plan)) == 0:
		e.following = false
		p.Log.Printf("rollback of %s: every step done (no subnet targets)", name)
		return "rollback of " + name + ": every step's expected state holds (its targets are unassigned or API boundary nodes, checked by the steps, not by subnet health)"
	case done && !observed && e.following && e.plan != nil && e.plan.Kind != "":
		e.following = false
		p.Log.Printf("rollback of %s: every step done (%s)", name, e.plan.Kind)
		return "rollback of " + name + ": every step's expected state holds (" + e.plan.Kind + " targets are checked by the steps, not by subnet health)"
	case done && !observed && e.following:
		e.following = false
		p.Log.Printf("rollback of %s: every step done, target health not observed", name)
		return "rollback of " + name + ": every step's proposal took effect; target health not observed (no health source)"
	case submitted && e.following && done:
		e.following = false
		p.Log.Printf("rollback of %s: every step done, %d target(s) recovering", name, recovering)
		return fmt.Sprintf("rollback of %s submitted, %s recovering", name, targets(recovering))
	case submitted && e.following:
		return fmt.Sprintf("rollback of %s submitted, %s recovering; following it on every refresh", name, targets(recovering))
	case done && observed && !e.announced:
		return fmt.Sprintf("rollback of %s: steps done, %d of %d targets recovering", name, recovering, rec.Total)
	}
	return ""
}

// targets is "1 target" or "N targets".
func targets(n int) string {
	if n == 1 {
		return "1 target"
	}
	return fmt.Sprintf("%d targets", n)
}

// subnetTargets lists the plan's subnet targets (the unassigned nodes have
// no health of their own).
func subnetTargets(pl *rb.Plan) []rb.Target {
	if pl == nil {
		return nil
	}
	var out []rb.Target
	for _, t := range pl.Targets {
		if t.Subnet != "" {
			out = append(out, t)
		}
	}
	return out
}

// recovered clears the error line once a call that failed succeeds.
func (p *Page) recovered(i int) tea.Cmd {
	if !p.entries[i].failed {
		return nil
	}
	p.entries[i].failed = false
	return func() tea.Msg { return common.ClearErrorMsg{} }
}

func (p *Page) fail(i int, op string, err error) tea.Cmd {
	p.entries[i].failed = true
	p.Log.Printf("%s%s: %v", op, p.releases[i].Name, err)
	return common.ErrorCmd(op+common.Short(p.releases[i].Name, 12), err)
}

func (p *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := p.Keys
	if p.confirm {
		switch {
		case key.Matches(msg, k.Confirm):
			return p.confirmed()
		case key.Matches(msg, k.Cancel):
			p.confirm = false
			return common.StatusCmd("rollback not submitted, nothing sent")
		}
		return nil
	}
	if len(p.releases) == 0 {
		return nil
	}
	e := &p.entries[p.sel()]
	switch {
	case key.Matches(msg, k.NextRelease):
		p.Release.Next(len(p.releases))
		p.scroll = 0
	case key.Matches(msg, k.PrevRelease):
		p.Release.Prev(len(p.releases))
		p.scroll = 0
	case key.Matches(msg, k.Up):
		p.scroll = max(p.scroll-1, 0)
	case key.Matches(msg, k.Down):
		p.scroll++
	case key.Matches(msg, k.Refresh):
		return p.Refresh()
	case key.Matches(msg, k.Plan):
		return p.plan(e)
	case key.Matches(msg, k.SubmitRollback):
		return p.askSubmit(e)
	}
	return nil
}

func (p *Page) plan(e *entry) tea.Cmd {
	switch {
	case e.started:
		return common.StatusCmd("a rollback is under way: its recorded plan is shown")
	case e.planning:
		return nil
	}
	e.planning = true
	return p.planCmd(p.sel())
}

func (p *Page) askSubmit(e *entry) tea.Cmd {
	switch {
	case e.plan == nil:
		return common.StatusCmd("nothing to submit yet: press p to plan the rollback")
	case e.busy:
		return common.StatusCmd("busy: wait for the running submission")
	case e.status != nil && e.status.Done:
		return common.StatusCmd("the rollback is complete: nothing to submit")
	}
	p.confirm = true
	return nil
}

func (p *Page) confirmed() tea.Cmd {
	p.confirm = false
	e := &p.entries[p.sel()]
	e.following, e.busy = true, true
	if e.started {
		return p.progressCmd(p.sel(), true)
	}
	return p.startCmd(p.sel(), e.plan)
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	k := p.Keys
	if p.confirm {
		return []key.Binding{k.Confirm, k.Cancel}
	}
	return []key.Binding{k.Plan, k.SubmitRollback, k.PrevRelease, k.NextRelease, k.Up, k.Down, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.Keys
	return [][]key.Binding{{k.Plan, k.SubmitRollback, k.PrevRelease, k.NextRelease, k.Up, k.Down, k.Refresh}}
}

// sel is the index of the release selected on every page (common.Selection).
func (p *Page) sel() int {
	if p.Release == nil {
		return 0
	}
	return p.Release.Index(len(p.releases))
}
