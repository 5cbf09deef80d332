package drill

import (
	"context"
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/rollback"
)

// FaultAPIBoundaryNodes is the fault target of a patch that breaks the API
// boundary nodes.
const FaultAPIBoundaryNodes = "api_boundary_nodes"

// probeCheck names the drill's own check of the API boundary nodes. The
// local network has no API boundary node health signal, so the scenario
// is the monitor: the fault shows once the nodes' records name the patch
// (they upgrade themselves on that change), and the drill reports it then.
const probeCheck = "probe"

// planAPIBoundaryFault saves the plan with an API boundary node stage one
// interval after the unassigned nodes; the fault is the scenario's.
func (d *drill) planAPIBoundaryFault(ctx context.Context, p *rollout.Plan) error {
	p.APIBoundaryNodes = &rollout.APIBoundaryStage{Start: p.UnassignedNodes.Add(d.s.Rollout.Interval.D())}
	if _, err := d.track.SavePlan(ctx, p); err != nil {
		return err
	}
	d.rep.FaultSubnet = rollout.APIBoundaryTarget
	d.step("plan", fmt.Sprintf("%d batches of up to %d subnets, NNS last, then the unassigned nodes and the API boundary nodes; fault: the patch breaks the API boundary nodes",
		len(p.Batches), d.s.Rollout.BatchSize))
	return nil
}

// apiBoundaryFault reports the scenario's API boundary node fault once the
// registry names the patch for every API boundary node: the detection, as
// a gate error on the API boundary node stage.
func (d *drill) apiBoundaryFault(ctx context.Context, res *rollout.AdvanceResult) (*rollout.GateError, error) {
	if d.s.Fault.Target != FaultAPIBoundaryNodes || res == nil || res.Status.APIBoundary == nil {
		return nil, nil
	}
	reg, err := d.client.Registry(ctx)
	if err != nil {
		return nil, err
	}
	var on int
	for _, b := range reg.APIBoundaryNodes {
		if b.Version == d.patch {
			on++
		}
	}
	if on == 0 || on < len(reg.APIBoundaryNodes) {
		return nil, nil
	}
	ge := &rollout.GateError{Subnet: rollout.APIBoundaryTarget, Check: probeCheck,
		Detail: fmt.Sprintf("%d API boundary node(s) on the patch answer with errors (the scenario's fault)", on)}
	det := &Detection{Subnet: ge.Subnet, Check: ge.Check, DetectedAt: d.now, StalledAt: d.switchedAt(ctx)}
	if !det.StalledAt.IsZero() {
		det.TimeToDetect = det.DetectedAt.Sub(det.StalledAt)
	}
	d.rep.Detection = det
	d.step("detected", fmt.Sprintf("API boundary nodes failed the %s check: %s", ge.Check, ge.Detail))
	return ge, nil
}

// switchedAt is when the registry last switched an API boundary node to
// the patch (zero when the log cannot tell).
func (d *drill) switchedAt(ctx context.Context) time.Time {
	log, err := d.client.RegistryLog(ctx)
	if err != nil {
		return time.Time{}
	}
	tl, err := timeline.Build(log)
	if err != nil {
		return time.Time{}
	}
	var at time.Time
	for _, tg := range tl.Current() {
		run := tg.Runs[len(tg.Runs)-1]
		if tg.Kind == timeline.KindAPIBoundary && run.Version == d.patch && run.Time.After(at) {
			at = run.Time
		}
	}
	return at
}

// apiBoundaryRollbackPlan plans the rollback of the API boundary nodes
// only: with the registry timeline, healthy subnets are left alone.
func (d *drill) apiBoundaryRollbackPlan(ctx context.Context, ge *rollout.GateError) (*rollback.Plan, error) {
	hist, err := d.history(ctx)
	if err != nil {
		return nil, err
	}
	reg, err := hist.Registry()
	if err != nil {
		return nil, err
	}
	log, err := d.client.RegistryLog(ctx)
	if err != nil {
		return nil, err
	}
	tl, err := timeline.Build(log)
	if err != nil {
		return nil, err
	}
	return rollback.Build(rollback.Input{Release: d.patch, Mode: d.s.Patch.Mode, Registry: reg, History: hist, Timeline: tl,
		APIBoundary: true, Halt: true, Now: d.now,
		Problem: fmt.Sprintf("the API boundary nodes failed the %s check after their GuestOS update (%s)", ge.Check, ge.Detail)})
}

// assertAPIBoundaryRestored: every API boundary node is assigned an
// elected version other than the patch.
func (d *drill) assertAPIBoundaryRestored(ctx context.Context) {
	reg, err := d.client.Registry(ctx)
	if err != nil {
		d.check("api_boundary_nodes_restored", false, "read the registry: %v", err)
		return
	}
	var bad []string
	for _, b := range reg.APIBoundaryNodes {
		if _, elected := reg.GuestOSByID(b.Version); b.Version == d.patch || !elected {
			bad = append(bad, fmt.Sprintf("%s on %s (elected %v)", shortSubnet(b.ID), short(b.Version), elected))
		}
	}
	d.check("api_boundary_nodes_restored", len(bad) == 0 && len(reg.APIBoundaryNodes) > 0,
		"%d API boundary node(s) on an elected pre-patch version%s", len(reg.APIBoundaryNodes)-len(bad), listed(bad))
}
