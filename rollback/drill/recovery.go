package drill

import (
	"context"
	"fmt"

	"github.com/nnspatch/nnspatch/governance/rollout"
)

// Drill outcomes (Report.Outcome).
const (
	// OutcomeRolledBack: the rollback proposals executed and every target
	// runs its last good version again.
	OutcomeRolledBack = "rolled back"
	// OutcomeRecoveryNeeded: the fault stalled the NNS subnet. A stalled
	// NNS finalizes no block, so it cannot execute any proposal, a
	// rollback included: only a subnet recovery (ic-recovery, from a CUP
	// of the last good version, agreed by the node providers) brings it
	// back. The drill submits nothing and halts the rollout.
	OutcomeRecoveryNeeded = "subnet recovery needed"
)

// recoveryNeeded ends a drill whose fault stalled the NNS subnet: the
// rollout is halted in the ledger (a local act, no proposal) and the
// report says the subnet needs a recovery, not a rollback proposal.
func (d *drill) recoveryNeeded(ctx context.Context, ge *rollout.GateError) error {
	reason := fmt.Sprintf("the NNS subnet stalled on %s: subnet recovery needed", short(d.patch))
	if err := d.track.Halt(ctx, reason, d.track.Actor); err != nil {
		return fmt.Errorf("halt the rollout: %w", err)
	}
	d.rep.Outcome = OutcomeRecoveryNeeded
	d.step("subnet recovery needed", fmt.Sprintf("subnet %s (NNS) finalizes no block, so it cannot execute proposals, a rollback included; "+
		"rollout halted; recover the subnet (ic-recovery from a CUP of %s, agreed by the node providers), then roll the other subnets back",
		shortSubnet(ge.Subnet), short(d.nnsVersion())))
	return nil
}

// nnsVersion is the version the NNS subnet ran before the patch.
func (d *drill) nnsVersion() string { return Commit(d.s.Network.NNSVersion) }

// assertRecovery checks a drill that ended in a subnet recovery: no
// rollback proposal was made and the rollout is halted.
func (d *drill) assertRecovery(ctx context.Context) {
	n := 0
	for _, p := range d.kinds {
		if p.Kind == "rollback" {
			n++
		}
	}
	d.check("no_rollback_proposal", n == 0, "%d rollback proposal(s) made while the NNS subnet is stalled", n)
	if on(d.s.Assert.RolloutHalted) {
		_, err := d.track.Advance(ctx)
		d.check("rollout_halted", err != nil && errorsIsHalted(err), "rollout advance after the stall: %v", err)
	}
}
