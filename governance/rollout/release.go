package rollout

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/internal/textsafe"
	"github.com/nnspatch/nnspatch/proposals"
)

// ElectionDraftFile is the election draft's name inside a release directory.
const ElectionDraftFile = "election.yaml"

// ErrElectionLive reports a resubmission while the election is still open,
// adopted or executed.
var ErrElectionLive = errors.New("election proposal is still live")

// ErrNoElectionDraft reports a submission of a release whose election
// draft is missing (an attached release has none).
var ErrNoElectionDraft = errors.New("the release has no election draft")

// ReleaseOption adjusts a new release's ledger.
type ReleaseOption func(*Ledger)

// WithQuietPeriodDays sets the quiet period's length in days (> 0).
func WithQuietPeriodDays(days int) ReleaseOption {
	return func(l *Ledger) { l.QuietPeriod.Days = days }
}

// NewRelease creates a release directory from an election draft: it writes
// the draft as election.yaml and a ledger recording the draft action.
func NewRelease(ctx context.Context, s Store, d proposals.Draft, actor string, now time.Time, opts ...ReleaseOption) (*Ledger, error) {
	a := d.ElectGuestOS
	if d.Kind != proposals.KindElectGuestOS || a == nil || a.ReplicaVersionToElect == nil {
		return nil, fmt.Errorf("new release: the draft must elect a GuestOS version (kind elect-guestos with replica_version_to_elect)")
	}
	art := Artifact{URLs: append([]string{}, a.ReleasePackageURLs...)}
	if a.ReleasePackageSHA256Hex != nil {
		art.SHA256 = *a.ReleasePackageSHA256Hex
	}
	l := NewLedger(*a.ReplicaVersionToElect, d.Mode, art, now)
	l.ElectionDraft = ElectionDraftFile
	for _, o := range opts {
		o(l)
	}
	if l.QuietPeriod.Days <= 0 {
		return nil, fmt.Errorf("new release: the quiet period must last at least one day, not %d", l.QuietPeriod.Days)
	}
	l.Record(now, actor, "draft", fmt.Sprintf("drafted the %s-mode election of GuestOS %s (sha256 %s); quiet period %d days", d.Mode, l.Version, art.SHA256, l.QuietPeriod.Days), 0)
	if err := s.Create(ctx, l); err != nil {
		return nil, err
	}
	if err := proposals.WriteDraft(filepath.Join(s.Dir, ElectionDraftFile), d); err != nil {
		return nil, err
	}
	return l, nil
}

// SubmitElection submits the release's election draft and records the
// proposal id. It is idempotent: a confirmed, live election returns its id;
// an unconfirmed intent is reconciled with governance first. After a
// rejected or failed election it submits the (re-drafted) draft again.
func (t *Tracker) SubmitElection(ctx context.Context) (uint64, error) {
	lk, err := t.Store.Lock(ctx)
	if err != nil {
		return 0, err
	}
	defer lk.Unlock()
	l, err := lk.Read()
	if err != nil {
		return 0, err
	}
	if l.Abandoned != nil {
		return 0, ErrAbandoned
	}
	if l.ReleaseKind() == ReleaseCanister {
		return 0, &KindError{Kind: ReleaseCanister, Want: "GuestOS or HostOS", What: "submit an election (an NNS canister release is submitted by `rollout advance`)"}
	}
	if e, ok := l.Election(); ok && !e.IsIntent() {
		st, err := t.electionNow(ctx, l, e)
		if err != nil {
			return 0, err
		}
		if st != governance.StatusRejected && st != governance.StatusFailed {
			if e.ID == 0 {
				return 0, fmt.Errorf("submit the election of %s: %w: the registry lists it as elected (governance no longer has the proposal)", l.Version, ErrElectionLive)
			}
			return e.ID, nil
		}
	}
	if id, err := t.adoptChainElection(ctx, lk, l); err != nil || id != 0 {
		return id, err
	}
	d, err := proposals.LoadDraft(filepath.Join(t.Store.Dir, l.ElectionDraft))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("submit the election of %s: %w (it was attached, not drafted here): %w", l.Version, ErrNoElectionDraft, err)
	}
	if err != nil {
		return 0, err
	}
	return t.submitDraft(ctx, lk, l, KindElect, "", d)
}

// Redraft replaces the election draft of a release whose election was
// rejected or failed (or not submitted yet), recording the action.
func (t *Tracker) Redraft(ctx context.Context, d proposals.Draft) error {
	return t.update(ctx, func(l *Ledger, now time.Time) error {
		if e, ok := l.Election(); ok && !e.IsIntent() {
			st, err := t.electionNow(ctx, l, e)
			if err != nil {
				return err
			}
			if st != governance.StatusRejected && st != governance.StatusFailed {
				return fmt.Errorf("re-draft: election proposal %d is %s: %w", e.ID, st, ErrElectionLive)
			}
		}
		a := d.ElectGuestOS
		if a == nil || a.ReplicaVersionToElect == nil || *a.ReplicaVersionToElect != l.Version {
			return fmt.Errorf("re-draft: the draft must elect GuestOS %s", l.Version)
		}
		if err := proposals.WriteDraft(filepath.Join(t.Store.Dir, l.ElectionDraft), d); err != nil {
			return err
		}
		l.Record(now, t.Actor, "draft", "re-drafted the election", 0)
		return nil
	})
}

// update runs fn under the lock with the network's time and saves.
func (t *Tracker) update(ctx context.Context, fn func(l *Ledger, now time.Time) error) error {
	now, err := t.Now(ctx)
	if err != nil {
		return fmt.Errorf("read the network's time: %w", err)
	}
	_, err = t.Store.Update(ctx, func(l *Ledger) error { return fn(l, now) })
	return err
}

// Abandon gives the release up, recording the reason.
func (t *Tracker) Abandon(ctx context.Context, reason string) error {
	if reason == "" {
		return errors.New("abandon: a reason is required")
	}
	return t.update(ctx, func(l *Ledger, now time.Time) error {
		if l.Abandoned != nil {
			return fmt.Errorf("abandon: %w on %s", ErrAbandoned, l.Abandoned.At.Format(time.RFC3339))
		}
		l.Abandoned = &Abandonment{At: now.UTC(), By: t.Actor, Reason: textsafe.Escape(reason)}
		l.Record(now, t.Actor, "abandon", reason, 0)
		return nil
	})
}

// RecordEvent appends an action taken elsewhere (a vote, a rollback) to
// the audit log.
func (t *Tracker) RecordEvent(ctx context.Context, action, detail string, proposal uint64) error {
	return t.update(ctx, func(l *Ledger, now time.Time) error {
		l.Record(now, t.Actor, action, detail, proposal)
		return nil
	})
}

// SavePlan validates p against the live registry and stores it in the
// ledger; an invalid plan is a *PlanError listing every problem.
func (t *Tracker) SavePlan(ctx context.Context, p *Plan) (*Plan, error) {
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return nil, err
	}
	resolved, probs := ValidatePlan(p, reg)
	if len(probs) > 0 {
		return nil, &PlanError{Problems: probs}
	}
	err = t.update(ctx, func(l *Ledger, now time.Time) error {
		if resolved.Version != l.Version {
			return &PlanError{Problems: []Problem{{"version", fmt.Sprintf("plan is for %s, the release is %s", resolved.Version, l.Version)}}}
		}
		l.Plan = resolved
		l.Record(now, t.Actor, "plan", fmt.Sprintf("planned %d batches, NNS last at %s", len(resolved.Batches), resolved.Batches[len(resolved.Batches)-1].Start.Format(time.RFC3339)), 0)
		return nil
	})
	return resolved, err
}
