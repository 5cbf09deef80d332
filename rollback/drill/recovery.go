package drill

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/rollback"
)

// OutcomeRolledBack and OutcomeRecoveryNeeded are how a drill ends.
const (
	OutcomeRolledBack     = "rolled back"
	OutcomeRecoveryNeeded = "subnet recovery needed"
)

// recoveryNeeded ends a drill whose fault stalled the NNS subnet: no
// proposal can execute there, so the drill halts the rollout (locally),
// reports the recovery and makes no rollback proposal.
func (d *drill) recoveryNeeded(ctx context.Context, rn *rollback.RecoveryNeededError) error {
	d.rep.Outcome = OutcomeRecoveryNeeded
	detail := fmt.Sprintf("the NNS subnet %s does not finalize, so no proposal can execute; it needs a subnet recovery", rn.Subnet)
	if len(rn.Others) > 0 {
		detail += "; then roll back " + strings.Join(rn.Others, ", ")
	}
	d.step(OutcomeRecoveryNeeded, detail)
	if err := d.track.Halt(ctx, "the NNS subnet stalled on the release: subnet recovery needed", "drill"); err != nil {
		return fmt.Errorf("halt the rollout: %w", err)
	}
	return nil
}

// assertRecovery checks a drill that expects (or not) a subnet recovery:
// it ended that way, it proposed no rollback, and the stalled NNS subnet
// really executes nothing (a motion is refused).
func (d *drill) assertRecovery(ctx context.Context) {
	want := d.s.Expect.RecoveryNeeded
	d.check("outcome", (d.rep.Outcome == OutcomeRecoveryNeeded) == want, "ended with %q (expected %q)", d.rep.Outcome, map[bool]string{true: OutcomeRecoveryNeeded, false: OutcomeRolledBack}[want])
	if !want {
		return
	}
	var rollbacks []uint64
	for id, p := range d.kinds {
		if p.Kind == "rollback" {
			rollbacks = append(rollbacks, id)
		}
	}
	d.check("no_rollback_proposal", len(rollbacks) == 0, "rollback proposals made: %v", rollbacks)
	_, err := d.client.MakeProposal(ctx, d.neuron, motionRequest("Motion: does the stalled NNS subnet execute proposals?"))
	d.check("nns_executes_nothing", err != nil && !errors.Is(err, context.Canceled), "a proposal on the stalled NNS subnet: %v", err)
}

// motionRequest is a motion proposal with title as its title and text.
func motionRequest(title string) govdid.MakeProposalRequest {
	return govdid.MakeProposalRequest{Title: &title, Summary: "A drill checks that the stalled NNS subnet executes nothing.",
		Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: title}}}
}
