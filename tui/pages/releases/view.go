package releases

import (
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/tui/common"
)

// row is one line of the page and the proposal it shows (0: none).
type row struct {
	text     string
	proposal uint64
}

// View implements tea.Model.
func (p *Page) View() string {
	if len(p.releases) == 0 {
		return common.Clip(p.Styles.Muted.Render("no release found: put release directories in releases_dir, or pass --release DIR"), p.Width, p.Height)
	}
	rows := []row{{text: p.picker()}}
	st := p.Status()
	if st == nil {
		rows = append(rows, row{text: p.Styles.Muted.Render("observing the release…")})
	} else {
		rows = append(rows, p.body(st)...)
	}
	tail := p.tail()
	h := max(p.Height-len(tail), 1)
	head, rest := rows[:1], rows[1:]
	p.followCursor(rest, h-1)
	p.scroll = min(p.scroll, max(len(rest)-(h-1), 0))
	rest = rest[p.scroll:]
	lines := []string{head[0].text}
	n := 0
	for _, r := range rows[1 : 1+p.scroll] {
		if r.proposal != 0 {
			n++
		}
	}
	for _, r := range rest {
		text := r.text
		if r.proposal != 0 {
			if n == p.cursor {
				text = "▶" + strings.TrimPrefix(text, " ")
			}
			n++
		}
		lines = append(lines, text)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return common.Clip(strings.Join(append(lines, tail...), "\n"), p.Width, p.Height)
}

// followCursor scrolls so the highlighted proposal's row is in view.
func (p *Page) followCursor(rest []row, h int) {
	n := 0
	for i, r := range rest {
		if r.proposal == 0 {
			continue
		}
		if n == p.cursor {
			if i < p.scroll {
				p.scroll = i
			} else if i >= p.scroll+h {
				p.scroll = i - h + 1
			}
			return
		}
		n++
	}
}

// proposalIDs are the proposals shown, in order (the cursor's range).
func (p *Page) proposalIDs() []uint64 {
	st := p.Status()
	if st == nil {
		return nil
	}
	var out []uint64
	for _, r := range p.body(st) {
		if r.proposal != 0 {
			out = append(out, r.proposal)
		}
	}
	return out
}

// tail is the action being prepared: its field or its confirmation.
func (p *Page) tail() []string {
	a := p.act
	switch {
	case a != nil && !a.confirming:
		what := map[ActionKind]string{ActHalt: "Halt", ActResume: "Resume", ActDisclose: "Record the disclosure of"}[a.kind]
		return []string{p.Styles.Warn.Render(fmt.Sprintf("%s %s: type the %s, enter to review, esc cancels", what, p.name(a.index), strings.ToLower(a.label))), a.field.View()}
	case a != nil && p.mainnet:
		out := p.wrapped(p.Styles.Warn.Render("MAINNET · ") + a.prompt)
		return append(out, fmt.Sprintf("type %q and enter to confirm (esc cancels): %s", mainnetWord, a.typed))
	case a != nil:
		return p.wrapped(p.Styles.Warn.Render(a.prompt + "  y confirm · n cancel"))
	case p.sending:
		return []string{"… sending"}
	}
	return nil
}

func (p *Page) wrapped(text string) []string { return common.Wrap(text, max(p.Width, 20)) }

func (p *Page) picker() string {
	names := make([]string, len(p.releases))
	for i, r := range p.releases {
		names[i] = r.Name
	}
	return common.Picker(p.Styles, "Release ", names, p.sel(), p.Width)
}

func (p *Page) body(st *rollout.Status) []row {
	s := p.Styles
	g := st.Glance()
	rows := []row{{text: fmt.Sprintf("Version %s · %s · %s", common.Short(st.Version, 12), st.Mode, stateWord(st.State))}}
	rows = append(rows, p.glance(st, g)...)
	rows = append(rows, row{text: p.electionLine(st), proposal: st.Election.Proposal})
	if h := st.Halted; h != nil {
		text := fmt.Sprintf("%s by %s: %s", common.Stamp(h.At), common.Short(common.Line(h.By), 11), common.Line(h.Reason))
		for i, l := range common.Wrap(text, max(p.Width-9, 20)) {
			label := "         "
			if i == 0 {
				label = s.Warn.Render("‖ Halted ")
			}
			rows = append(rows, row{text: label + strings.TrimLeft(l, " ")})
		}
		rows = append(rows, row{text: "         advancing waits for R (resume) or `nnspatch rollout resume`"})
	}
	if a := st.Abandoned; a != nil {
		rows = append(rows, row{text: s.Bad.Render("✗ Abandoned ") + fmt.Sprintf("%s by %s: %s", common.Stamp(a.At), common.Short(common.Line(a.By), 11), common.Line(a.Reason))})
	}
	if len(st.Blockers) > 0 && !g.Ready {
		rows = append(rows, row{text: s.Section.Render("Waiting on")})
		for _, b := range st.Blockers {
			rows = append(rows, row{text: s.Warn.Render("  ! ") + common.Line(b)})
		}
	}
	rows = append(rows, row{text: s.Section.Render("Batches")})
	for _, b := range st.Batches {
		rows = append(rows, row{text: fmt.Sprintf("  %s batch %d · %s · starts %s", b.State.Symbol(), b.Batch, b.State, common.Stamp(b.Start))})
		for _, sub := range b.Subnets {
			rows = append(rows, row{text: p.subnetLine(sub), proposal: sub.Proposal})
		}
	}
	if !st.UnassignedStart.IsZero() || st.Unassigned.State != "" {
		u := st.Unassigned
		rows = append(rows, row{text: fmt.Sprintf("  %s unassigned nodes · %s · %s", u.State.Symbol(), u.State, common.Line(u.Detail)), proposal: u.Proposal})
	}
	return rows
}

// actionKey is the page's key for a glance command.
var actionKey = map[string]string{
	"rollout advance": "a", "rollout resume": "R", "release disclose": "D", "rollout plan": "P", "rollback plan": "5,p",
}

// glance is the header read at a glance: targets patched, the current
// batch and its gate, the next action and when, the quiet period, alerts.
func (p *Page) glance(st *rollout.Status, g rollout.Glance) []row {
	s := p.Styles
	var rows []row
	if g.Targets > 0 {
		rows = append(rows, row{text: s.Label.Render("Patched  ") + fmt.Sprintf("%d of %d targets (subnets, unassigned nodes, API boundary nodes)", g.Patched, g.Targets)})
	}
	if b := g.Batch; b != nil {
		rows = append(rows, row{text: s.Label.Render("Batch    ") + common.Line(fmt.Sprintf("%d of %d · %s", b.Batch, len(st.Batches), g.Gate))})
	}
	next := g.Action
	switch {
	case g.Ready:
		next = s.Good.Render("now: ") + next
	case !g.At.IsZero():
		next += fmt.Sprintf(" · %s (%s)", inWords(g.At.Sub(st.Now)), g.At.UTC().Format("01-02 15:04Z"))
	}
	if k := actionKey[g.Command]; k != "" && (g.Ready || !g.At.IsZero()) {
		next = "[" + k + "] " + next
	}
	rows = append(rows, row{text: s.Label.Render("Next     ") + common.Line(next)})
	rows = append(rows, row{text: s.Label.Render("Quiet    ") + p.quietLine(st, g)})
	for _, a := range g.Alerts {
		age := "age unknown"
		if !a.Since.IsZero() {
			age = "for " + common.Countdown(st.Now.Sub(a.Since))
		}
		rows = append(rows, row{text: s.Bad.Render("Alert    ") + common.Line(fmt.Sprintf("%s %s · %s", common.Short(a.Subnet, 11), a.Detail, age))})
	}
	return rows
}

// inWords is a time until, "in 1h59m", or "due now" once it passed.
func inWords(d time.Duration) string {
	if d <= 0 {
		return "due now"
	}
	return "in " + common.Countdown(d)
}

func stateWord(s rollout.RolloutState) string {
	switch s {
	case rollout.RolloutComplete:
		return "✓ " + string(s)
	case rollout.RolloutFailed, rollout.RolloutElectFailed, rollout.RolloutAbandoned:
		return "✗ " + string(s)
	case rollout.RolloutHalted:
		return "‖ " + string(s)
	case rollout.RolloutRolledBack:
		return "↩ " + string(s)
	}
	return "… " + string(s)
}

func (p *Page) electionLine(st *rollout.Status) string {
	e := st.Election
	line := " " + p.Styles.Label.Render("Election ")
	if e.Proposal != 0 {
		line += fmt.Sprintf("#%d ", e.Proposal)
	}
	line += e.Status
	if e.Tally.Total > 0 {
		line += fmt.Sprintf(" · yes %.1f%% no %.1f%%", e.Tally.Percent(e.Tally.Yes), e.Tally.Percent(e.Tally.No))
	}
	if e.FailureReason != "" {
		line += " · ✗ " + common.Line(e.FailureReason)
	}
	if e.Next != "" {
		line += " · next: " + common.Line(e.Next)
	}
	return line
}

func (p *Page) quietLine(st *rollout.Status, g rollout.Glance) string {
	q := st.Quiet
	switch {
	case st.Disclosure != nil:
		return "✓ source disclosed " + common.Stamp(st.Disclosure.At) + " at " + common.Line(st.Disclosure.SourceURL)
	case q.Void || !q.Started || q.Over:
		return common.Line(g.Quiet)
	}
	return fmt.Sprintf("day %d of %d · disclosure due %s (%s)", q.Day, q.Days, common.Stamp(q.End), inWords(q.End.Sub(st.Now)))
}

// subnetLine is a subnet's state, proposal and checks: ✗ only for the
// checks of a subnet whose gate failed (the rollout's verdict), … for a
// check still waiting (e.g. finalization not judged yet during the bake).
func (p *Page) subnetLine(sub rollout.SubnetStatus) string {
	line := fmt.Sprintf("    %s %s %s", sub.State.Symbol(), common.Short(sub.Subnet, 11), common.Pad(string(sub.State), 20))
	if sub.Proposal != 0 {
		line += fmt.Sprintf(" #%d", sub.Proposal)
	}
	if sub.State == rollout.StateBaking {
		line += " bake " + common.Countdown(sub.BakeLeft)
	}
	var bad, waiting []string
	for _, c := range sub.Checks {
		switch {
		case c.OK:
		case sub.State == rollout.StateFailed:
			bad = append(bad, "✗ "+c.Name)
		default:
			waiting = append(waiting, "… "+c.Name)
		}
	}
	switch {
	case len(bad) > 0:
		line += " " + p.Styles.Bad.Render(strings.Join(bad, " "))
	case len(waiting) > 0:
		line += " " + p.Styles.Warn.Render(strings.Join(waiting, " "))
	case len(sub.Checks) > 0:
		line += " " + p.Styles.Good.Render("✓ healthy")
	}
	if sub.Detail != "" {
		line += " · " + common.Line(sub.Detail)
	}
	return line
}
