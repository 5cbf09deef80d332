package rollback

import (
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	rb "github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/tui/common"
)

// View implements tea.Model.
func (p *Page) View() string {
	if len(p.releases) == 0 {
		return common.Clip(p.Styles.Muted.Render("no release found: put release directories in releases_dir, or pass --release DIR"), p.Width, p.Height)
	}
	e := p.entries[p.sel()]
	lines := []string{p.picker()}
	switch {
	case e.plan != nil:
		lines = append(lines, p.planLines(e)...)
	case e.planning:
		lines = append(lines, "… planning: reading the registry and its history")
	case !e.loaded:
		lines = append(lines, p.Styles.Muted.Render("… reading the rollback state"))
	default:
		lines = append(lines, "No rollback under way.", "",
			"Press p to plan one: the failing subnets go back to their last good",
			"version (with no failure detected: every target running the release,",
			"as with --all-targets). Nothing is submitted until you press s and confirm.")
	}
	return p.frame(lines, p.tail(e))
}

// frame keeps the picker in view, scrolls the rest and puts tail last.
func (p *Page) frame(lines, tail []string) string {
	h := max(p.Height-len(tail), 1)
	head, rest := lines[:1], lines[1:]
	p.scroll = min(p.scroll, max(len(rest)-(h-1), 0))
	rest = rest[p.scroll:]
	all := append(head, rest...)
	if len(all) > h {
		all = all[:h]
	}
	for len(all) < h {
		all = append(all, "")
	}
	return common.Clip(strings.Join(append(all, tail...), "\n"), p.Width, p.Height)
}

func (p *Page) tail(e entry) []string {
	switch {
	case p.confirm:
		return []string{p.Styles.Warn.Render(fmt.Sprintf("Submit rollback of %s (%d steps, each when due)? y confirm · n cancel",
			common.Short(p.releases[p.sel()].Name, 12), len(e.plan.Steps)))}
	case e.following && e.busy:
		return []string{"… submitting due steps"}
	case e.following:
		return []string{"… following: due steps are submitted on every refresh"}
	}
	return nil
}

func (p *Page) picker() string {
	names := make([]string, len(p.releases))
	for i, r := range p.releases {
		names[i] = r.Name
	}
	return common.Picker(p.Styles, "Release ", names, p.sel(), p.Width)
}

// planLines shows the plan, merged with the progress once it started.
func (p *Page) planLines(e entry) []string {
	s, pl := p.Styles, e.plan
	lines := []string{
		common.Line(fmt.Sprintf("Rollback of GuestOS %s · %s · %s", common.Short(pl.Release, 8), pl.Mode, p.progressWord(e))),
		s.Label.Render("Planned  ") + fmt.Sprintf("%s at registry version %d", common.Stamp(pl.Created), pl.RegistryVersion),
	}
	lines = append(lines, p.wrap(s.Label.Render("Failed   "), common.Line(pl.Problem))...)
	lines = append(lines, s.Section.Render("Targets"))
	for _, t := range pl.Targets {
		lines = append(lines, targetLine(t)+p.healthNote(e, t))
	}
	lines = append(lines, s.Section.Render("Steps"))
	for i, st := range pl.Steps {
		var ss *rb.StepStatus
		if e.status != nil && i < len(e.status.Steps) {
			ss = &e.status.Steps[i]
		}
		lines = append(lines, p.stepLines(st, ss)...)
	}
	return lines
}

func (p *Page) progressWord(e entry) string {
	switch {
	case e.status != nil && e.status.Done && !e.recovered():
		return "✓ steps done · … targets recovering"
	case e.status != nil && e.status.Done && len(e.targets()) > 0:
		return "✓ done · targets healthy"
	case e.status != nil && e.status.Done:
		return "✓ done"
	case e.status != nil && failedStep(e.status):
		return "✗ a step failed"
	case e.started:
		return "… in progress"
	}
	return "not submitted"
}

func failedStep(st *rb.Status) bool {
	for _, s := range st.Steps {
		if s.State == rb.StateFailed {
			return true
		}
	}
	return false
}

func targetLine(t rb.Target) string {
	name := "unassigned nodes"
	if t.Subnet != "" {
		name = common.Short(t.Subnet, 11)
	}
	mark, note := "·", ""
	if t.Failing {
		mark, note = "✗", " failing"
	}
	if !t.RestoreElected {
		note += " · re-elect first"
	}
	return common.Line(fmt.Sprintf("  %s %s %s → %s%s", mark, common.Pad(name, 16), common.Short(t.Current, 8), common.Short(t.Restore, 8), note))
}

// healthNote is a subnet target's health on its restored version, once
// observed, as the library states each check: ✓ healthy, "… check" (dim)
// for a check with no verdict yet, "✗ check" for a failed one. While the
// version itself waits, the other checks wait on it and are not listed.
func (p *Page) healthNote(e entry, t rb.Target) string {
	for _, h := range e.targets() {
		if h.Subnet != t.Subnet {
			continue
		}
		if h.Healthy() {
			return " · " + p.Styles.Good.Render("✓ healthy")
		}
		var parts []string
		for _, c := range h.Checks {
			switch c.State {
			case rb.CheckWaiting:
				parts = append(parts, p.Styles.Muted.Render("… "+c.Name))
			case rb.CheckFailed:
				parts = append(parts, p.Styles.Bad.Render("✗ "+c.Name))
			}
			if c.Name == health.CheckVersion && c.State == rb.CheckWaiting {
				break
			}
		}
		return " · " + strings.Join(parts, " ")
	}
	return ""
}

// stepLines is a step's headline with its state and proposal, then its
// precondition, expected state and latest detail, wrapped.
func (p *Page) stepLines(s rb.Step, ss *rb.StepStatus) []string {
	mark, state := "·", ""
	if ss != nil {
		mark, state = stateMark(ss.State), " · "+string(ss.State)
		if ss.Proposal != 0 {
			state += fmt.Sprintf(" · #%d", ss.Proposal)
			if ss.ProposalStatus != governance.StatusUnknown {
				state += " " + ss.ProposalStatus.String()
			}
		}
	}
	out := []string{fmt.Sprintf("  %s %d. %s%s", mark, s.N, common.Line(headline(s)), state)}
	out = append(out, p.wrap("       before: ", common.Line(s.Precondition.Text))...)
	out = append(out, p.wrap("       after:  ", common.Line(s.Expect.Text))...)
	if ss != nil && ss.Detail != "" && ss.State != rb.StateDone {
		out = append(out, p.wrap("       now:    ", common.Line(ss.Detail))...)
	}
	return out
}

// wrap puts text after prefix and breaks it to the page width, indenting
// continuations as far as the prefix.
func (p *Page) wrap(prefix, text string) []string {
	pw := common.Width(prefix)
	ls := common.Wrap(text, max(p.Width-pw, 20))
	for i := range ls {
		if i == 0 {
			ls[i] = prefix + ls[i]
		} else {
			ls[i] = strings.Repeat(" ", pw) + strings.TrimLeft(ls[i], " ")
		}
	}
	return ls
}

func stateMark(s rb.StepState) string {
	switch s {
	case rb.StateDone:
		return "✓"
	case rb.StateFailed:
		return "✗"
	case rb.StatePending:
		return "·"
	}
	return "…"
}

// headline says what a step does in one line.
func headline(s rb.Step) string {
	switch s.Kind {
	case rb.StepHalt:
		return "halt the rollout"
	case rb.StepReelect:
		return "re-elect GuestOS " + common.Short(s.Version, 12)
	case rb.StepUnassigned:
		return "roll the unassigned nodes back to " + common.Short(s.Version, 8)
	case rb.StepAPIBoundary:
		return fmt.Sprintf("roll %d API boundary node(s) back to %s", len(s.Nodes), common.Short(s.Version, 8))
	}
	return fmt.Sprintf("roll subnet %s back to %s", common.Short(s.Subnet, 11), common.Short(s.Version, 8))
}
