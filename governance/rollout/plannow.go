package rollout

import (
	"context"
	"fmt"
)

// PlanNow builds the release's plan from the live registry with o (zero
// fields: the defaults; a zero Start: now on the network's clock), then
// validates and stores it with SavePlan: what `nnspatch rollout plan
// <release>` does without --file, and what the TUI's Releases page does.
func (t *Tracker) PlanNow(ctx context.Context, o PlanOptions) (*Plan, error) {
	l, err := t.Store.Read()
	if err != nil {
		return nil, err
	}
	o.Version = l.Version
	if o.Start.IsZero() {
		if o.Start, err = t.Now(ctx); err != nil {
			return nil, fmt.Errorf("read the network's time: %w", err)
		}
	}
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return nil, err
	}
	p, err := BuildPlan(reg, o)
	if err != nil {
		return nil, err
	}
	return t.SavePlan(ctx, p)
}
