package drill

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/rollback"
)

// rollback plans the rollback from the registry history, halts the
// rollout and submits the plan until every target runs its restored
// version healthily.
func (d *drill) rollback(ctx context.Context, ge *rollout.GateError) error {
	plan, err := d.rollbackPlan(ctx, ge)
	var rn *rollback.RecoveryNeededError
	if errors.As(err, &rn) {
		return d.recoveryNeeded(ctx, rn)
	}
	if err != nil {
		return err
	}
	d.rep.Plan = plan
	d.step("rollback plan", fmt.Sprintf("%d step(s) for %d target(s)", len(plan.Steps), len(plan.Targets)))
	ex := &rollback.Executor{Gov: d.client, File: rollback.StateFile{Path: filepath.Join(d.dir, "rollback.json")},
		Ledger: rollback.ReleaseLedger{Tracker: d.track}, Neuron: d.neuron, Policy: proposals.DefaultPolicy(), Now: d.env.now, Health: d.health}
	if _, err := ex.Start(ctx, plan); err != nil {
		return err
	}
	seen := map[int]rollback.StepState{}
	for {
		st, err := ex.Submit(ctx)
		if err != nil {
			return fmt.Errorf("submit the rollback: %w", err)
		}
		d.reportRollback(ctx, plan, st, seen)
		healthy, err := d.targetsHealthy(ctx, plan)
		if err != nil {
			return err
		}
		if st.Done && healthy {
			d.rep.TimeToRollBack, d.rep.Outcome = d.now.Sub(d.rep.Detection.DetectedAt), OutcomeRolledBack
			d.step("rolled back", fmt.Sprintf("every target runs its last good version and finalizes (%s after detection)", fmtVirtual(d.rep.TimeToRollBack)))
			return nil
		}
		if err := d.tick(ctx, "rolling back"); err != nil {
			return err
		}
	}
}

func (d *drill) rollbackPlan(ctx context.Context, ge *rollout.GateError) (*rollback.Plan, error) {
	if ge.Subnet == rollout.APIBoundaryTarget {
		return d.apiBoundaryRollbackPlan(ctx, ge)
	}
	stalled, err := d.stalled(ctx, ge.Subnet)
	if err != nil {
		return nil, err
	}
	hist, err := d.history(ctx)
	if err != nil {
		return nil, err
	}
	reg, err := hist.Registry()
	if err != nil {
		return nil, err
	}
	return rollback.Build(rollback.Input{Release: d.patch, Mode: d.s.Patch.Mode, Registry: reg, History: hist,
		Failing: []string{ge.Subnet}, Stalled: stalled, Halt: true, Now: d.now,
		Problem: fmt.Sprintf("subnet %s failed the %s health check after its GuestOS update (%s)", ge.Subnet, ge.Check, ge.Detail)})
}

// reportRollback reports each step when it gets a proposal and when it is
// done.
func (d *drill) reportRollback(ctx context.Context, p *rollback.Plan, st *rollback.Status, seen map[int]rollback.StepState) {
	for i, s := range st.Steps {
		if seen[s.N] == s.State || (s.Proposal == 0 && s.State != rollback.StateDone) || (seen[s.N] != "" && s.State != rollback.StateDone) {
			continue
		}
		first := seen[s.N] == ""
		seen[s.N] = s.State
		step := p.Steps[i]
		var props []uint64
		if s.Proposal != 0 && first {
			props = append(props, s.Proposal)
			d.noteProposal(s.Proposal, "rollback", step.Subnet, step.Draft.Title)
			d.vote(ctx, s.Proposal)
		}
		what := string(s.Kind)
		switch {
		case step.Subnet != "":
			what += " " + shortSubnet(step.Subnet) + " → " + short(step.Version)
		case step.Kind == rollback.StepUnassigned:
			what += " → " + short(step.Version)
		case step.Kind == rollback.StepReelect:
			what += " " + short(step.Version)
		}
		detail := s.Detail
		switch {
		case s.State == rollback.StateDone && step.Subnet != "":
			detail = "done: every replica runs " + short(step.Version) + ", no alert fires"
		case s.State == rollback.StateDone && step.Kind == rollback.StepReelect:
			detail = fmt.Sprintf("done: elected again by proposal %d with the package hash of its first election", s.Proposal)
		}
		d.step("rollback", fmt.Sprintf("step %d (%s): %s", s.N, what, detail), props...)
	}
}

// targetsHealthy reports whether every subnet target runs its restored
// version, finalizes and has caught up, and every API boundary node target
// is seen up by the health source (the executor's step checks that their
// records name the restored version).
func (d *drill) targetsHealthy(ctx context.Context, p *rollback.Plan) (bool, error) {
	for _, t := range p.Targets {
		if len(t.APIBoundaryNodes) == 0 {
			continue
		}
		down, err := d.apiBoundaryNotUp(ctx, t.APIBoundaryNodes)
		if err != nil || len(down) > 0 {
			return false, err
		}
	}
	subs, err := d.env.admin.Subnets(ctx)
	if err != nil {
		return false, fmt.Errorf("read subnet states: %w", err)
	}
	byID := map[string]localnet.SubnetStatus{}
	for _, s := range subs {
		byID[s.ID] = s
	}
	for _, t := range p.Targets {
		if t.Subnet == "" {
			continue
		}
		s, ok := byID[t.Subnet]
		if !ok {
			return false, errors.New("subnet " + t.Subnet + " vanished from the network")
		}
		if s.RunningVersion != t.Restore || s.Stalled || s.CatchingUp {
			return false, nil
		}
	}
	return true, nil
}

// stalled lists subnet when it does not finalize: its lowest finalized
// height, read before and after one tick, did not grow (a gate that failed
// on alerts may still be finalizing slowly).
func (d *drill) stalled(ctx context.Context, subnet string) ([]string, error) {
	height := func() (*float64, error) {
		snap, err := d.health.Snapshot(ctx)
		if err != nil {
			return nil, fmt.Errorf("observe subnet %s: %w", subnet, err)
		}
		return snap.Subnets[subnet].Height, nil
	}
	before, err := height()
	if err != nil {
		return nil, err
	}
	if err := d.tick(ctx, "checking finalization"); err != nil {
		return nil, err
	}
	after, err := height()
	if err != nil || before == nil || after == nil || *after > *before {
		return nil, err
	}
	return []string{subnet}, nil
}
