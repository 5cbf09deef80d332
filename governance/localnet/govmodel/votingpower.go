package govmodel

import (
	"math/bits"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// Periodic confirmation ("refreshing" voting power). A neuron refreshes its
// voting power by voting directly, setting its following (Follow,
// SetFollowing) or sending manage_neuron RefreshVotingPower. Its deciding
// voting power (what its ballots weigh) equals its potential voting power
// until startReducingAfterSeconds have passed since the refresh, then falls
// linearly to zero over clearFollowingAfterSeconds, when its following on
// every topic but NeuronManagement is cleared.
//
// Sources: dfinity/ic rs/nns/governance/src/network_economics.rs
// (VotingPowerEconomics::DEFAULT_START_REDUCING_VOTING_POWER_AFTER_SECONDS =
// 6 * ONE_MONTH_SECONDS, DEFAULT_CLEAR_FOLLOWING_AFTER_SECONDS =
// ONE_MONTH_SECONDS, deciding_voting_power_adjustment_factor: a linear map
// from [start, start+clear] to [1, 0], clamped); ONE_MONTH_SECONDS is a
// twelfth of a 365.25-day year; governance.did comments on
// VotingPowerEconomics ("Initially, set to 0.5 years", "1/12 years"); forum
// post "Periodic confirmation - API changes & Release plan" (new neurons
// start with voting_power_refreshed_timestamp_seconds = created).
const (
	oneMonthSeconds            = 31_557_600 / 12 // 2_629_800
	startReducingAfterSeconds  = 6 * oneMonthSeconds
	clearFollowingAfterSeconds = oneMonthSeconds
)

// refreshVotingPower records that n refreshed its voting power at now.
func (n *neuron) refreshVotingPower(now uint64) {
	if now > n.refreshed {
		n.refreshed = now
	}
}

// decidingVotingPower is n's potential voting power scaled by the
// periodic-confirmation adjustment factor at now (rounded half up, as
// governance rounds the Decimal product to the nearest integer).
func (n *neuron) decidingVotingPower(now uint64) uint64 {
	potential := n.potentialVotingPower(now)
	since := sub(now, n.refreshed)
	switch {
	case since <= startReducingAfterSeconds:
		return potential
	case since >= startReducingAfterSeconds+clearFollowingAfterSeconds:
		return 0
	}
	left := startReducingAfterSeconds + clearFollowingAfterSeconds - since
	hi, lo := bits.Mul64(potential, left)
	lo, carry := bits.Add64(lo, clearFollowingAfterSeconds/2, 0)
	hi += carry
	q, _ := bits.Div64(hi, lo, clearFollowingAfterSeconds)
	return q
}

// followingExpired reports whether n has gone so long without a refresh
// that governance clears its following (prune_following).
func (n *neuron) followingExpired(now uint64) bool {
	return sub(now, n.refreshed) >= startReducingAfterSeconds+clearFollowingAfterSeconds
}

// pruneFollowing clears the following of every neuron whose voting power
// reached zero for want of a refresh, except on NeuronManagement (the
// periodic prune_some_following task of governance). It scans only when the
// earliest such moment has come.
func (g *Governance) pruneFollowing(now uint64) {
	if g.nextPrune == 0 || now < g.nextPrune {
		return
	}
	g.nextPrune = 0
	for _, id := range g.neuronIDs {
		n := g.neurons[id]
		if n.followingExpired(now) {
			for _, topic := range sortedTopics(n.followees) {
				if topic != TopicNeuronManagement {
					g.setFollowees(n, topic, nil)
				}
			}
		}
		g.schedulePrune(n)
	}
}

// schedulePrune moves the next prune scan earlier if n's following expires
// before it.
func (g *Governance) schedulePrune(n *neuron) {
	if len(n.followees) == 0 || (len(n.followees) == 1 && n.followees[TopicNeuronManagement] != nil) {
		return
	}
	at := n.refreshed + startReducingAfterSeconds + clearFollowingAfterSeconds
	if g.nextPrune == 0 || at < g.nextPrune {
		g.nextPrune = at
	}
}

// refreshCommand is manage_neuron RefreshVotingPower: the controller or a
// hot key refreshes the neuron's voting power without changing anything
// else.
func (g *Governance) refreshCommand(n *neuron, caller principal.Principal, now uint64, dry bool) *govdid.GovernanceError {
	if !n.authorized(caller) {
		return govErr(ErrorNotAuthorized, "Caller is not authorized to refresh the voting power of neuron "+itoa(n.id)+".")
	}
	if !dry {
		n.refreshVotingPower(now)
		g.schedulePrune(n)
	}
	return nil
}
