package main

import (
	"fmt"
	"io"

	"github.com/nnspatch/nnspatch/governance"
)

// writeVoteSummary prints what a vote is about to do: the proposal's title
// and, for each neuron, the voting power of its ballot (governance returns
// the ballots of the caller's neurons only).
func writeVoteSummary(w io.Writer, p governance.Proposal, v governance.Vote, neurons []uint64) {
	fmt.Fprintf(w, "Vote %s on proposal %d: %s\n", v, p.ID, governance.SanitizeLine(p.Title))
	fmt.Fprintf(w, "  status %s, topic %s\n", p.Status, p.Topic)
	ballots := map[uint64]governance.Ballot{}
	for _, b := range p.Ballots {
		ballots[b.Neuron] = b
	}
	for _, n := range neurons {
		b, ok := ballots[n]
		switch {
		case !ok:
			fmt.Fprintf(w, "  neuron %d: no ballot (not controlled by this identity, not eligible when the proposal was made, or rewards already settled)\n", n)
		case b.Vote != governance.VoteUnspecified:
			fmt.Fprintf(w, "  neuron %d: voting power %s, already voted %s\n", n, votingPowerText(b.VotingPower), b.Vote)
		default:
			fmt.Fprintf(w, "  neuron %d: voting power %s\n", n, votingPowerText(b.VotingPower))
		}
	}
}
