package tallybar

import (
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance"
)

const total = 1_000_000

// TestQuorumLineVisibleUntilMet: in bars as narrow as the list's, the 3%
// line shows exactly while the quorum is not met.
func TestQuorumLineVisibleUntilMet(t *testing.T) {
	for _, width := range []int{10, 14, 18, 33, 71} {
		for _, tc := range []struct {
			yes, no uint64
			shown   bool
		}{
			{0, 0, true},
			{total / 1000, 0, true},               // 0.1%: one yes cell, line after it
			{total * 29 / 1000, total / 10, true}, // 2.9%
			{total * 3 / 100, 0, false},           // exactly 3%: met
			{total / 10, total / 5, false},
			{total * 6 / 10, 0, false},
		} {
			tally := governance.Tally{Yes: tc.yes, No: tc.no, Total: total}
			bar := Plain(tally, width)
			if n := len([]rune(bar)); n != width {
				t.Errorf("width %d: bar %q has %d cells", width, bar, n)
			}
			if got := strings.ContainsRune(bar, QuorumGlyph); got != tc.shown {
				t.Errorf("width %d, yes %.1f%%: bar %q shows the quorum line = %v, want %v",
					width, tally.Percent(tc.yes), bar, got, tc.shown)
			}
			if tc.yes > 0 && !strings.ContainsRune(bar, YesGlyph) {
				t.Errorf("width %d: yes votes not drawn: %q", width, bar)
			}
		}
	}
}
