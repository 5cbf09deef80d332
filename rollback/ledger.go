package rollback

import (
	"context"

	"github.com/nnspatch/nnspatch/governance/rollout"
)

// ReleaseLedger is the Ledger of a release directory, kept by the rollout
// package. A halt abandons the release with the reason (the rollout then
// refuses to advance: rollout.ErrAbandoned) and is logged as a rollback
// action, like every rollback proposal.
type ReleaseLedger struct {
	Tracker *rollout.Tracker
}

// Halted implements Ledger.
func (l ReleaseLedger) Halted(context.Context) (bool, error) {
	led, err := l.Tracker.Store.Read()
	if err != nil {
		return false, err
	}
	return led.Abandoned != nil, nil
}

// Halt implements Ledger; halting a halted rollout does nothing.
func (l ReleaseLedger) Halt(ctx context.Context, reason string) error {
	if h, err := l.Halted(ctx); err != nil || h {
		return err
	}
	if err := l.Tracker.RecordEvent(ctx, "rollback", "rollout halted for a rollback: "+reason, 0); err != nil {
		return err
	}
	return l.Tracker.Abandon(ctx, "halted for a rollback: "+reason)
}

// Record implements Ledger.
func (l ReleaseLedger) Record(ctx context.Context, detail string, proposal uint64) error {
	return l.Tracker.RecordEvent(ctx, "rollback", detail, proposal)
}
