package proposals

import (
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/components/tallybar"
)

// Column widths of a row; the title takes what is left.
const (
	markW    = 2 // selection marker
	unvotedW = 2 // "● " when my neurons have not voted
	idW      = 8
	statusW  = 9
	barW     = 19
	endsW    = 7
	fixedW   = markW + unvotedW + idW + statusW + barW + endsW
	minTitle = 10
)

// UnvotedGlyph marks open proposals some of my neurons have not voted on.
const UnvotedGlyph = "●"

// row is one proposal, laid out once when the data or the width changes,
// so drawing a screen only copies the visible rows.
type row struct {
	id       uint64
	topic    governance.Topic
	status   governance.Status
	unvoted  bool
	key      string // lower-case title and id, for search
	text     string // id, title, status and bar: everything but the countdown
	deadline time.Time
	canFlip  bool
}

// Unvoted reports whether p is open and one of the caller's neurons has
// a ballot it has not cast.
func Unvoted(p governance.Proposal) bool {
	if p.Status != governance.StatusOpen {
		return false
	}
	for _, b := range p.Ballots {
		if b.Vote == governance.VoteUnspecified {
			return true
		}
	}
	return false
}

func titleWidth(width int) int {
	return max(width-fixedW-1, minTitle)
}

func newRow(p governance.Proposal, width int) row {
	title := common.Line(p.Title)
	r := row{id: p.ID, topic: p.Topic, status: p.Status, unvoted: Unvoted(p),
		key:      strings.ToLower(title) + fmt.Sprintf(" %d", p.ID),
		deadline: p.Deadlines.Current, canFlip: p.Status == governance.StatusOpen && p.Tally.CanFlip()}
	mark := "  "
	if r.unvoted {
		mark = UnvotedGlyph + " "
	}
	r.text = mark + common.Fit(fmt.Sprintf("%7d", p.ID), idW) + common.Fit(title, titleWidth(width)) + " " +
		common.Fit(p.Status.String(), statusW-1) + " " + tallybar.Plain(p.Tally, barW-1) + " "
	return r
}

// ends is the countdown column: time left until the wait-for-quiet
// deadline, with "+" when a flip of the leading side would extend it.
func (r row) ends(now time.Time) string {
	if r.status != governance.StatusOpen {
		return common.Fit("—", endsW)
	}
	s := common.Countdown(r.deadline.Sub(now))
	if r.canFlip {
		s += "+"
	}
	return common.Fit(s, endsW)
}

func header(width int) string {
	return "    " + common.Fit("     ID", idW) + common.Fit("Title", titleWidth(width)) + " " +
		common.Fit("Status", statusW-1) + " " + common.Fit("Tally ¦3% │50%", barW-1) + " " + common.Fit("Ends", endsW)
}
