package rollout

import "context"

// CanisterRelease is an NNS canister release's upgrades.
type CanisterRelease struct{}

// CanisterStatus is an NNS canister release's state.
type CanisterStatus struct {
	Quiet QuietStatus `json:"quiet_period"`
}

// CanisterStatus observes an NNS canister release.
func (t *Tracker) CanisterStatus(ctx context.Context) (*CanisterStatus, error) {
	return nil, nil
}
