package draft

import (
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/tui/common"
)

// View implements tea.Model.
func (p *Page) View() string {
	st := p.Styles
	lines := []string{st.Title.Render("Security-patch election · GuestOS · source withheld") +
		st.Muted.Render(fmt.Sprintf("  proposer neuron %d", p.neuron))}
	for i := range p.inputs {
		mark := "  "
		switch {
		case i == p.focus && p.editing:
			mark = "▸ " // typing goes here
		case i == p.focus:
			mark = "› " // enter or e to type here
		}
		lines = append(lines, mark+common.Fit(labels[i], 13)+" "+common.Truncate(p.inputs[i].View(), max(p.Width-16, 1), ""))
	}
	body := append(p.notes(), p.problemLines()...)
	body = append(body, p.previewLines()...)
	var tail []string
	switch {
	case p.confirm && p.mainnet:
		tail = []string{st.Warn.Render(fmt.Sprintf("Submit this election to the Internet Computer MAINNET from neuron %d?", p.neuron)),
			st.Warn.Render(fmt.Sprintf("Type %s and press enter to confirm · esc cancel: %s", mainnetWord, p.typed))}
	case p.confirm:
		tail = []string{st.Warn.Render(fmt.Sprintf("Submit this election from neuron %d?  y confirm · n cancel", p.neuron))}
	case p.sending:
		tail = []string{"… preflight and submit"}
	}
	lines = append(lines, p.scrolled(body, p.Height-len(lines)-len(tail))...)
	return common.Clip(strings.Join(append(lines, tail...), "\n"), p.Width, p.Height)
}

// scrolled is the part of body in view below the form, h lines at most:
// when it does not fit, the last line says how much more there is and
// pgup/pgdn scroll it (the summary is never cut off for good).
func (p *Page) scrolled(body []string, h int) []string {
	if h <= 0 {
		return nil
	}
	if len(body) <= h {
		p.scroll = 0
		return body
	}
	view := h - 1
	p.scroll = max(min(p.scroll, len(body)-view), 0)
	out := append([]string(nil), body[p.scroll:p.scroll+view]...)
	below := len(body) - p.scroll - view
	var where []string
	if p.scroll > 0 {
		where = append(where, fmt.Sprintf("↑ %d line(s) above", p.scroll))
	}
	if below > 0 {
		where = append(where, fmt.Sprintf("↓ %d more line(s)", below))
	}
	return append(out, p.Styles.Muted.Render(strings.Join(where, " · ")+" · pgup/pgdn scroll"))
}

// notes are the hashing and measurements outcomes (or the progress bar).
func (p *Page) notes() []string {
	var out []string
	switch {
	case p.hash.Running():
		out = append(out, "  "+p.hash.View(p.Width-2))
	case p.hashNote != "":
		out = append(out, "  Artifacts:    "+common.Line(p.hashNote))
	}
	if p.measNote != "" {
		out = append(out, "  Measurements: "+common.Line(p.measNote))
	}
	return out
}

func (p *Page) problemLines() []string {
	st := p.Styles
	if p.buildErr != nil {
		return []string{st.Bad.Render("✗ " + p.buildErr.Error())}
	}
	if len(p.problems) == 0 {
		return []string{st.Good.Render("✓ no problems: ready to submit (ctrl+s)")}
	}
	out := []string{st.Section.Render(fmt.Sprintf("Problems (%d)", len(p.problems)))}
	for _, pr := range p.problems {
		sym, s := "✗", st.Bad
		if pr.Severity != "error" {
			sym, s = "!", st.Warn
		}
		// Wrapped, not cut: every problem is shown in full.
		for i, l := range common.Wrap(common.Line(pr.Path+": "+pr.Message), max(p.Width-2, 10)) {
			if i == 0 {
				out = append(out, s.Render(sym+" ")+l)
			} else {
				out = append(out, "  "+l)
			}
		}
	}
	return out
}

func (p *Page) previewLines() []string {
	r := p.preview
	if r == nil {
		return nil
	}
	out := []string{p.Styles.Section.Render("Preview"),
		"  Title:   " + common.Line(r.Title),
		fmt.Sprintf("  Topic:   %s · %s", r.Topic, r.Action)}
	meas := 0
	for _, f := range r.Payload {
		if strings.HasPrefix(f.Key, "guest_launch_measurements.") {
			meas++ // one line for all of them, so the summary stays in view
			continue
		}
		out = append(out, "  "+f.Key+": "+common.Line(f.Value))
	}
	if meas > 0 {
		out = append(out, fmt.Sprintf("  guest_launch_measurements: %d field(s), see the Measurements line", meas))
	}
	out = append(out, "  Summary:")
	for _, l := range common.Wrap(common.Text(r.Summary), max(p.Width-4, 20)) {
		out = append(out, "    "+l)
	}
	return out
}
