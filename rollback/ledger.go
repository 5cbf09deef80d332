package rollback

import (
	"context"

	"github.com/nnspatch/nnspatch/governance/rollout"
)

// ReleaseLedger is the Ledger of a release directory, kept by the rollout
// package. A halt is the rollout's own (rollout.Tracker.Halt): Advance then
// refuses with rollout.ErrHalted until `nnspatch rollout resume` lifts it,
// and the release stays alive. Every rollback proposal is logged as a
// "rollback" audit event.
type ReleaseLedger struct {
	Tracker *rollout.Tracker
}

// Halted implements Ledger: a halted or abandoned rollout makes no more
// batches.
func (l ReleaseLedger) Halted(context.Context) (bool, error) {
	led, err := l.Tracker.Store.Read()
	if err != nil {
		return false, err
	}
	return led.Halted != nil || led.Abandoned != nil, nil
}

// Halt implements Ledger; halting a halted or abandoned rollout does
// nothing.
func (l ReleaseLedger) Halt(ctx context.Context, reason string) error {
	if h, err := l.Halted(ctx); err != nil || h {
		return err
	}
	return l.Tracker.Halt(ctx, "rollback: "+reason, "")
}

// Record implements Ledger.
func (l ReleaseLedger) Record(ctx context.Context, detail string, proposal uint64) error {
	return l.Tracker.RecordEvent(ctx, "rollback", detail, proposal)
}
