package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/internal/textsafe"
)

// ErrHalted reports an advance of a halted rollout. Lift the halt with
// Tracker.Resume (`nnspatch rollout resume <release> --reason TEXT`).
var ErrHalted = errors.New("rollout is halted")

// ErrNotHalted reports a Resume of a rollout that is not halted.
var ErrNotHalted = errors.New("rollout is not halted")

// Halt records that a rollout was stopped on purpose (for a rollback, an
// incident, a hold by the release owner). While the ledger holds one,
// Advance submits nothing and returns a *HaltedError; status reports the
// state RolloutHalted. Unlike an abandonment, a halt is lifted by Resume and
// the rollout continues where it stopped.
type Halt struct {
	// At is when the rollout was halted (the network's time).
	At time.Time `yaml:"at" json:"at"`
	// By is the principal that halted it.
	By string `yaml:"by" json:"by"`
	// Reason says why, in one line.
	Reason string `yaml:"reason" json:"reason"`
}

// HaltedError is what Advance returns while the rollout is halted: it names
// the halt's reason, who halted it and when, and how to resume. It matches
// ErrHalted.
type HaltedError struct {
	Halt Halt
	// Source is HaltLocal (this ledger) or HaltChain (a subnet halted in
	// the registry; Resume does not lift it).
	Source HaltSource
}

// Error implements error.
func (e *HaltedError) Error() string {
	if e.Source == HaltChain {
		return fmt.Sprintf("rollout is halted on chain: %s; nothing was submitted; it continues once the subnet is un-halted in the registry", e.Halt.Reason)
	}
	return fmt.Sprintf("rollout is halted since %s by %s: %s; nothing was submitted",
		e.Halt.At.Format(time.RFC3339), e.Halt.By, e.Halt.Reason)
}

// Is reports whether target is ErrHalted.
func (e *HaltedError) Is(target error) bool { return target == ErrHalted }

// Halt stops the rollout: Advance refuses until Resume. The halt and the
// acting principal (actor; the tracker's Actor when empty) are recorded in
// the ledger and appended to the audit log as a "halt" event. A reason is
// required. Halting an already halted rollout keeps the first halt and
// records the new reason as another "halt" event; it is not an error, so a
// rollback may halt unconditionally. An abandoned release cannot be halted
// (ErrAbandoned).
//
// This is the API rollbacks use to stop a rollout without giving up the
// release (before it existed, rollback abandoned the release instead).
func (t *Tracker) Halt(ctx context.Context, reason, actor string) error {
	if reason == "" {
		return fmt.Errorf("halt: %w (say why the rollout stops)", ErrNoReason)
	}
	if actor == "" {
		actor = t.Actor
	}
	return t.update(ctx, func(l *Ledger, now time.Time) error {
		if l.Abandoned != nil {
			return fmt.Errorf("halt: %w on %s", ErrAbandoned, l.Abandoned.At.Format(time.RFC3339))
		}
		if l.Halted != nil {
			l.Record(now, actor, "halt", fmt.Sprintf("already halted since %s; also: %s", l.Halted.At.Format(time.RFC3339), reason), 0)
			return nil
		}
		l.Halted = &Halt{At: now.UTC(), By: actor, Reason: textsafe.Escape(reason)}
		l.Record(now, actor, "halt", "rollout halted: "+reason, 0)
		return nil
	})
}

// Resume lifts a halt so that Advance proceeds again; the reason and the
// acting principal (actor; the tracker's Actor when empty) are appended to
// the audit log as a "resume" event. Resuming a rollout that is not halted
// is ErrNotHalted. Resume does not clear gate failures: a failed subnet
// still stops Advance until it is healthy again or rolled back.
func (t *Tracker) Resume(ctx context.Context, reason, actor string) error {
	if reason == "" {
		return fmt.Errorf("resume: %w (say what was resolved)", ErrNoReason)
	}
	if actor == "" {
		actor = t.Actor
	}
	return t.update(ctx, func(l *Ledger, now time.Time) error {
		if l.Halted == nil {
			return fmt.Errorf("resume: %w", ErrNotHalted)
		}
		h := *l.Halted
		l.Halted = nil
		l.Record(now, actor, "resume", fmt.Sprintf("rollout resumed (halted since %s by %s: %s): %s", h.At.Format(time.RFC3339), h.By, h.Reason, reason), 0)
		return nil
	})
}

// Halted returns the rollout's halt, or nil when it is not halted. It reads
// the ledger without taking the lock.
func (t *Tracker) Halted() (*Halt, error) {
	l, err := t.Store.Read()
	if err != nil {
		return nil, err
	}
	return l.Halted, nil
}
