package rollback

import (
	"context"
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// TargetHealth is one subnet target's gate checks against the version it
// is restored to.
type TargetHealth struct {
	Subnet  string
	Version string
	Checks  []health.Check
	// Waiting reports that finalization has no verdict yet (one height
	// observed so far): the target is recovering, not failing.
	Waiting bool
}

// Healthy reports whether every check passed.
func (t TargetHealth) Healthy() bool {
	for _, c := range t.Checks {
		if !c.OK {
			return false
		}
	}
	return len(t.Checks) > 0
}

// Recovery counts a rollback's observed subnet targets: how many are
// healthy on their restored version, of how many.
type Recovery struct {
	Healthy, Total int
}

// Recovered reports whether every observed target is healthy.
func (r Recovery) Recovered() bool { return r.Total > 0 && r.Healthy == r.Total }

// Recovering is the number of targets not healthy yet.
func (r Recovery) Recovering() int { return r.Total - r.Healthy }

// CountRecovery counts ts.
func CountRecovery(ts []TargetHealth) Recovery {
	r := Recovery{Total: len(ts)}
	for _, t := range ts {
		if t.Healthy() {
			r.Healthy++
		}
	}
	return r
}

// TargetWatch observes the health of a rollback's subnet targets on the
// versions they are restored to, judging finalization from heights the way
// the rollout's gates do (rollout.Heights).
type TargetWatch struct {
	// Health is the source (the release tracker's); nil observes nothing.
	Health health.Source
	// Now returns the network's time.
	Now     func(ctx context.Context) (time.Time, error)
	heights rollout.Heights
}

// Watch takes a health snapshot and checks each subnet target of p; it
// returns an empty list without a health source.
func (w *TargetWatch) Watch(ctx context.Context, p *Plan) ([]TargetHealth, error) {
	out := []TargetHealth{}
	if w.Health == nil {
		return out, nil
	}
	snap, err := w.Health.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("observe the rollback's targets: %w", err)
	}
	now, err := w.Now(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	for _, t := range p.Targets {
		if t.Subnet == "" {
			continue
		}
		sub := w.heights.Judge(t.Subnet, snap.Subnets[t.Subnet], now)
		out = append(out, TargetHealth{Subnet: t.Subnet, Version: t.Restore, Checks: health.Evaluate(sub, t.Restore),
			Waiting: sub.Finalizing == nil && sub.Height != nil})
	}
	return out, nil
}
