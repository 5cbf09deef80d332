package drill

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/rollback"
)

// FaultAPIBoundaryNodes is the fault target of a patch that breaks the API
// boundary nodes.
const FaultAPIBoundaryNodes = "api_boundary_nodes"

// planAPIBoundaryFault saves the plan with an API boundary node stage one
// interval after the unassigned nodes and injects the fault: a local
// network fault on the patch naming every API boundary node, which takes
// each node down while its record names the patch (localnet's per-node up
// signal, the one the stage's node_up gate reads).
func (d *drill) planAPIBoundaryFault(ctx context.Context, p *rollout.Plan) error {
	p.APIBoundaryNodes = &rollout.APIBoundaryStage{Start: p.UnassignedNodes.Add(d.s.Rollout.Interval.D())}
	if _, err := d.track.SavePlan(ctx, p); err != nil {
		return err
	}
	reg, err := d.client.Registry(ctx)
	if err != nil {
		return err
	}
	d.faultNodes = d.faultNodes[:0]
	for _, b := range reg.APIBoundaryNodes {
		d.faultNodes = append(d.faultNodes, b.ID)
	}
	if len(d.faultNodes) == 0 {
		return fmt.Errorf("%w: fault: target %s, but the network has no API boundary node", ErrScenario, FaultAPIBoundaryNodes)
	}
	if _, err := d.env.admin.SetFault(ctx, localnet.Fault{Version: d.patch, Subnets: d.faultNodes}); err != nil {
		return fmt.Errorf("inject the fault: %w", err)
	}
	d.rep.FaultSubnet = rollout.APIBoundaryTarget
	d.step("plan", fmt.Sprintf("%d batches of up to %d subnets, NNS last, then the unassigned nodes and the API boundary nodes; fault: the patch takes the %d API boundary node(s) down",
		len(p.Batches), d.s.Rollout.BatchSize, len(d.faultNodes)))
	return nil
}

// apiBoundaryGate names the API boundary node stage as the failed target
// when ge is that stage's gate failure (the rollout names it in words, the
// drill and the rollback planner by rollout.APIBoundaryTarget); other gate
// errors are returned as they are.
func apiBoundaryGate(ge *rollout.GateError, res *rollout.AdvanceResult) *rollout.GateError {
	if res == nil || res.Status == nil {
		return ge
	}
	a := res.Status.APIBoundary
	if a == nil || a.State != rollout.StateFailed || a.FailedCheck != ge.Check || a.Detail != ge.Detail {
		return ge
	}
	return &rollout.GateError{Subnet: rollout.APIBoundaryTarget, Check: ge.Check, Detail: ge.Detail}
}

// switchedAt is when the registry last switched an API boundary node to
// the patch (zero when the log cannot tell): the nodes go down then.
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
		Problem: fmt.Sprintf("the API boundary nodes failed the %s check after their GuestOS update (%s)", ge.Check, rollback.Unversioned(ge.Detail, d.patch))})
}

// assertAPIBoundaryDetection: the gate failed on the API boundary node
// stage with the node_up check, naming every node the fault took down.
func (d *drill) assertAPIBoundaryDetection(det *Detection) {
	var named int
	for _, n := range d.faultNodes {
		if strings.Contains(det.Detail, n) {
			named++
		}
	}
	d.check("detected", det.Subnet == d.rep.FaultSubnet && det.Check == health.CheckNodeUp && named == len(d.faultNodes),
		"gate failed on %s with the %s check naming %d of the %d faulted node(s) (fault on %s)", det.Subnet, det.Check, named, len(d.faultNodes), d.rep.FaultSubnet)
}

// apiBoundaryNotUp reports which of nodes the drill's health source does not
// see up (down or unobserved).
func (d *drill) apiBoundaryNotUp(ctx context.Context, nodes []string) ([]string, error) {
	snap, err := d.health.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("observe the API boundary nodes: %w", err)
	}
	var out []string
	for _, n := range nodes {
		if up, _ := snap.NodeUp(n); !up {
			out = append(out, n)
		}
	}
	return out, nil
}

// assertAPIBoundaryRestored: every API boundary node is assigned an
// elected version other than the patch, and the health source sees it up
// (the fault names the patch only, so a node back on base answers again).
func (d *drill) assertAPIBoundaryRestored(ctx context.Context) {
	reg, err := d.client.Registry(ctx)
	if err != nil {
		d.check("api_boundary_nodes_restored", false, "read the registry: %v", err)
		return
	}
	var bad, ids []string
	failed := map[string]bool{}
	for _, b := range reg.APIBoundaryNodes {
		ids = append(ids, b.ID)
		if _, elected := reg.GuestOSByID(b.Version); b.Version == d.patch || !elected {
			failed[b.ID] = true
			bad = append(bad, fmt.Sprintf("%s on %s (elected %v)", shortSubnet(b.ID), short(b.Version), elected))
		}
	}
	down, err := d.apiBoundaryNotUp(ctx, ids)
	if err != nil {
		d.check("api_boundary_nodes_restored", false, "%v", err)
		return
	}
	for _, n := range down {
		failed[n] = true
		bad = append(bad, shortSubnet(n)+" not up")
	}
	d.check("api_boundary_nodes_restored", len(bad) == 0 && len(ids) > 0,
		"%d of %d API boundary node(s) on an elected pre-patch version and up%s", len(ids)-len(failed), len(ids), listed(bad))
}
