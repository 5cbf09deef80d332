package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance"
)

// Voter is what Tracker.Vote needs besides Governance; governance.Client
// has it.
type Voter interface {
	Vote(ctx context.Context, neuron, proposal uint64, v governance.Vote) error
}

// ErrCannotVote reports a Tracker whose Gov cannot vote.
var ErrCannotVote = errors.New("governance client cannot vote")

// Vote casts the tracker's neuron's vote on proposal (0: the release's
// election) and records it in the audit log.
func (t *Tracker) Vote(ctx context.Context, proposal uint64, v governance.Vote) (uint64, error) {
	voter, ok := t.Gov.(Voter)
	if !ok {
		return 0, ErrCannotVote
	}
	err := t.update(ctx, func(l *Ledger, now time.Time) error {
		if proposal == 0 {
			e, ok := l.Election()
			if !ok || e.ID == 0 {
				return errors.New("vote: the release has no election proposal yet; pass the proposal id")
			}
			proposal = e.ID
		}
		if err := voter.Vote(ctx, t.Neuron, proposal, v); err != nil {
			return fmt.Errorf("vote %s on proposal %d: %w", v, proposal, err)
		}
		l.Record(now, t.Actor, "vote", fmt.Sprintf("neuron %d voted %s on proposal %d", t.Neuron, v, proposal), proposal)
		return nil
	})
	return proposal, err
}
