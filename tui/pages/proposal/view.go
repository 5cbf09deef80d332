package proposal

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/components/tallybar"
)

// View implements tea.Model.
func (p *Page) View() string {
	if p.prop == nil {
		msg := "no proposal open; pick one on the Proposals page (1) and press enter"
		if p.loading {
			msg = fmt.Sprintf("loading proposal %d…", p.id)
		}
		return common.Clip(p.Styles.Muted.Render(msg), p.Width, p.Height)
	}
	footer := p.footer()
	bodyH := max(p.Height-len(footer), 1)
	lines := p.body()
	p.scroll = min(p.scroll, max(len(lines)-bodyH, 0))
	lines = lines[p.scroll:]
	return common.Clip(strings.Join(append(fitLines(lines, bodyH), footer...), "\n"), p.Width, p.Height)
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

func (p *Page) body() []string {
	pr, st := p.prop, p.Styles
	now := p.Now()
	lines := []string{st.Title.Render(common.Fit(fmt.Sprintf("#%d %s", pr.ID, common.Line(pr.Title)), p.Width))}
	if b := p.badge(); b != "" {
		lines = append(lines, st.Badge.Render(b))
	}
	lines = append(lines, fmt.Sprintf("%s · %s · proposer %d · created %s",
		pr.Topic, statusWord(pr), pr.Proposer, common.Stamp(pr.Deadlines.Created)))
	lines = append(lines, p.tallyLines()...)
	lines = append(lines, p.deadlineLines(now)...)
	lines = append(lines, p.ballotLine())
	if pr.URL != "" {
		lines = append(lines, st.Label.Render("URL      ")+common.Line(pr.URL))
	}
	if pr.FailureReason != "" {
		lines = append(lines, st.Bad.Render("✗ failed: ")+common.Line(pr.FailureReason))
	}
	lines = append(lines, p.payloadLines()...)
	lines = append(lines, st.Section.Render("Summary"))
	for _, l := range strings.Split(common.Text(pr.Summary), "\n") {
		lines = append(lines, "  "+l)
	}
	return lines
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

// badge is the withheld-source badge of a security patch election.
func (p *Page) badge() string {
	if !governance.IsSecurityPatch(*p.prop) {
		return ""
	}
	due := fmt.Sprintf("source disclosed ≤ %d days after the rollout completes", proposals.DisclosureDays)
	if v := p.electedVersion(); v != "" && p.disclosure != nil {
		if t, ok := p.disclosure(v); ok {
			due = "disclosure due " + common.Stamp(t) + " (in " + common.Countdown(t.Sub(p.Now())) + ")"
		}
	}
	return "⚠ WITHHELD SOURCE · " + due
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
	barW := max(p.Width-9, 10)
	check := func(ok bool, yes, no string) string {
		if ok {
			return st.Good.Render("✓ " + yes)
		}
		return st.Warn.Render("✗ " + no)
	}
	return []string{
		st.Label.Render("Tally    ") + tallybar.Render(t, barW, st),
		fmt.Sprintf("         yes %.2f%% · no %.2f%% · undecided %.2f%%", t.Percent(t.Yes), t.Percent(t.No), t.Percent(t.Undecided())),
		"         " + check(t.QuorumMet(), "quorum 3% met", "quorum 3% not met") + " · " +
			check(t.AbsoluteMajorityYes(), "absolute majority yes", "no absolute majority") + " · " + outlook(p.prop),
	}
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
	pr, lbl := p.prop, p.Styles.Label.Render("Deadline ")
	d := pr.Deadlines
	if pr.Status != governance.StatusOpen {
		return []string{lbl + "closed · decided " + common.Stamp(pr.Decided)}
	}
	first := lbl + fmt.Sprintf("in %s (%s)", common.Countdown(d.Left(now)), common.Stamp(d.Current))
	if !pr.Tally.CanFlip() {
		return []string{first + " · the outcome cannot flip: the deadline holds"}
	}
	return []string{first, fmt.Sprintf("         + wait-for-quiet: flip → %s · max %s",
		common.Stamp(d.AfterFlip(now)), common.Stamp(d.Max))}
}

func (p *Page) ballotLine() string {
	lbl := p.Styles.Label.Render("Ballots  ")
	if len(p.prop.Ballots) == 0 {
		return lbl + "none of my neurons can vote on this proposal"
	}
	var parts []string
	for _, b := range p.prop.Ballots {
		v := b.Vote.String()
		if b.Vote == governance.VoteUnspecified {
			v = "● not voted"
		}
		parts = append(parts, fmt.Sprintf("neuron %d: %s", b.Neuron, v))
	}
	return lbl + strings.Join(parts, " · ")
}

func (p *Page) payloadLines() []string {
	a := p.prop.Action
	head := p.Styles.Section.Render("Payload") + " " + a.Kind
	if a.Kind == "ExecuteNnsFunction" {
		head += " " + proposals.NnsFunction(a.NNSFunction).String()
	}
	lines := []string{head}
	switch {
	case a.Kind == "Motion":
		lines = append(lines, "  motion_text: "+common.Line(a.MotionText))
	case p.decErr != nil:
		lines = append(lines, p.Styles.Bad.Render("  ✗ cannot decode: ")+p.decErr.Error())
	case len(a.Payload) == 0 && a.Kind == "ExecuteNnsFunction":
		lines = append(lines, "  (payload not loaded)")
	}
	for _, f := range p.fields {
		lines = append(lines, "  "+f.Key+": "+common.Line(f.Value))
	}
	if h := a.PayloadSHA256(); h != "" {
		lines = append(lines, "  payload sha256: "+h)
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
		out = append(out, st.Render(common.Fit(common.Line(p.verdict), p.Width)))
	}
	switch p.mode {
	case modeConfirmVote:
		out = append(out, p.Styles.Warn.Render(fmt.Sprintf("Vote %s on #%d with neuron(s) %s?  y confirm · n cancel",
			strings.ToUpper(p.vote.String()), p.prop.ID, joinIDs(p.neurons))))
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
		return []key.Binding{k.Open, k.Back}
	}
	return []key.Binding{k.VoteYes, k.VoteNo, k.Verify, k.Up, k.Down, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.Keys
	return [][]key.Binding{{k.VoteYes, k.VoteNo, k.Verify, k.Up, k.Down, k.Refresh}}
}
