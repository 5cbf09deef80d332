package drill

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

// rollout advances the staged rollout on the virtual clock until a gate
// fails (the detection) or the rollout completes (nothing detected).
func (d *drill) rollout(ctx context.Context) (*rollout.GateError, error) {
	done := map[int]bool{}
	for {
		res, err := d.track.Advance(ctx)
		if res != nil {
			d.reportAdvance(res, done)
		}
		var ge *rollout.GateError
		switch {
		case errors.As(err, &ge):
			ge = apiBoundaryGate(ge, res)
			return ge, d.detected(ctx, ge)
		case err != nil && !errors.Is(err, rollout.ErrNotReady):
			return nil, fmt.Errorf("advance the rollout: %w", err)
		}
		if res != nil && res.Status.State == rollout.RolloutComplete {
			d.step("rollout complete", "the fault was never detected")
			return nil, nil
		}
		if err := d.runEvents(ctx, res); err != nil {
			return nil, err
		}
		if err := d.tick(ctx, "rolling out"); err != nil {
			return nil, err
		}
	}
}

// reportAdvance reports submitted proposals and completed batches.
func (d *drill) reportAdvance(res *rollout.AdvanceResult, done map[int]bool) {
	if len(res.Submitted) > 0 {
		var ids []uint64
		var targets []string
		for _, s := range res.Submitted {
			ids = append(ids, s.Proposal)
			target := shortSubnet(s.Subnet)
			switch s.Subnet {
			case "":
				target = "unassigned nodes"
			case rollout.APIBoundaryTarget:
				target = "API boundary nodes"
			}
			targets = append(targets, target)
			d.noteProposal(s.Proposal, "deploy", s.Subnet, "")
		}
		what := fmt.Sprintf("batch %d: ", batchOf(res.Status, res.Submitted[0].Subnet))
		if s := res.Submitted[0].Subnet; s == "" || s == rollout.APIBoundaryTarget {
			what = "after the batches: "
		}
		d.step("deploy", what+strings.Join(targets, ", "), ids...)
	}
	for _, b := range res.Status.Batches {
		if b.State == rollout.StateComplete && !done[b.Batch] {
			done[b.Batch] = true
			d.step("batch complete", fmt.Sprintf("batch %d: %d subnet(s) run %s and are healthy", b.Batch, len(b.Subnets), short(d.patch)))
		}
	}
}

func batchOf(st *rollout.Status, subnet string) int {
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			if s.Subnet == subnet {
				return b.Batch
			}
		}
	}
	return len(st.Batches) + 1
}

func shortSubnet(id string) string {
	if len(id) > 11 {
		return id[:11]
	}
	return id
}

// detected records the detection: when the fault showed (the subnet
// stalled, or the registry switched the API boundary nodes to the patch,
// which takes them down) and when the gate failed.
func (d *drill) detected(ctx context.Context, ge *rollout.GateError) error {
	det := &Detection{Subnet: ge.Subnet, Check: ge.Check, Detail: ge.Detail, DetectedAt: d.now}
	what := "subnet " + shortSubnet(ge.Subnet)
	if ge.Subnet == rollout.APIBoundaryTarget {
		det.StalledAt, what = d.switchedAt(ctx), "API boundary nodes"
	} else {
		subs, err := d.env.admin.Subnets(ctx)
		if err != nil {
			return fmt.Errorf("read subnet states: %w", err)
		}
		for _, s := range subs {
			if s.ID == ge.Subnet && s.Stalled {
				det.StalledAt = s.StalledSince
			}
		}
	}
	if !det.StalledAt.IsZero() {
		det.TimeToDetect = det.DetectedAt.Sub(det.StalledAt)
	}
	d.rep.Detection = det
	d.step("detected", fmt.Sprintf("%s failed the %s check: %s", what, ge.Check, ge.Detail))
	return nil
}

// runEvents takes the scripted actions whose batch has completed.
func (d *drill) runEvents(ctx context.Context, res *rollout.AdvanceResult) error {
	if res == nil {
		return nil
	}
	for i, e := range d.s.Events {
		if d.events[i] || e.AfterBatch > len(res.Status.Batches) || res.Status.Batches[e.AfterBatch-1].State != rollout.StateComplete {
			continue
		}
		d.events[i] = true
		if err := d.unelectUnused(ctx); err != nil {
			return err
		}
	}
	return nil
}

// unelectUnused unelects every elected GuestOS version nothing runs,
// except the patch: the regular clean-up that can leave a subnet without
// its previous version.
func (d *drill) unelectUnused(ctx context.Context) error {
	reg, err := d.client.Registry(ctx)
	if err != nil {
		return err
	}
	var unused []string
	for _, v := range reg.GuestOS {
		subnets, unassigned, bns := reg.GuestOSInUse(v.ID)
		if v.ID != d.patch && len(subnets) == 0 && !unassigned && len(bns) == 0 {
			unused = append(unused, v.ID)
		}
	}
	if len(unused) == 0 {
		d.step("unelect", "no unused version to unelect")
		return nil
	}
	dr, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeRegular, Unelect: unused})
	if err != nil {
		return fmt.Errorf("draft the clean-up: %w", err)
	}
	id, err := d.submit(ctx, dr)
	if err != nil {
		return fmt.Errorf("submit the clean-up: %w", err)
	}
	d.noteProposal(id, "unelect", "", dr.Title)
	if err := d.track.RecordEvent(ctx, "submit", fmt.Sprintf("unelected unused GuestOS versions %s", strings.Join(unused, ", ")), id); err != nil {
		return err
	}
	d.step("unelect", fmt.Sprintf("unused version(s) %s unelected by proposal %d", shortList(unused), id), id)
	return nil
}

// submit preflights and submits a draft as the drill's neuron.
func (d *drill) submit(ctx context.Context, dr proposals.Draft) (uint64, error) {
	req, err := proposals.ValidRequest(dr, proposals.DefaultPolicy())
	if err != nil {
		return 0, err
	}
	pf, err := d.client.Preflight(ctx, d.neuron, req)
	if err != nil {
		return 0, err
	}
	if err := pf.Err(); err != nil {
		return 0, err
	}
	id, err := d.client.MakeProposal(ctx, d.neuron, req)
	if err != nil {
		return 0, err
	}
	d.vote(ctx, id)
	p, err := d.client.GetProposal(ctx, id)
	if err != nil {
		return 0, err
	}
	if p.Status != governance.StatusExecuted {
		return id, fmt.Errorf("proposal %d is %s, not executed", id, p.Status)
	}
	return id, nil
}

func shortList(vs []string) string {
	var out []string
	for _, v := range vs {
		out = append(out, short(v))
	}
	return strings.Join(out, ", ")
}
