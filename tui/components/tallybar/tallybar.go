// Package tallybar draws a proposal's tally as a one-line bar: yes votes
// from the left, no votes from the right, the undecided voting power in
// between, with the 3% quorum and the 50% absolute-majority lines marked.
// Each part has its own glyph, so the bar reads the same without colour.
//
// 3% of a short bar is less than a cell, so the quorum line gets a cell of
// its own (at least the second) and the yes votes stop short of it until
// the quorum is met and cover it from then on: a visible ¦ always means
// "quorum not met", however narrow the bar.
package tallybar

import (
	"strings"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/tui/styles"
)

// Glyphs of the bar.
const (
	YesGlyph       = '█'
	NoGlyph        = '▒'
	UndecidedGlyph = '·'
	MajorityGlyph  = '│'
	QuorumGlyph    = '¦'
)

// Cells splits width cells into yes, no and undecided counts, rounding so
// that any non-zero share gets at least one cell.
func Cells(t governance.Tally, width int) (yes, no int) {
	if t.Total == 0 || width <= 0 {
		return 0, 0
	}
	scale := func(v uint64) int {
		c := int(float64(v) / float64(t.Total) * float64(width))
		if c == 0 && v > 0 {
			c = 1
		}
		return c
	}
	yes, no = scale(t.Yes), scale(t.No)
	if yes+no > width {
		no = width - yes
	}
	return yes, no
}

// Plain renders the bar without styles: yes glyphs, undecided glyphs with
// the quorum and majority lines, no glyphs.
func Plain(t governance.Tally, width int) string {
	return string(runes(t, width))
}

// Render renders the bar with the tally styles of st.
func Render(t governance.Tally, width int, st *styles.Styles) string {
	r := runes(t, width)
	var b strings.Builder
	for i := 0; i < len(r); {
		j := i
		for j < len(r) && class(r[j]) == class(r[i]) {
			j++
		}
		seg := string(r[i:j])
		switch class(r[i]) {
		case 0:
			b.WriteString(st.Tally.Yes.Render(seg))
		case 1:
			b.WriteString(st.Tally.No.Render(seg))
		case 2:
			b.WriteString(st.Tally.Line.Render(seg))
		default:
			b.WriteString(st.Tally.Undecided.Render(seg))
		}
		i = j
	}
	return b.String()
}

func class(r rune) int {
	switch r {
	case YesGlyph:
		return 0
	case NoGlyph:
		return 1
	case MajorityGlyph, QuorumGlyph:
		return 2
	}
	return 3
}

// runes lays the bar out. The lines are drawn only over undecided cells:
// where yes (or no) votes already cover a line, the vote is what shows.
func runes(t governance.Tally, width int) []rune {
	if width <= 0 {
		return nil
	}
	r := make([]rune, width)
	yes, no := Cells(t, width)
	if q := QuorumCell(width); t.Total > 0 && q < width {
		if t.QuorumMet() {
			yes = max(yes, q+1)
		} else {
			yes = min(yes, q)
		}
		no = min(no, width-yes)
	}
	for i := range r {
		switch {
		case i < yes:
			r[i] = YesGlyph
		case i >= width-no:
			r[i] = NoGlyph
		default:
			r[i] = UndecidedGlyph
		}
	}
	mark := func(pos int, g rune) {
		if pos >= 0 && pos < width && r[pos] == UndecidedGlyph {
			r[pos] = g
		}
	}
	mark(QuorumCell(width), QuorumGlyph)
	mark(width/2, MajorityGlyph)
	return r
}

// QuorumCell is the cell of the 3% quorum line in a bar width cells wide:
// its proportional place, but never the first cell, so one cell of yes
// votes short of the quorum still leaves the line in view.
func QuorumCell(width int) int {
	return max(width*governance.QuorumPercent/100, 1)
}

// Legend explains the glyphs in one line.
func Legend() string {
	return "█ yes  ▒ no  · undecided  ¦ 3% quorum (not met while shown)  │ 50% majority"
}
