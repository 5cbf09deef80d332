package rollback

import (
	"errors"
	"fmt"
	"slices"

	"github.com/nnspatch/nnspatch/governance/rollout"
)

// ErrRecoveryNeeded matches RecoveryNeededError.
var ErrRecoveryNeeded = errors.New("subnet recovery needed")

// RecoveryNeededError is Build's answer when the NNS subnet itself does not
// finalize. Governance and the registry run on it, so no proposal, a
// rollback included, can execute there: the subnet needs a recovery (node
// providers restart it from a recovery catch-up package, outside
// governance). The other failing targets can be rolled back once it
// finalizes again.
type RecoveryNeededError struct {
	// Subnet is the NNS subnet.
	Subnet string
	// Others are the other failing subnets, rolled back after the recovery.
	Others []string
}

// Error implements error.
func (e *RecoveryNeededError) Error() string {
	return fmt.Sprintf("the NNS subnet %s does not finalize: governance runs on it, so no proposal (a rollback included) can execute; it needs a subnet recovery", e.Subnet)
}

// Is reports whether target is ErrRecoveryNeeded.
func (e *RecoveryNeededError) Is(target error) bool { return target == ErrRecoveryNeeded }

// checkNNSStalled refuses to plan proposals while the NNS subnet stalls.
func checkNNSStalled(in Input) error {
	nns := in.NNSSubnet
	if nns == "" {
		nns = rollout.NNSSubnet
	}
	if !slices.Contains(in.Stalled, nns) {
		return nil
	}
	e := &RecoveryNeededError{Subnet: nns}
	for _, s := range in.Failing {
		if s != nns {
			e.Others = append(e.Others, s)
		}
	}
	return e
}
