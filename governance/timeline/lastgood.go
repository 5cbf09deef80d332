package timeline

import "fmt"

// BadReason says why a version is not a rollback target.
type BadReason string

// RolledBackFrom returns, for every version some target was rolled back
// from (it switched from it to a version elected earlier, or of unknown
// order), the first target and registry version where that happened. Such a
// version is bad: it did not run healthily.
func (t *Timeline) RolledBackFrom() map[string]BadReason {
	out := map[string]BadReason{}
	for _, tg := range t.Targets {
		for i := 1; i < len(tg.Runs); i++ {
			from, to := tg.Runs[i-1].Version, tg.Runs[i].Version
			if _, done := out[from]; done || t.Newer(to, from) {
				continue
			}
			out[from] = BadReason(fmt.Sprintf("%s was rolled back from it to %s at registry version %d", tg.TargetID, to, tg.Runs[i].RegistryVersion))
		}
	}
	return out
}

// LastGood is a rollback target chosen for one target.
type LastGood struct {
	Version string `json:"version"`
	// Why explains the choice in one sentence.
	Why string `json:"why"`
	// Skipped names the earlier versions passed over and why.
	Skipped map[string]BadReason `json:"skipped,omitempty"`
}

// ErrNoLastGood reports a target with no healthy, elected earlier version.
type ErrNoLastGood struct {
	Target  TargetID
	Failing string
	Skipped map[string]BadReason
}

func (e *ErrNoLastGood) Error() string {
	return fmt.Sprintf("%s: no version it ran before %s ran healthily and is not marked bad (%d passed over)", e.Target, e.Failing, len(e.Skipped))
}

// LastGood picks the newest version the target ran before its latest run of
// failing that ran healthily and is not bad. bad carries versions the caller
// marks bad (a release whose rollout halted on it, --exclude); versions some
// target was rolled back from are added. The version may have been
// unelected since: re-electing it is the caller's business (Elected).
func (t *Timeline) LastGood(id TargetID, failing string, bad map[string]BadReason) (LastGood, error) {
	tg, ok := t.Target(id)
	if !ok {
		return LastGood{}, fmt.Errorf("%s: not in the registry history", id)
	}
	allBad := t.RolledBackFrom()
	for v, why := range bad {
		allBad[v] = why
	}
	end := len(tg.Runs)
	for end > 0 && tg.Runs[end-1].Version != failing {
		end--
	}
	if end == 0 {
		end = len(tg.Runs) + 1 // failing never ran here: consider every run
	}
	skipped := map[string]BadReason{}
	var best string
	for _, r := range tg.Runs[:end-1] {
		v := r.Version
		switch why, isBad := allBad[v]; {
		case v == failing:
			continue
		case isBad:
			skipped[v] = why
		case best == "" || t.Newer(v, best):
			best = v
		}
	}
	if best == "" {
		return LastGood{}, &ErrNoLastGood{Target: id, Failing: failing, Skipped: skipped}
	}
	return LastGood{Version: best, Skipped: skipped,
		Why: fmt.Sprintf("%s is the newest version it ran before %s and was never halted on or rolled back from", best, failing)}, nil
}
