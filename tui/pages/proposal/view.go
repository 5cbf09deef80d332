package proposal

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/components/tallybar"
)

// labelW is the width of the labels before the detail's lines.
const labelW = 9

// View implements tea.Model: the body (wrapped to the width) from the
// scroll position, a line saying what is above and below when it does
// not fit, and the footer (verify, vote confirmation).
func (p *Page) View() string {
	if p.prop == nil {
		msg := "no proposal open; pick one on the Proposals page (1) and press enter, or # and an id there"
		if p.loading {
			msg = fmt.Sprintf("loading proposal %d…", p.id)
		}
		return common.Clip(p.Styles.Muted.Render(strings.Join(common.Wrap(msg, p.Width), "\n")), p.Width, p.Height)
	}
	footer := p.footer()
	bodyH := max(p.Height-len(footer), 1)
	lines := p.body()
	if len(lines) > bodyH {
		bodyH-- // the scroll line
		p.scroll = min(p.scroll, max(len(lines)-bodyH, 0))
		below := len(lines) - p.scroll - bodyH
		lines = append(fitLines(lines[p.scroll:], bodyH), p.scrollLine(p.scroll, below))
	} else {
		p.scroll = 0
		lines = fitLines(lines, bodyH)
	}
	return common.Clip(strings.Join(append(lines, footer...), "\n"), p.Width, p.Height)
}

// bodyHeight is the body's share of the page (without the footer).
func (p *Page) bodyHeight() int { return max(p.Height-len(p.footer()), 1) }

func (p *Page) scrollLine(above, below int) string {
	var where []string
	if above > 0 {
		where = append(where, fmt.Sprintf("↑ %d line(s) above", above))
	}
	if below > 0 {
		where = append(where, fmt.Sprintf("↓ %d more line(s)", below))
	}
	return p.Styles.Muted.Render(strings.Join(append(where, "↑↓ pgup/pgdn scroll"), " · "))
}

func fitLines(lines []string, h int) []string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

// field is a labelled value wrapped below its label; label is styled,
// text plain (already sanitized).
func (p *Page) field(label, text string) []string {
	lw := max(labelW, common.Width(label)+1)
	ls := common.Wrap(text, max(p.Width-lw, 10))
	for i := range ls {
		if i == 0 {
			ls[i] = p.Styles.Label.Render(common.Pad(label, lw)) + ls[i]
		} else {
			ls[i] = strings.Repeat(" ", lw) + ls[i]
		}
	}
	return ls
}

// styled wraps plain text to the width and styles each line.
func (p *Page) styled(st lipgloss.Style, text string) []string {
	ls := common.Wrap(text, p.Width)
	for i := range ls {
		ls[i] = st.Render(ls[i])
	}
	return ls
}

func (p *Page) body() []string {
	pr, st := p.prop, p.Styles
	now := p.Now()
	lines := p.styled(st.Title, fmt.Sprintf("#%d %s", pr.ID, common.Line(pr.Title)))
	lines = append(lines, p.badge()...)
	lines = append(lines, common.Wrap(fmt.Sprintf("%s · %s · proposer %d · created %s",
		pr.Topic, statusWord(pr), pr.Proposer, common.Stamp(pr.Deadlines.Created)), p.Width)...)
	lines = append(lines, p.tallyLines()...)
	lines = append(lines, p.deadlineLines(now)...)
	lines = append(lines, p.ballotLines()...)
	if pr.URL != "" {
		lines = append(lines, p.field("URL", common.Line(pr.URL))...)
	}
	lines = append(lines, p.field("Dashboard", DashboardURL(pr.ID)+" (o opens)")...)
	if pr.FailureReason != "" {
		lines = append(lines, p.styled(st.Bad, "✗ failed: "+common.Line(pr.FailureReason))...)
	}
	lines = append(lines, p.payloadLines()...)
	lines = append(lines, st.Section.Render("Summary"))
	lines = append(lines, common.Wrap(indent(common.Text(pr.Summary), "  "), p.Width)...)
	return lines
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// statusWord spells out the status with a symbol.
func statusWord(pr *governance.Proposal) string {
	switch pr.Status {
	case governance.StatusOpen:
		return "… open"
	case governance.StatusAdopted, governance.StatusExecuted:
		return "✓ " + pr.Status.String()
	case governance.StatusRejected, governance.StatusFailed:
		return "✗ " + pr.Status.String()
	}
	return pr.Status.String()
}

// badge is the source badge of a security patch election: disclosed,
// with the date and the source, once the release ledger records it;
// withheld before, with the disclosure deadline when it is known.
func (p *Page) badge() []string {
	if !governance.IsSecurityPatch(*p.prop) {
		return nil
	}
	if d := p.disc.Disclosed; d != nil {
		return p.styled(p.Styles.Good, "✓ SOURCE DISCLOSED "+common.Stamp(d.At)+" · source "+common.Line(d.SourceURL))
	}
	due := fmt.Sprintf("source disclosed ≤ %d days after the rollout completes", proposals.DisclosureDays)
	if t, ok := p.disclosureDue(); ok {
		due = "disclosure due " + common.Stamp(t) + " (in " + common.Countdown(t.Sub(p.Now())) + ")"
	}
	return p.styled(p.Styles.Badge, "⚠ WITHHELD SOURCE · "+due)
}

// disclosureDue is the end of the quiet period: from the release ledger,
// else from a tracked release.
func (p *Page) disclosureDue() (time.Time, bool) {
	if p.disc.Due != nil {
		return *p.disc.Due, true
	}
	if v := p.electedVersion(); v != "" && p.opts.DisclosureDue != nil {
		return p.opts.DisclosureDue(v)
	}
	return time.Time{}, false
}

func (p *Page) electedVersion() string {
	for _, f := range p.fields {
		if f.Key == "replica_version_to_elect" || f.Key == "hostos_version_to_elect" {
			return f.Value
		}
	}
	return ""
}

func (p *Page) tallyLines() []string {
	t, st := p.prop.Tally, p.Styles
	barW := max(p.Width-labelW, 10)
	check := func(ok bool, yes, no string) string {
		if ok {
			return st.Good.Render("✓ " + yes)
		}
		return st.Warn.Render("✗ " + no)
	}
	lines := []string{st.Label.Render(common.Pad("Tally", labelW)) + tallybar.Render(t, barW, st)}
	lines = append(lines, p.pack("", fmt.Sprintf("yes %.2f%%", t.Percent(t.Yes)), fmt.Sprintf("no %.2f%%", t.Percent(t.No)),
		fmt.Sprintf("undecided %.2f%%", t.Percent(t.Undecided())))...)
	return append(lines, p.pack("", check(t.QuorumMet(), "quorum 3% met", "quorum 3% not met"),
		check(t.AbsoluteMajorityYes(), "absolute majority yes", "no absolute majority"), outlook(p.prop))...)
}

// pack puts short (possibly styled) parts after a label, joined by " · ",
// starting a new line, indented like the label, where the next part would
// not fit.
func (p *Page) pack(label string, parts ...string) []string {
	const sep = " · "
	lead := p.Styles.Label.Render(common.Pad(label, labelW))
	var lines []string
	cur, w := lead, labelW
	for i, part := range parts {
		pw := common.Width(part)
		switch {
		case i == 0:
		case w+common.Width(sep)+pw <= p.Width:
			cur, w = cur+sep, w+common.Width(sep)
		default:
			lines = append(lines, cur)
			cur, w = strings.Repeat(" ", labelW), labelW
		}
		cur, w = cur+part, w+pw
	}
	return append(lines, cur)
}

func outlook(pr *governance.Proposal) string {
	t := pr.Tally
	switch {
	case pr.Status != governance.StatusOpen:
		return "decided"
	case t.AbsoluteMajorityNo():
		return "rejecting"
	case t.Adopting():
		return "adopting"
	}
	return "not adopting yet"
}

func (p *Page) deadlineLines(now time.Time) []string {
	pr := p.prop
	d := pr.Deadlines
	if pr.Status != governance.StatusOpen {
		return p.pack("Deadline", "closed", "decided "+common.Stamp(pr.Decided))
	}
	left := fmt.Sprintf("in %s (%s)", common.Countdown(d.Left(now)), common.Stamp(d.Current))
	if !pr.Tally.CanFlip() {
		return p.pack("Deadline", left, "the outcome cannot flip: the deadline holds")
	}
	return append(p.pack("Deadline", left),
		p.pack("", "+ wait-for-quiet", "a flip moves it to "+common.Stamp(d.AfterFlip(now)), "max "+common.Stamp(d.Max))...)
}

func (p *Page) ballotLines() []string {
	if len(p.prop.Ballots) == 0 {
		return p.field("Ballots", "none of my neurons can vote on this proposal")
	}
	var parts []string
	for _, b := range p.prop.Ballots {
		v := b.Vote.String()
		if b.Vote == governance.VoteUnspecified {
			v = "● not voted"
		}
		parts = append(parts, fmt.Sprintf("neuron %d: %s", b.Neuron, v))
	}
	return p.field("Ballots", strings.Join(parts, " · "))
}

func (p *Page) payloadLines() []string {
	a := p.prop.Action
	head := "Payload " + a.Kind
	if a.Kind == "ExecuteNnsFunction" {
		head += " " + proposals.NnsFunction(a.NNSFunction).String()
	}
	lines := common.Wrap(head, p.Width)
	lines[0] = p.Styles.Section.Render("Payload") + strings.TrimPrefix(lines[0], "Payload")
	switch {
	case a.Kind == "Motion":
		lines = append(lines, common.Wrap("  motion_text: "+common.Line(a.MotionText), p.Width)...)
	case p.decErr != nil:
		lines = append(lines, p.styled(p.Styles.Bad, "  ✗ cannot decode: "+common.Line(p.decErr.Error()))...)
	case len(a.Payload) == 0 && a.Kind == "ExecuteNnsFunction":
		lines = append(lines, "  (payload not loaded)")
	}
	// Wrapped, never cut: a checksum reads in full at any width.
	for _, f := range p.fields {
		lines = append(lines, common.Wrap("  "+f.Key+": "+common.Line(f.Value), p.Width)...)
	}
	if h := a.PayloadSHA256(); h != "" {
		lines = append(lines, common.Wrap("  payload sha256: "+h, p.Width)...)
	}
	return lines
}

// footer is the verify panel and the vote confirmation.
func (p *Page) footer() []string {
	var out []string
	switch {
	case p.mode == modeVerifyInput:
		out = append(out, p.input.View())
	case p.hash.Running():
		out = append(out, p.hash.View(p.Width))
	case p.verdict != "":
		st := p.Styles.Bad
		if p.verOK {
			st = p.Styles.Good
		}
		out = append(out, p.styled(st, common.Line(p.verdict))...)
	}
	switch p.mode {
	case modeConfirmVote:
		out = append(out, p.styled(p.Styles.Warn, fmt.Sprintf("Vote %s on #%d with neuron(s) %s?  y confirm · n cancel",
			strings.ToUpper(p.vote.String()), p.prop.ID, joinIDs(p.neurons)))...)
	case modeVoting:
		out = append(out, "… sending votes")
	}
	return out
}

func joinIDs(ids []uint64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	k := p.Keys
	switch p.mode {
	case modeConfirmVote:
		return []key.Binding{k.Confirm, k.Cancel}
	case modeVerifyInput:
		return []key.Binding{k.Open, k.Back, k.ClearField}
	}
	return []key.Binding{k.VoteYes, k.VoteNo, k.Verify, k.OpenURL, k.Down, k.Back, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.Keys
	return [][]key.Binding{{k.VoteYes, k.VoteNo, k.Verify, k.OpenURL, k.Refresh, k.Back},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}
