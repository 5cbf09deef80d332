package timeline

import (
	"sort"
	"time"
)

// Outcome is where a target stands relative to one release version.
type Outcome string

// Outcomes of a target relative to a release.
const (
	// OutcomePending: the target never ran the release.
	OutcomePending Outcome = "pending"
	// OutcomeOn: the target runs the release now.
	OutcomeOn Outcome = "on_release"
	// OutcomeSuperseded: the target ran the release and now runs a newer
	// version. Never a reason to redeploy the release.
	OutcomeSuperseded Outcome = "superseded"
	// OutcomeRolledBack: the target ran the release and now runs an older
	// version (or one of unknown order).
	OutcomeRolledBack Outcome = "rolled_back"
)

// Outcome classifies the target against the release version.
func (t *Timeline) Outcome(tg Target, release string) Outcome {
	ran := false
	for _, r := range tg.Runs {
		ran = ran || r.Version == release
	}
	if !ran {
		return OutcomePending
	}
	cur := tg.Runs[len(tg.Runs)-1].Version
	switch {
	case cur == release:
		return OutcomeOn
	case t.Newer(cur, release):
		return OutcomeSuperseded
	}
	return OutcomeRolledBack
}

// Patched reports whether a target running version counts as patched for
// the release: it runs the release or a version elected after it.
func (t *Timeline) Patched(version, release string) bool {
	return version == release || t.Newer(version, release)
}

// Unpatched returns the targets that exist at registry version rv and are
// not patched for the release then.
func (t *Timeline) Unpatched(release string, rv uint64) []TargetID {
	var out []TargetID
	for _, tg := range t.Targets {
		v, exists := tg.VersionAt(rv)
		if exists && !t.Patched(v, release) {
			out = append(out, tg.TargetID)
		}
	}
	return out
}

// Interval is a stretch of registry versions during which every target was
// patched. End is 0 while it lasts.
type Interval struct {
	Start     uint64    `json:"start"`
	StartTime time.Time `json:"start_time"`
	End       uint64    `json:"end,omitempty"`
	EndTime   time.Time `json:"end_time,omitzero"`
	// Broken names the targets that left the patched set at End.
	Broken []TargetID `json:"broken,omitempty"`
}

// QuietPeriod is the release's "100% patched" history: every subnet, the
// unassigned nodes and every API boundary node run the release or newer.
type QuietPeriod struct {
	// Release is the version the quiet period is about.
	Release string `json:"release"`
	// Intervals are the stretches of 100%, oldest first.
	Intervals []Interval `json:"intervals"`
	// Unpatched are the targets not patched at the latest registry version.
	Unpatched []TargetID `json:"unpatched,omitempty"`
}

// Holding reports whether 100% holds now; Since is then its start.
func (q QuietPeriod) Holding() (since Interval, ok bool) {
	if n := len(q.Intervals); n > 0 && q.Intervals[n-1].End == 0 {
		return q.Intervals[n-1], true
	}
	return Interval{}, false
}

// Voided returns the intervals that began and then broke: quiet periods
// made void because a target left the patched version.
func (q QuietPeriod) Voided() []Interval {
	var out []Interval
	for _, iv := range q.Intervals {
		if iv.End != 0 {
			out = append(out, iv)
		}
	}
	return out
}

// HeldFor returns how long 100% has held at now; 0 when it does not hold
// or its start time is unknown.
func (q QuietPeriod) HeldFor(now time.Time) time.Duration {
	iv, ok := q.Holding()
	if !ok || iv.StartTime.IsZero() || now.Before(iv.StartTime) {
		return 0
	}
	return now.Sub(iv.StartTime)
}

// QuietPeriod walks every registry version at which a target switched,
// appeared or disappeared, and records the stretches during which all
// targets were patched for the release.
func (t *Timeline) QuietPeriod(release string) QuietPeriod {
	q := QuietPeriod{Release: release, Unpatched: t.Unpatched(release, t.Latest)}
	for _, p := range t.changePoints() {
		unpatched := t.Unpatched(release, p.version)
		n := len(q.Intervals)
		open := n > 0 && q.Intervals[n-1].End == 0
		switch {
		case len(unpatched) == 0 && !open:
			q.Intervals = append(q.Intervals, Interval{Start: p.version, StartTime: p.time})
		case len(unpatched) > 0 && open:
			q.Intervals[n-1].End, q.Intervals[n-1].EndTime, q.Intervals[n-1].Broken = p.version, p.time, unpatched
		}
	}
	return q
}

type point struct {
	version uint64
	time    time.Time
}

// changePoints are the registry versions at which some target's version or
// existence changed, oldest first, with their write times.
func (t *Timeline) changePoints() []point {
	at := map[uint64]time.Time{}
	add := func(v uint64, tm time.Time) {
		if old, ok := at[v]; !ok || old.IsZero() {
			at[v] = tm
		}
	}
	for _, tg := range t.Targets {
		for _, r := range tg.Runs {
			add(r.RegistryVersion, r.Time)
		}
		if tg.Gone != 0 {
			add(tg.Gone, time.Time{})
		}
	}
	out := make([]point, 0, len(at))
	for v, tm := range at {
		out = append(out, point{v, tm})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out
}
