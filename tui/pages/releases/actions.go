package releases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/tui/common"
)

// ActionKind names a Releases page action.
type ActionKind string

// The page's actions, each the library call of a CLI command.
const (
	ActAdvance  ActionKind = "advance"  // nnspatch rollout advance
	ActPlan     ActionKind = "plan"     // nnspatch rollout plan
	ActHalt     ActionKind = "halt"     // nnspatch rollout halt
	ActResume   ActionKind = "resume"   // nnspatch rollout resume
	ActDisclose ActionKind = "disclose" // nnspatch release disclose
)

// mainnetWord is what a confirmation on mainnet wants typed out.
const mainnetWord = "mainnet"

// action is an action being prepared: an optional text field (the reason
// of a halt or resume, the source URL of a disclosure), then the
// confirmation naming what will be submitted or recorded.
type action struct {
	kind  ActionKind
	index int
	// field is the text asked for first (nil: none); label names it.
	field *textinput.Model
	label string
	// confirming: the field is filled and the confirmation shows.
	confirming bool
	// prompt is the confirmation's text.
	prompt string
	// typed collects "mainnet" on mainnet.
	typed string
}

// begin starts an action on the selected release: a field first when it
// needs text, else the confirmation.
func (p *Page) begin(kind ActionKind) tea.Cmd {
	i := p.sel()
	v := p.status[i]
	a := &action{kind: kind, index: i}
	switch kind {
	case ActAdvance:
		if v == nil {
			return common.StatusCmd("no status yet: wait for the release to be observed")
		}
		if p.releases[i].Neuron == 0 {
			return common.StatusCmd("no proposer neuron: start nnspatch tui with --neuron N to advance")
		}
		pv := v.PreviewAdvance()
		if pv.Function == "" {
			return common.StatusCmd("nothing to advance yet: " + strings.Join(pv.Wait, "; "))
		}
		a.prompt = p.advancePrompt(i, pv)
	case ActPlan:
		prompt, ok := p.planPrompt(i, v)
		if !ok {
			return common.StatusCmd(prompt)
		}
		a.prompt = prompt
	case ActHalt, ActResume:
		a.field, a.label = newField("reason: "), "Reason"
	case ActDisclose:
		if d := disclosed(v); d != nil {
			return common.StatusCmd("the disclosure of " + p.name(i) + " is recorded already: " + common.Line(d.SourceURL))
		}
		a.field, a.label = newField("source URL: "), "Source URL"
	}
	a.confirming = a.field == nil
	p.act = a
	return nil
}

func newField(prompt string) *textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.CharLimit = 500
	ti.Focus()
	return &ti
}

func (p *Page) name(i int) string { return common.Short(p.releases[i].Name, 16) }

// fullName is the release's whole name, for confirmations (which wrap).
func (p *Page) fullName(i int) string { return common.Line(p.releases[i].Name) }

// disclosed is the view's recorded disclosure (nil: none, or no view).
func disclosed(v *rollout.View) *rollout.Disclosure {
	if v == nil {
		return nil
	}
	return v.Summary().Disclosure
}

// planPrompt is the confirmation of a plan, by the release's kind; ok is
// false when there is nothing to confirm (an NNS canister release needs no
// plan) and the text says why.
func (p *Page) planPrompt(i int, v *rollout.View) (text string, ok bool) {
	kind := ""
	if v != nil {
		kind = v.Kind
	}
	switch kind {
	case rollout.ReleaseCanister:
		return fmt.Sprintf("no plan needed: the %d canister upgrade(s) of %s go in the order given at `release new`, one after the other", len(v.Canister.Canisters), p.name(i)), false
	case rollout.ReleaseHostOS:
		return fmt.Sprintf("Plan the HostOS rollout of %s from the live registry (stages %s → %s → %s → %s, tolerances %.0f%%/%.0f%%/%.0f%%/%.0f%%, batches %s apart, bake %s, starting now) and store it in the release ledger? Nothing is submitted to governance.",
			p.fullName(i), rollout.StageCanary, rollout.StageMain, rollout.StageUnassigned, rollout.StageStragglers,
			rollout.ToleranceCanary*100, rollout.ToleranceMain*100, rollout.ToleranceUnassigned*100, rollout.ToleranceStragglers*100,
			rollout.DefaultHostOSInterval, rollout.DefaultHostOSBake), true
	}
	return fmt.Sprintf("Plan the rollout of %s from the live registry (batches of %d, %s apart, bake %s, starting now) and store it in the release ledger? Nothing is submitted to governance.",
		p.fullName(i), rollout.DefaultBatchSize, rollout.DefaultInterval, rollout.DefaultBake), true
}

// advancePrompt names the batch, the proposal kind, the subnets (HostOS:
// stage, batch and node count; NNS canister: the canister and its wasm
// hash) and the neuron of an advance.
func (p *Page) advancePrompt(i int, pv rollout.AdvancePreview) string {
	if pv.Kind == rollout.ReleaseHostOS || pv.Kind == rollout.ReleaseCanister {
		return fmt.Sprintf("Advance %s: submit %s, with neuron %d?", p.fullName(i), pv.Describe(), p.releases[i].Neuron)
	}
	if len(pv.Subnets) == 0 {
		return fmt.Sprintf("Advance %s: submit 1 %s proposal (the unassigned nodes) with neuron %d?", p.fullName(i), pv.Function, p.releases[i].Neuron)
	}
	subnets := make([]string, len(pv.Subnets))
	for j, s := range pv.Subnets {
		subnets[j] = common.Short(s, 11)
	}
	return fmt.Sprintf("Advance %s: submit %d %s proposal(s) for batch %d, subnets %s, with neuron %d?",
		p.fullName(i), len(pv.Subnets), pv.Function, pv.Batch, strings.Join(subnets, ", "), p.releases[i].Neuron)
}

// fieldDone moves from the field to the confirmation, naming the text.
func (p *Page) fieldDone() tea.Cmd {
	a := p.act
	v := strings.TrimSpace(a.field.Value())
	if v == "" {
		return common.StatusCmd(strings.ToLower(a.label) + " is required: type it, then enter (esc cancels)")
	}
	name := p.fullName(a.index)
	switch a.kind {
	case ActHalt:
		a.prompt = fmt.Sprintf("Halt the rollout of %s? Recorded in this release directory's ledger with the reason %q; advance submits nothing until resumed. Nothing is submitted to governance.", name, v)
	case ActResume:
		a.prompt = fmt.Sprintf("Resume the rollout of %s? Lifts the halt in the ledger with the reason %q. Nothing is submitted to governance.", name, v)
	case ActDisclose:
		a.prompt = fmt.Sprintf("Record the disclosure of %s: source published at %s? Recorded in the ledger (refused before the quiet period ends). Nothing is submitted to governance.", name, v)
	}
	a.confirming = true
	return nil
}

func (p *Page) handleAction(msg tea.KeyMsg) tea.Cmd {
	a, k := p.act, p.Keys
	if !a.confirming {
		switch {
		case msg.Type == tea.KeyEsc:
			p.act = nil
			return common.StatusCmd(string(a.kind) + " cancelled, nothing recorded")
		case msg.Type == tea.KeyEnter:
			return p.fieldDone()
		}
		return common.Edit(a.field, msg)
	}
	if p.mainnet {
		return p.handleMainnetConfirm(msg)
	}
	switch {
	case key.Matches(msg, k.Confirm):
		return p.run()
	case key.Matches(msg, k.Cancel):
		p.act = nil
		return common.StatusCmd(string(a.kind) + " cancelled, nothing sent or recorded")
	}
	return nil
}

// handleMainnetConfirm collects the typed confirmation: enter acts only
// when it reads "mainnet"; esc or anything else cancels.
func (p *Page) handleMainnetConfirm(msg tea.KeyMsg) tea.Cmd {
	a := p.act
	switch msg.Type {
	case tea.KeyRunes:
		if len(a.typed) < len(mainnetWord) {
			a.typed += string(msg.Runes)
		}
		return nil
	case tea.KeyBackspace:
		if a.typed != "" {
			a.typed = a.typed[:len(a.typed)-1]
		}
		return nil
	case tea.KeyEnter:
		if a.typed == mainnetWord {
			return p.run()
		}
	}
	p.act = nil
	return common.StatusCmd("mainnet " + string(a.kind) + " not confirmed, nothing sent or recorded")
}

// run starts the confirmed action.
func (p *Page) run() tea.Cmd {
	a := p.act
	p.act, p.sending = nil, true
	t, i, timeout, plan := p.releases[a.index].Tracker, a.index, p.timeout, p.releases[a.index].Plan
	text := ""
	if a.field != nil {
		text = strings.TrimSpace(a.field.Value())
	}
	if a.kind == ActAdvance {
		return advanceCmd(i, t, timeout)
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		m := ActedMsg{Index: i, Kind: a.kind}
		switch a.kind {
		case ActPlan:
			m.Plan, m.Err = t.PlanRelease(ctx, plan)
		case ActHalt:
			m.Err = t.Halt(ctx, text, "")
		case ActResume:
			m.Err = t.Resume(ctx, text, "")
		case ActDisclose:
			m.Disc, m.Err = t.Disclose(ctx, text, false, "")
		}
		v, err := t.Look(ctx)
		if err == nil {
			m.View = v
		}
		return m
	}
}

func statusCmd(i int, t Tracker, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		v, err := t.Look(ctx)
		return StatusMsg{Index: i, View: v, Err: err}
	}
}

func advanceCmd(i int, t Tracker, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		res, err := t.AdvanceRelease(ctx)
		return AdvancedMsg{Index: i, Result: res, Err: err}
	}
}

// advanced reports what the advance submitted and what the status read
// with it says comes next.
func (p *Page) advanced(msg AdvancedMsg) tea.Cmd {
	p.sending = false
	if msg.Index >= len(p.releases) {
		return nil
	}
	name := p.name(msg.Index)
	if msg.Result != nil && msg.Result.View != nil {
		p.status[msg.Index] = msg.Result.View
	}
	var wait *rollout.WaitError
	switch {
	case errors.As(msg.Err, &wait):
		return common.StatusCmd("nothing to advance yet: " + strings.Join(wait.Reasons, "; "))
	case msg.Err != nil:
		p.Log.Printf("advance %s: %v", name, msg.Err)
		return common.ErrorCmd("advance "+name, msg.Err)
	}
	var ids []string
	for _, s := range msg.Result.Submitted {
		ids = append(ids, fmt.Sprintf("#%d (%s %s)", s.Proposal, s.Kind, submittedTarget(s)))
	}
	p.Log.Printf("advance %s: submitted %v", name, ids)
	return tea.Batch(common.StatusCmd(fmt.Sprintf("advanced %s: submitted %s; proposals open until adopted and executed", name, strings.Join(ids, ", "))),
		p.observe(msg.Index))
}

// submittedTarget names what a submitted proposal targets: a subnet, the
// unassigned nodes, a HostOS batch or an NNS canister.
func submittedTarget(s rollout.Submitted) string {
	switch {
	case s.Kind == rollout.KindHostOSDeploy:
		return s.Subnet
	case s.Kind == rollout.KindInstall:
		return proposals.CanisterName(s.Subnet)
	case s.Subnet == "":
		return "unassigned nodes"
	}
	return common.Short(s.Subnet, 5)
}

// acted reports a plan, halt, resume or disclosure by what the ledger and
// status read after it say.
func (p *Page) acted(msg ActedMsg) tea.Cmd {
	p.sending = false
	if msg.Index >= len(p.releases) {
		return nil
	}
	name := p.name(msg.Index)
	if msg.View != nil {
		p.status[msg.Index] = msg.View
	}
	if msg.Err != nil {
		p.Log.Printf("%s %s: %v", msg.Kind, name, msg.Err)
		return common.ErrorCmd(string(msg.Kind)+" "+name, msg.Err)
	}
	p.Log.Printf("%s %s: done", msg.Kind, name)
	next := ""
	var halted *rollout.Halt
	if msg.View != nil {
		next = "; next: " + msg.View.Glance().Action
		halted = msg.View.Summary().Halted
	}
	switch msg.Kind {
	case ActPlan:
		if !msg.Plan.Stored {
			return common.StatusCmd(fmt.Sprintf("%s: %s%s", name, msg.Plan.Describe(), next))
		}
		return common.StatusCmd(fmt.Sprintf("planned %s: %s stored in the ledger%s", name, msg.Plan.Describe(), next))
	case ActHalt:
		if halted != nil {
			return common.StatusCmd("rollout of " + name + " halted in this release directory" + next)
		}
		return common.StatusCmd("halt of " + name + " recorded, but the status does not show it halted")
	case ActResume:
		if msg.View != nil && halted == nil {
			return common.StatusCmd("rollout of " + name + " resumed" + next)
		}
		return common.StatusCmd("resume of " + name + " recorded, but the status still shows a halt")
	case ActDisclose:
		return common.StatusCmd(fmt.Sprintf("disclosure of %s recorded at %s: %s", name, common.Stamp(msg.Disc.At), common.Line(msg.Disc.SourceURL)))
	}
	return nil
}
