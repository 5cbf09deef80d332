package main

import (
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/governance"
)

// dashboardURL links a proposal on the IC dashboard.
func dashboardURL(id uint64) string {
	return fmt.Sprintf("https://dashboard.internetcomputer.org/proposal/%d", id)
}

// writeSource prints the source line of a security patch: withheld (with
// its disclosure deadline when known) or, once the release ledger records
// it, disclosed with the date and the source URL.
func writeSource(ew *errWriter, d disclosureView) {
	if dis := d.Disclosed; dis != nil {
		ew.printf("  Source:       ✓ disclosed %s, source %s\n", stamp(dis.At), governance.SanitizeLine(dis.SourceURL))
		if d.Due != nil {
			ew.printf("  Disclosure:   was due by %s\n", stamp(*d.Due))
		}
		return
	}
	ew.printf("  Source:       ⚠ withheld (security patch): only checksums are public until disclosure\n")
	if d.Due != nil {
		ew.printf("  Disclosure:   due by %s\n", stamp(*d.Due))
	}
}

// writeBallots prints the ballots governance returned: those of the
// neurons the caller controls or holds a hot key of (ballots are cleared
// once the proposal's rewards are settled).
func writeBallots(ew *errWriter, p governance.Proposal) {
	if len(p.Ballots) == 0 {
		ew.printf("\nYour ballots:   none (no neuron of this identity had a ballot, or rewards were settled)\n")
		return
	}
	ew.printf("\nYour ballots:\n")
	for _, b := range p.Ballots {
		vote := b.Vote.String()
		if b.Vote == governance.VoteUnspecified {
			vote = "not voted yet"
		}
		ew.printf("  neuron %-20d %-14s voting power %s\n", b.Neuron, vote, votingPowerText(b.VotingPower))
	}
}

// urlLabel labels a proposal's URL: governance accepts only forum threads
// (forum.dfinity.org), but older proposals may link elsewhere.
func urlLabel(u string) string {
	if strings.HasPrefix(u, "https://forum.dfinity.org/") {
		return "Forum:"
	}
	return "URL:"
}
