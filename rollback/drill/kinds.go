package drill

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/rollback"
)

// Scenario kinds (Scenario.Kind).
const (
	KindGuestOS  = rollout.ReleaseGuestOS
	KindHostOS   = rollout.ReleaseHostOS
	KindCanister = rollout.ReleaseCanister
)

// playHostOS drills a HostOS release: elect, plan the stages, take the
// fault's node down on the patch (fault.batch is the node batch,
// fault.index the node in it), advance until a stage exceeds its failure
// tolerance, then run the HostOS rollback (halt, each node back to its
// previous HostOS) until every rolled-back node is up again.
func (d *drill) playHostOS(ctx context.Context) error {
	dr, err := proposals.NewElectHostOS(proposals.ElectOptions{Mode: d.s.Patch.Mode, Version: d.patch, SHA256: packageSHA(d.patch)})
	if err != nil {
		return fmt.Errorf("draft the HostOS election: %w", err)
	}
	if _, err := rollout.NewHostOSRelease(ctx, d.track.Store, dr, d.track.Actor, d.now); err != nil {
		return err
	}
	id, err := d.track.SubmitElection(ctx)
	if err != nil {
		return fmt.Errorf("submit the HostOS election: %w", err)
	}
	d.noteProposal(id, "elect", "", dr.Title)
	d.vote(ctx, id)
	if err := d.waitExecuted(ctx, id, "waiting for the HostOS election"); err != nil {
		return err
	}
	d.step("elected", fmt.Sprintf("HostOS %s elected by proposal %d", short(d.patch), id), id)
	plan, err := d.track.SaveHostOSPlan(ctx, rollout.HostOSPlanOptions{Start: d.now, Interval: d.s.Rollout.Interval.D(), Bake: d.s.Rollout.Bake.D()})
	if err != nil {
		return err
	}
	node, err := faultNode(plan, d.s.Fault)
	if err != nil {
		return err
	}
	d.rep.FaultSubnet = node
	if _, err := d.env.admin.SetFault(ctx, localnet.Fault{Version: d.patch, Subnets: []string{node}}); err != nil {
		return fmt.Errorf("inject the fault: %w", err)
	}
	d.step("plan", fmt.Sprintf("%d nodes in %d stages; fault: node %s goes down on the patch (batch %d)", plan.Nodes(), len(plan.Stages), shortSubnet(node), d.s.Fault.Batch))
	te, err := d.rolloutHostOS(ctx)
	if err != nil || te == nil {
		return err
	}
	l, err := d.track.Store.Read()
	if err != nil {
		return err
	}
	reg, err := d.client.Registry(ctx)
	if err != nil {
		return err
	}
	p, err := rollback.BuildHostOS(l, reg, te.Error(), d.now)
	if err != nil {
		return err
	}
	return d.runRollback(ctx, p, func(ctx context.Context) (bool, error) { return d.nodesUp(ctx, p) })
}

// faultNode is the node the scenario's fault names.
func faultNode(p *rollout.HostOSPlan, f FaultSpec) (string, error) {
	for _, s := range p.Stages {
		for _, b := range s.Batches {
			if b.Batch == f.Batch && f.Index < len(b.Nodes) {
				return b.Nodes[f.Index], nil
			}
		}
	}
	return "", fmt.Errorf("%w: fault: HostOS batch %d has no node %d", ErrScenario, f.Batch, f.Index)
}

// rolloutHostOS advances until a stage exceeds its tolerance (the
// detection) or the rollout completes.
func (d *drill) rolloutHostOS(ctx context.Context) (*rollout.ToleranceError, error) {
	for {
		res, err := d.track.AdvanceHostOS(ctx)
		if res != nil {
			for _, s := range res.Submitted {
				d.noteProposal(s.Proposal, "deploy", s.Subnet, "")
				d.step("deploy", s.Subnet, s.Proposal)
			}
		}
		var te *rollout.ToleranceError
		switch {
		case errors.As(err, &te):
			d.rep.Detection = &Detection{Subnet: d.rep.FaultSubnet, Check: "failure tolerance", DetectedAt: d.now, StalledAt: downSince(res, d.rep.FaultSubnet)}
			if !d.rep.Detection.StalledAt.IsZero() {
				d.rep.Detection.TimeToDetect = d.now.Sub(d.rep.Detection.StalledAt)
			}
			d.step("detected", te.Error())
			return te, nil
		case err != nil && !errors.Is(err, rollout.ErrNotReady):
			return nil, fmt.Errorf("advance the HostOS rollout: %w", err)
		case res != nil && res.Status.State == rollout.RolloutComplete:
			d.step("rollout complete", "the fault was never detected")
			return nil, nil
		}
		if err := d.tick(ctx, "rolling out HostOS"); err != nil {
			return nil, err
		}
	}
}

// downSince is when the node's batch executed (the node went down on the
// patch then).
func downSince(res *rollout.HostOSAdvanceResult, node string) time.Time {
	if res == nil {
		return time.Time{}
	}
	for _, s := range res.Status.Stages {
		for _, b := range s.Batches {
			if slices.Contains(b.Down, node) {
				return b.Proposal.Executed
			}
		}
	}
	return time.Time{}
}

// nodesUp reports whether every node of the plan's HostOS steps runs its
// restored version and is up.
func (d *drill) nodesUp(ctx context.Context, p *rollback.Plan) (bool, error) {
	reg, err := d.client.Registry(ctx)
	if err != nil {
		return false, err
	}
	snap, err := d.health.Snapshot(ctx)
	if err != nil {
		return false, err
	}
	for _, s := range p.Steps {
		for _, n := range s.Nodes {
			up, known := snap.NodeUp(n)
			if reg.Nodes[n].HostOSVersion != s.Version || !known || !up {
				return false, nil
			}
		}
	}
	return true, nil
}

// playCanister drills an NNS canister release: upgrade patch.canister to
// a module built from the patch's name, wait until the certified module
// hash is the new one, then roll it back to the module it ran before (the
// local network's seed module, SHA-256 checked against the hash recorded
// before the upgrade). The local network models no canister health: the
// decision to roll back is the scenario's (detection check "scripted").
func (d *drill) playCanister(ctx context.Context) error {
	wasm := append([]byte("\x00asm\x01\x00\x00\x00"), "drill module "+d.patch...)
	id := canisterID(d.s.Patch.Canister)
	dr, err := proposals.NewUpgradeCanister(proposals.UpgradeCanisterOptions{Mode: d.s.Patch.Mode, Code: proposals.InstallCode{CanisterID: id, Wasm: wasm}})
	if err != nil {
		return err
	}
	if _, err := rollout.NewCanisterRelease(ctx, d.track.Store, d.patch, d.s.Patch.Mode, []proposals.Draft{dr}, d.track.Actor, d.now); err != nil {
		return err
	}
	d.rep.FaultSubnet = id
	for {
		res, err := d.track.AdvanceCanisters(ctx)
		if res != nil {
			for _, s := range res.Submitted {
				d.noteProposal(s.Proposal, "upgrade", s.Subnet, dr.Title)
				d.vote(ctx, s.Proposal)
				d.step("upgrade", fmt.Sprintf("InstallCode of %s (wasm %s) submitted as proposal %d", d.s.Patch.Canister, short(dr.UpgradeCanister.WasmSHA256), s.Proposal), s.Proposal)
			}
			if res.Status.State == rollout.RolloutComplete {
				break
			}
		}
		if err != nil && !errors.Is(err, rollout.ErrNotReady) {
			return fmt.Errorf("advance the canister release: %w", err)
		}
		if err := d.tick(ctx, "waiting for the canister upgrade"); err != nil {
			return err
		}
	}
	d.step("upgraded", fmt.Sprintf("canister %s runs module %s (certified module hash)", d.s.Patch.Canister, short(dr.UpgradeCanister.WasmSHA256)))
	d.rep.Detection = &Detection{Subnet: id, Check: "scripted", DetectedAt: d.now}
	d.step("detected", "the scenario rolls the upgrade back (the local network models no canister health)")
	prev := filepath.Join(filepath.Dir(d.dir), d.s.Patch.Canister+"-previous.wasm")
	if err := os.WriteFile(prev, localnet.SeedWasm(d.s.Patch.Canister), 0o644); err != nil {
		return err
	}
	l, err := d.track.Store.Read()
	if err != nil {
		return err
	}
	p, err := rollback.BuildCanister(l, []rollback.CanisterRollback{{Canister: id, WasmPath: prev}}, "the upgrade of canister "+d.s.Patch.Canister+" is rolled back", d.now)
	if err != nil {
		return err
	}
	return d.runRollback(ctx, p, func(context.Context) (bool, error) { return true, nil })
}

// canisterID is the id of an NNS canister of the local network by name.
func canisterID(name string) string {
	for _, c := range localnet.NNSCanisters {
		if c.Name == name {
			return c.ID.String()
		}
	}
	return name
}

// runRollback runs plan p through the executor until every step is done
// and healthy says the targets are well.
func (d *drill) runRollback(ctx context.Context, p *rollback.Plan, healthy func(context.Context) (bool, error)) error {
	d.rep.Plan = p
	d.step("rollback plan", fmt.Sprintf("%d step(s) for %d target(s)", len(p.Steps), len(p.Targets)))
	ex := &rollback.Executor{Gov: d.client, File: rollback.StateFile{Path: filepath.Join(d.dir, "rollback.json")},
		Ledger: rollback.ReleaseLedger{Tracker: d.track}, Neuron: d.neuron, Policy: proposals.DefaultPolicy(), Now: d.env.now, Health: d.health}
	if _, err := ex.Start(ctx, p); err != nil {
		return err
	}
	for {
		st, err := ex.Submit(ctx)
		if err != nil {
			return fmt.Errorf("submit the rollback: %w", err)
		}
		for _, s := range st.Steps {
			if s.Proposal != 0 {
				if _, seen := d.kinds[s.Proposal]; !seen {
					d.noteProposal(s.Proposal, "rollback", s.Subnet, p.Steps[s.N-1].Draft.Title)
					d.vote(ctx, s.Proposal)
					d.step("rollback", fmt.Sprintf("step %d (%s) submitted", s.N, s.Kind), s.Proposal)
				}
			}
		}
		ok, err := healthy(ctx)
		if err != nil {
			return err
		}
		if st.Done && ok {
			d.rep.TimeToRollBack, d.rep.Outcome = d.now.Sub(d.rep.Detection.DetectedAt), OutcomeRolledBack
			d.step("rolled back", fmt.Sprintf("every target runs its previous version (%s after detection)", fmtVirtual(d.rep.TimeToRollBack)))
			return nil
		}
		if err := d.tick(ctx, "rolling back"); err != nil {
			return err
		}
	}
}

// waitExecuted ticks until proposal id executed.
func (d *drill) waitExecuted(ctx context.Context, id uint64, what string) error {
	for {
		p, err := d.client.GetProposal(ctx, id)
		if err != nil {
			return err
		}
		switch p.Status {
		case governance.StatusExecuted:
			return nil
		case governance.StatusRejected, governance.StatusFailed:
			return fmt.Errorf("drill %s: proposal %d %s %s", d.s.Name, id, p.Status, p.FailureReason)
		}
		if err := d.tick(ctx, what); err != nil {
			return err
		}
	}
}

// assertKind checks the end state of a HostOS or canister drill: rolled
// back in time, the release halted and reporting the rollback.
func (d *drill) assertKind(ctx context.Context) {
	d.check("rolled_back", d.rep.Outcome == OutcomeRolledBack, "outcome: %s", d.rep.Outcome)
	if w := d.s.Expect.RollbackWithin.D(); w > 0 {
		d.check("rollback_within", d.rep.TimeToRollBack <= w, "rolled back in %s (bound %s)", fmtVirtual(d.rep.TimeToRollBack), fmtVirtual(w))
	}
	var state rollout.RolloutState
	var rolled int
	if d.s.Kind == KindHostOS {
		st, err := d.track.HostOSStatus(ctx)
		if err != nil {
			d.check("release_reports_rollback", false, "%v", err)
			return
		}
		state, rolled = st.State, len(st.RolledBack)
	} else {
		st, err := d.track.CanisterStatus(ctx)
		if err != nil {
			d.check("release_reports_rollback", false, "%v", err)
			return
		}
		state = st.State
		for _, c := range st.Canisters {
			if c.State == rollout.StateRolledBack {
				rolled++
			}
		}
	}
	d.check("release_reports_rollback", state == rollout.RolloutHalted && rolled > 0, "release %s with %d rolled-back target(s)", state, rolled)
	if on(d.s.Assert.NothingDisclosed) {
		l, err := d.track.Store.Read()
		d.check("nothing_disclosed", err == nil && l.Disclosure == nil, "disclosure: %v", err)
	}
}
