package proposals

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/components/tallybar"
)

// Column widths of a row; the title takes what is left.
const (
	markW    = 2 // selection marker
	unvotedW = 2 // "● " when a neuron in use has not voted
	idW      = 7
	topicW   = 11
	statusW  = 9
	barW     = 15
	endsW    = 7
	fixedW   = markW + unvotedW + idW + topicW + statusW + barW + endsW
	minTitle = 10
)

// UnvotedGlyph marks open proposals a neuron in use has not voted on.
const UnvotedGlyph = "●"

// topicLabels are the topics' names short enough for the topic column.
var topicLabels = map[governance.Topic]string{
	0: "—", 1: "Neuron", 2: "XDR rate", 3: "Economics", 4: "Governance", 5: "Node admin",
	6: "Participant", 7: "Subnet", 8: "App canist", 9: "KYC", 10: "NP rewards", 11: "SNS sale",
	governance.TopicIcOsVersionDeployment: "OS deploy", governance.TopicIcOsVersionElection: "OS elect",
	14: "SNS & CF", 15: "API nodes", 16: "Rental", governance.TopicProtocolCanisterMgmt: "Protocol",
	18: "SNS mgmt",
}

// TopicLabel is the topic's name in the topic column.
func TopicLabel(t governance.Topic) string {
	if l, ok := topicLabels[t]; ok {
		return l
	}
	return t.String()
}

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

// Unvoted reports whether p is open and one of neurons (the neurons in
// use: --neuron or the config's) has a ballot it has not cast. Ballots of
// other neurons the identity controls or holds a hot key of do not count.
func Unvoted(p governance.Proposal, neurons []uint64) bool {
	if p.Status != governance.StatusOpen {
		return false
	}
	for _, b := range p.Ballots {
		if b.Vote == governance.VoteUnspecified && slices.Contains(neurons, b.Neuron) {
			return true
		}
	}
	return false
}

func titleWidth(width int) int {
	return max(width-fixedW-1, minTitle)
}

func newRow(p governance.Proposal, width int, neurons []uint64) row {
	title := common.Line(p.Title)
	r := row{id: p.ID, topic: p.Topic, status: p.Status, unvoted: Unvoted(p, neurons),
		key:      strings.ToLower(title) + fmt.Sprintf(" %d", p.ID),
		deadline: p.Deadlines.Current, canFlip: p.Status == governance.StatusOpen && p.Tally.CanFlip()}
	mark := "  "
	if r.unvoted {
		mark = UnvotedGlyph + " "
	}
	r.text = mark + common.Fit(fmt.Sprintf("%6d", p.ID), idW) + common.Fit(title, titleWidth(width)) + " " +
		common.Fit(TopicLabel(p.Topic), topicW-1) + " " + common.Fit(p.Status.String(), statusW-1) + " " +
		tallybar.Plain(p.Tally, barW-1) + " "
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
	return "    " + common.Fit("    ID", idW) + common.Fit("Title", titleWidth(width)) + " " +
		common.Fit("Topic", topicW-1) + " " + common.Fit("Status", statusW-1) + " " +
		common.Fit("Tally ¦3% │50%", barW-1) + " " + common.Fit("Ends", endsW)
}
