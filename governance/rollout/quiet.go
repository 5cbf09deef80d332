package rollout

import (
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance/timeline"
)

// The quiet period is derived from the registry timeline
// (timeline.Timeline.QuietPeriod): it starts when every subnet, the
// unassigned nodes and every API boundary node run the release or a version
// elected after it ("100% patched"), at the registry write time of the
// change that completed it. When any target leaves the patched set the
// quiet period is void; it restarts when 100% holds again. The ledger's
// QuietPeriod.Start mirrors the current start (zero while void) and each
// start and void is recorded as a "quiet" event.
//
// The API boundary node stage's health gate holds the quiet period back: a
// registry record naming the version is not enough for those nodes, they
// must also have been seen up on it (the stage's Running time, see
// deriveAPIBoundaryGate). Until then the quiet period does not start and
// QuietStatus.Held names the stage; once they have, it starts at the later
// of the registry's time and Running. A start already recorded before the
// gate existed (Running never set) is left alone.

// apiBoundaryHold is what the API boundary node stage's gate says about
// the quiet period: since is when its nodes were first seen up on the
// version (zero: no effect), held is true while they have not been.
func apiBoundaryHold(l *Ledger, st *Status, startedBefore bool) (since time.Time, held bool) {
	if l.Plan == nil || l.Plan.APIBoundaryNodes == nil || st.APIBoundary == nil || len(st.APIBoundaryPending) > 0 {
		return time.Time{}, false
	}
	r := l.subnet(APIBoundaryTarget)
	if r.Running.IsZero() {
		return time.Time{}, !startedBefore
	}
	return r.Running, false
}

// quietFromTimeline derives the quiet status and keeps the ledger's start
// and events in step with it. abnSince and abnHeld are apiBoundaryHold's.
func (t *Tracker) quietFromTimeline(l *Ledger, o *observation, abnSince time.Time, abnHeld bool) QuietStatus {
	q := o.tl.QuietPeriod(l.Version)
	iv, holding := q.Holding()
	start := iv.StartTime
	if holding && start.IsZero() {
		start = o.now // the registry did not say when: count from now
	}
	held := holding && abnHeld
	if held {
		holding = false
	} else if holding && abnSince.After(start) {
		start = abnSince
	}
	switch {
	case holding && !start.Equal(l.QuietPeriod.Start):
		l.QuietPeriod.Start = start.UTC()
		l.Record(o.now, t.Actor, "quiet", fmt.Sprintf("every subnet, the unassigned nodes and every API boundary node run %s or newer since %s (registry version %d): quiet period of %d days starts then",
			shortVersion(l.Version), start.Format(time.RFC3339), iv.Start, quietDays(l)), 0)
	case !holding && !l.QuietPeriod.Start.IsZero() && !held:
		l.QuietPeriod.Start = time.Time{}
		l.Record(o.now, t.Actor, "quiet", fmt.Sprintf("quiet period void: %s no longer run %s or newer; it restarts when every target does",
			strings.Join(targetNames(q.Unpatched), ", "), shortVersion(l.Version)), 0)
	}
	qs := quietStatus(l.QuietPeriod, o.now)
	qs.Voided = len(q.Voided())
	qs.Void = !holding && qs.Voided > 0
	qs.Unpatched = targetNames(q.Unpatched)
	qs.Targets = existingTargets(o.tl)
	if held {
		qs.Held = []string{APIBoundaryTarget}
	}
	return qs
}

// existingTargets counts the targets that exist at the timeline's latest
// registry version.
func existingTargets(tl *timeline.Timeline) int {
	n := 0
	for _, tg := range tl.Targets {
		if _, ok := tg.VersionAt(tl.Latest); ok {
			n++
		}
	}
	return n
}

func targetNames(ids []timeline.TargetID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}

// DiscloseRefusedError is a disclosure refused because 100% patched has
// not held for the whole quiet period. It matches ErrQuietPeriod.
type DiscloseRefusedError struct {
	// Unpatched names the targets not running the version (or newer).
	Unpatched []string
	// Void reports that an earlier quiet period was voided.
	Void bool
	// Held is how long 100% has held (0 when it does not).
	Held time.Duration
	// Need is the quiet period's length.
	Need time.Duration
	// APIBoundaryHeld reports that the API boundary nodes run the version
	// on the registry but were not seen up on it yet (their health gate).
	APIBoundaryHeld bool
}

func (e *DiscloseRefusedError) Error() string {
	switch {
	case len(e.Unpatched) > 0 && e.Void:
		return fmt.Sprintf("%v: void, not 100%% patched: %s left the patched version", ErrQuietPeriod, strings.Join(e.Unpatched, ", "))
	case len(e.Unpatched) > 0:
		return fmt.Sprintf("%v: not 100%% patched: %s do not run it yet", ErrQuietPeriod, strings.Join(e.Unpatched, ", "))
	case e.APIBoundaryHeld:
		return fmt.Sprintf("%v: the API boundary nodes run it on the registry but have not been seen up on it: read the rollout's status once they are up", ErrQuietPeriod)
	}
	return fmt.Sprintf("%v: 100%% patched has held for %s of %s", ErrQuietPeriod, e.Held.Round(time.Minute), e.Need)
}

// Unwrap makes errors.Is(err, ErrQuietPeriod) hold.
func (e *DiscloseRefusedError) Unwrap() error { return ErrQuietPeriod }

// discloseCheck refuses a disclosure unless 100% patched has held for the
// quiet period's length at now.
//
// The API boundary node stage's gate counts as in quietFromTimeline: the
// quiet period counts from when its nodes were first seen up on the version
// when that is later than the registry's time.
func discloseCheck(tl *timeline.Timeline, l *Ledger, now time.Time) error {
	q := tl.QuietPeriod(l.Version)
	held, need := q.HeldFor(now), l.QuietPeriod.Length()
	iv, holding := q.Holding()
	abnHeld := false
	if l.Plan != nil && l.Plan.APIBoundaryNodes != nil && holding {
		switch r := l.subnet(APIBoundaryTarget); {
		case r.Running.IsZero() && l.QuietPeriod.Start.IsZero():
			abnHeld, held = true, 0
		case r.Running.After(iv.StartTime):
			held = max(now.Sub(r.Running), 0)
		}
	}
	if holding && !abnHeld && held >= need {
		return nil
	}
	return &DiscloseRefusedError{Unpatched: targetNames(q.Unpatched), Void: len(q.Voided()) > 0, Held: held, Need: need, APIBoundaryHeld: abnHeld}
}
