package rollout

import (
	"context"
	"fmt"
	"time"
)

// PlanRequest is how a release manager asks for a release's plan, the same
// from the CLI (its flags over the config) and the TUI (the config): the
// plan policy and the overrides. Zero fields take the policy's values, or
// the kind's defaults.
type PlanRequest struct {
	// Policy names the plan policy: PolicyDFINITY ("" too),
	// PolicyContinuous, or a policy YAML file.
	Policy string
	// File is a GuestOS plan file used instead of the policy.
	File string
	// Start is the earliest start of the first batch (zero: the network's
	// time now).
	Start time.Time
	// BatchSize and Interval override the policy's GuestOS batches, and
	// Interval the HostOS batches' spacing.
	BatchSize int
	Interval  time.Duration
	// Bake is how long targets stay healthy before the next batch.
	Bake time.Duration
	// PerSubnet overrides the HostOS main stage's nodes per subnet.
	PerSubnet int
}

// start resolves r.Start against the network's time.
func (r PlanRequest) start(ctx context.Context, t *Tracker) (time.Time, error) {
	if !r.Start.IsZero() {
		return r.Start, nil
	}
	now, err := t.Now(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the network's time: %w", err)
	}
	return now, nil
}

// GuestOSPlan builds (does not store) the GuestOS plan r asks for, for
// version: from the plan file, or under the policy.
func (r PlanRequest) GuestOSPlan(ctx context.Context, t *Tracker, version string) (*Plan, error) {
	start, err := r.start(ctx, t)
	if err != nil {
		return nil, err
	}
	po := PlanOptions{Version: version, Start: start, BatchSize: r.BatchSize, Interval: r.Interval, Bake: r.Bake}
	if r.File != "" {
		return ReadPlanFile(r.File, po)
	}
	policy, usePolicy, err := LoadPolicy(r.Policy)
	if err != nil {
		return nil, err
	}
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return nil, err
	}
	if !usePolicy {
		return BuildPlan(reg, po)
	}
	if r.BatchSize > 0 {
		policy.BatchSize = r.BatchSize
	}
	if r.Interval > 0 {
		policy.Interval = r.Interval.String()
	}
	return PolicyPlan(reg, policy, po)
}

// hostOSOptions are the HostOS plan options r asks for: the policy's
// stages with r's overrides.
func (r PlanRequest) hostOSOptions(ctx context.Context, t *Tracker) (HostOSPlanOptions, error) {
	start, err := r.start(ctx, t)
	if err != nil {
		return HostOSPlanOptions{}, err
	}
	policy, _, err := LoadPolicy(r.Policy)
	if err != nil {
		return HostOSPlanOptions{}, err
	}
	return policy.HostOS.PlanOptions(HostOSPlanOptions{Start: start, Interval: r.Interval, Bake: r.Bake, PerSubnet: r.PerSubnet}), nil
}
