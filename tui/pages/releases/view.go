package releases

import (
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/tui/common"
)

// View implements tea.Model.
func (p *Page) View() string {
	if len(p.releases) == 0 {
		return common.Clip(p.Styles.Muted.Render("no release tracked; start with --release DIR (a release directory)"), p.Width, p.Height)
	}
	lines := []string{p.picker()}
	st := p.Status()
	if st == nil {
		lines = append(lines, p.Styles.Muted.Render("observing the release…"))
	} else {
		lines = append(lines, p.body(st)...)
	}
	var tail []string
	switch {
	case p.confirm:
		tail = []string{p.Styles.Warn.Render(fmt.Sprintf("Advance %s: submit what the plan calls for?  y confirm · n cancel", common.Short(p.releases[p.sel()].Name, 12)))}
	case p.sending:
		tail = []string{"… advancing"}
	}
	h := max(p.Height-len(tail), 1)
	head, rest := lines[:1], lines[1:]
	p.scroll = min(p.scroll, max(len(rest)-(h-1), 0))
	rest = rest[p.scroll:]
	all := append(append(head, rest...), "")
	if len(all) > h {
		all = all[:h]
	}
	return common.Clip(strings.Join(append(all, tail...), "\n"), p.Width, p.Height)
}

func (p *Page) picker() string {
	names := make([]string, len(p.releases))
	for i, r := range p.releases {
		names[i] = r.Name
	}
	return common.Picker(p.Styles, "Release ", names, p.sel(), p.Width)
}

func (p *Page) body(st *rollout.Status) []string {
	s := p.Styles
	lines := []string{
		fmt.Sprintf("Version %s · %s · %s", common.Short(st.Version, 12), st.Mode, stateWord(st.State)),
		p.electionLine(st),
		s.Label.Render("Quiet    ") + p.quietLine(st),
	}
	if h := st.Halted; h != nil {
		text := fmt.Sprintf("%s by %s: %s", common.Stamp(h.At), common.Short(common.Line(h.By), 11), common.Line(h.Reason))
		for i, l := range common.Wrap(text, max(p.Width-9, 20)) {
			label := "         "
			if i == 0 {
				label = s.Warn.Render("‖ Halted ")
			}
			lines = append(lines, label+strings.TrimLeft(l, " "))
		}
		lines = append(lines, "         advancing waits for `nnspatch rollout resume`")
	}
	if a := st.Abandoned; a != nil {
		lines = append(lines, s.Bad.Render("✗ Abandoned ")+fmt.Sprintf("%s by %s: %s", common.Stamp(a.At), common.Short(common.Line(a.By), 11), common.Line(a.Reason)))
	}
	if st.Next != nil {
		lines = append(lines, s.Label.Render("Next     ")+fmt.Sprintf("batch %d at %s (in %s)", st.Next.Batch, common.Stamp(st.Next.At), common.Countdown(st.Next.In)))
	}
	if len(st.Blockers) > 0 {
		lines = append(lines, s.Section.Render("Blocked by"))
		for _, b := range st.Blockers {
			lines = append(lines, s.Warn.Render("  ! ")+common.Line(b))
		}
	}
	lines = append(lines, s.Section.Render("Batches"))
	for _, b := range st.Batches {
		lines = append(lines, fmt.Sprintf("  %s batch %d · %s · starts %s", b.State.Symbol(), b.Batch, b.State, common.Stamp(b.Start)))
		for _, sub := range b.Subnets {
			lines = append(lines, p.subnetLine(sub))
		}
	}
	if !st.UnassignedStart.IsZero() || st.Unassigned.State != "" {
		u := st.Unassigned
		lines = append(lines, fmt.Sprintf("  %s unassigned nodes · %s · %s", u.State.Symbol(), u.State, common.Line(u.Detail)))
	}
	return lines
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
	line := p.Styles.Label.Render("Election ")
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

func (p *Page) quietLine(st *rollout.Status) string {
	q := st.Quiet
	switch {
	case st.Disclosure != nil:
		return "✓ source disclosed " + common.Stamp(st.Disclosure.At) + " at " + common.Line(st.Disclosure.SourceURL)
	case !q.Started:
		return fmt.Sprintf("not started: %d days begin when every subnet runs the patch", q.Days)
	case q.Over:
		return "✓ over since " + common.Stamp(q.End) + ": disclosure is due"
	}
	return fmt.Sprintf("day %d of %d · disclosure due %s (in %s)", q.Day, q.Days, common.Stamp(q.End), common.Countdown(q.End.Sub(st.Now)))
}

func (p *Page) subnetLine(sub rollout.SubnetStatus) string {
	line := fmt.Sprintf("    %s %s %s", sub.State.Symbol(), common.Short(sub.Subnet, 11), common.Pad(string(sub.State), 20))
	if sub.Proposal != 0 {
		line += fmt.Sprintf(" #%d", sub.Proposal)
	}
	if sub.State == rollout.StateBaking {
		line += " bake " + common.Countdown(sub.BakeLeft)
	}
	var bad []string
	for _, c := range sub.Checks {
		if !c.OK {
			bad = append(bad, "✗ "+c.Name)
		}
	}
	switch {
	case len(bad) > 0:
		line += " " + p.Styles.Bad.Render(strings.Join(bad, " "))
	case len(sub.Checks) > 0:
		line += " " + p.Styles.Good.Render("✓ healthy")
	}
	if sub.Detail != "" {
		line += " · " + common.Line(sub.Detail)
	}
	return line
}
