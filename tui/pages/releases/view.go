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

// body is the release's rows: its header, glance and election, then its
// kind's own structure.
func (p *Page) body(v *rollout.View) []row {
	s := p.Styles
	sum := v.Summary()
	g := v.Glance()
	rows := []row{{text: fmt.Sprintf("%s %s · %s · %s", kindLabel(v.Kind), common.Short(sum.Version, 12), sum.Mode, stateWord(sum.State))}}
	rows = append(rows, p.glance(sum, g)...)
	if sum.HasElection {
		rows = append(rows, row{text: p.electionLine(sum.Election), proposal: sum.Election.Proposal})
	}
	if h := sum.Halted; h != nil {
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
	if a := sum.Abandoned; a != nil {
		rows = append(rows, row{text: s.Bad.Render("✗ Abandoned ") + fmt.Sprintf("%s by %s: %s", common.Stamp(a.At), common.Short(common.Line(a.By), 11), common.Line(a.Reason))})
	}
	if len(sum.Blockers) > 0 && !g.Ready {
		rows = append(rows, row{text: s.Section.Render("Waiting on")})
		for _, b := range sum.Blockers {
			rows = append(rows, row{text: s.Warn.Render("  ! ") + common.Line(b)})
		}
	}
	switch {
	case v.HostOS != nil:
		return append(rows, p.hostOSRows(v.HostOS)...)
	case v.Canister != nil:
		return append(rows, p.canisterRows(v.Canister)...)
	}
	return append(rows, p.batchRows(v.GuestOS)...)
}

// kindLabel heads the release's first row by its kind.
func kindLabel(kind string) string {
	switch kind {
	case rollout.ReleaseHostOS:
		return "HostOS"
	case rollout.ReleaseCanister:
		return "NNS canisters"
	}
	return "Version"
}

// batchRows are a GuestOS release's batches with per-subnet state and
// health, then the unassigned nodes.
func (p *Page) batchRows(st *rollout.Status) []row {
	rows := []row{{text: p.Styles.Section.Render("Batches")}}
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

// hostOSRows are a HostOS release's stages: failed nodes against the
// stage's tolerance, then each batch with its proposal and the nodes down
// or rolled back on it.
func (p *Page) hostOSRows(st *rollout.HostOSStatus) []row {
	s := p.Styles
	rows := []row{{text: s.Section.Render("Stages")}}
	if len(st.Stages) == 0 {
		return append(rows, row{text: s.Muted.Render("  no plan yet: P plans the stages (canary → main → unassigned → stragglers)")})
	}
	for _, sg := range st.Stages {
		line := fmt.Sprintf("  %s %s · %s · %d nodes, %d failed, tolerance %.0f%%", sg.State.Symbol(), sg.Name, sg.State, sg.Nodes, sg.Failed, sg.Tolerance*100)
		if sg.Exceeded {
			line += " " + s.Bad.Render("✗ over tolerance")
		}
		rows = append(rows, row{text: line})
		for _, b := range sg.Batches {
			text := fmt.Sprintf("    %s batch %-3d %s %4d nodes · starts %s", b.State.Symbol(), b.Batch, common.Pad(string(b.State), 20), b.Nodes, common.Stamp(b.Start))
			if b.Proposal.ID != 0 {
				text += fmt.Sprintf(" #%d", b.Proposal.ID)
			}
			rows = append(rows, row{text: text, proposal: b.Proposal.ID})
			for _, id := range b.Down {
				rows = append(rows, row{text: s.Bad.Render("      ✗ down ") + common.Short(id, 29)})
			}
			for _, id := range b.RolledBack {
				rows = append(rows, row{text: s.Warn.Render("      ↩ rolled back ") + common.Short(id, 29)})
			}
		}
	}
	return rows
}

// canisterRows are an NNS canister release's canisters in upgrade order:
// state and InstallCode proposal, then the expected module hash (the
// wasm's SHA-256) against the one installed on chain, whole (they wrap
// rather than being cut).
func (p *Page) canisterRows(st *rollout.CanisterStatus) []row {
	s := p.Styles
	rows := []row{{text: s.Section.Render("Canisters")}}
	for i, c := range st.Canisters {
		line := fmt.Sprintf("  %s %d. %s (%s) · %s", c.State.Symbol(), i+1, c.Name, common.Short(c.Canister, 11), c.State)
		if c.Proposal.ID != 0 {
			line += fmt.Sprintf(" #%d", c.Proposal.ID)
		}
		if c.Detail != "" {
			line += " · " + common.Line(c.Detail)
		}
		rows = append(rows, row{text: line, proposal: c.Proposal.ID})
		mark := s.Warn.Render("✗ differs")
		if c.ModuleHash == c.WasmSHA256 {
			mark = s.Good.Render("✓ matches")
		}
		rows = append(rows, p.hashRows("expected  ", c.WasmSHA256, "")...)
		rows = append(rows, p.hashRows("installed ", orNone(c.ModuleHash), " "+mark)...)
		if c.Previous != "" {
			rows = append(rows, p.hashRows("previous  ", c.Previous, "")...)
		}
	}
	return rows
}

// hashRows shows a hash after its label, wrapped (never cut) when the
// page is narrower than the row.
func (p *Page) hashRows(label, hash, suffix string) []row {
	const indent = "      "
	text := indent + p.Styles.Label.Render(label) + hash + suffix
	if common.Width(text) <= p.Width || p.Width <= 0 {
		return []row{{text: text}}
	}
	var rows []row
	for i, l := range common.Wrap(hash+suffix, max(p.Width-len(indent)-len(label), 16)) {
		lead := indent + strings.Repeat(" ", len(label))
		if i == 0 {
			lead = indent + p.Styles.Label.Render(label)
		}
		rows = append(rows, row{text: lead + strings.TrimLeft(l, " ")})
	}
	return rows
}

func orNone(h string) string {
	if h == "" {
		return "(none)"
	}
	return h
}

// actionKey is the page's key for a glance command.
var actionKey = map[string]string{
	"rollout advance": "a", "rollout resume": "R", "release disclose": "D", "rollout plan": "P", "rollback plan": "5,p",
}

// glance is the header read at a glance: targets patched, the current
// batch and its gate, the next action and when, the quiet period, alerts.
func (p *Page) glance(st rollout.Summary, g rollout.Glance) []row {
	s := p.Styles
	var rows []row
	if g.Targets > 0 {
		rows = append(rows, row{text: s.Label.Render("Patched  ") + fmt.Sprintf("%d of %d %s", g.Patched, g.Targets, g.Unit)})
	}
	if g.Step != "" {
		rows = append(rows, row{text: s.Label.Render(fmt.Sprintf("%-9s", g.StepName)) + common.Line(g.Step+" · "+g.Gate)})
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

func (p *Page) electionLine(e rollout.ElectionStatus) string {
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

func (p *Page) quietLine(st rollout.Summary, g rollout.Glance) string {
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
