package govmodel

import (
	"math/bits"
	"slices"
	"sort"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// Seed is the initial state of the model.
type Seed struct {
	// Genesis is when the neurons were created; reward rounds count from it.
	Genesis time.Time
	// Neurons are the neurons that exist from genesis. Ids must be unique
	// and non-zero.
	Neurons []NeuronSeed
	// Proposals are submitted in order, each at its Created time, before the
	// model serves its first call (history for listings and benchmarks).
	Proposals []ProposalSeed
}

// NeuronSeed describes one neuron. Neurons are locked (not dissolving).
type NeuronSeed struct {
	ID         uint64
	Controller principal.Principal
	HotKeys    []principal.Principal
	// Subaccount optionally names the neuron's ledger subaccount, so that
	// manage_neuron can address it by subaccount.
	Subaccount []byte
	// StakeE8s is the neuron's cached stake.
	StakeE8s uint64
	// VotingPower, when non-zero, fixes the neuron's voting power; otherwise
	// it derives from stake, dissolve delay and age with the NNS bonuses
	// (up to 2x for an 8-year delay, up to 1.25x for 4 years of age).
	VotingPower uint64
	// DissolveDelay is the neuron's dissolve delay.
	DissolveDelay time.Duration
	// Age is the neuron's age at genesis.
	Age time.Duration
	// Followees maps a topic (0 is the catch-all) to the neurons followed on it.
	Followees map[int32][]uint64
	// KnownName, when set, makes the neuron a public known neuron.
	KnownName string
	// VotingPowerRefreshed is when the neuron last refreshed its voting
	// power (voted directly, set following or confirmed it); zero means
	// Genesis, as a new neuron starts at its creation.
	VotingPowerRefreshed time.Time
}

// neuron is the model's state of one neuron.
type neuron struct {
	id            uint64
	controller    principal.Principal
	hotKeys       []principal.Principal
	subaccount    []byte
	stake         uint64
	fees          uint64
	vpFixed       uint64
	dissolveDelay uint64 // seconds
	created       uint64
	agingSince    uint64
	followees     map[int32][]uint64
	knownName     string
	refreshed     uint64              // voting_power_refreshed_timestamp_seconds
	recent        []govdid.BallotInfo // oldest first; see recentBallots
}

const (
	maxDissolveDelayBonusSeconds = 8 * 31_557_600 // 8 years of 365.25 days
	maxAgeBonusSeconds           = 4 * 31_557_600
)

// addNeuron installs a seed neuron; a duplicate or zero id panics.
func (g *Governance) addNeuron(s NeuronSeed) {
	if _, dup := g.neurons[s.ID]; dup || s.ID == 0 {
		panic("govmodel: seed neuron id " + itoa(s.ID) + " is zero or duplicate")
	}
	age := uint64(s.Age / time.Second)
	n := &neuron{
		id:            s.ID,
		controller:    s.Controller,
		hotKeys:       slices.Clone(s.HotKeys),
		subaccount:    slices.Clone(s.Subaccount),
		stake:         s.StakeE8s,
		vpFixed:       s.VotingPower,
		dissolveDelay: uint64(s.DissolveDelay / time.Second),
		created:       g.genesis,
		agingSince:    g.genesis - min(age, g.genesis),
		followees:     make(map[int32][]uint64),
		knownName:     s.KnownName,
		refreshed:     g.genesis,
	}
	if !s.VotingPowerRefreshed.IsZero() {
		n.refreshed = unixSeconds(s.VotingPowerRefreshed)
	}
	g.neurons[n.id] = n
	g.neuronIDs = insertSorted(g.neuronIDs, n.id)
	for _, topic := range sortedTopics(s.Followees) {
		g.setFollowees(n, topic, s.Followees[topic])
	}
	g.schedulePrune(n)
}

// sortedTopics returns the keys of m in ascending order.
func sortedTopics(m map[int32][]uint64) []int32 {
	ts := make([]int32, 0, len(m))
	for t := range m {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}

// setFollowees replaces n's followees on topic (an empty list clears them)
// and keeps the followers index in step.
func (g *Governance) setFollowees(n *neuron, topic int32, followees []uint64) {
	idx := g.followers[topic]
	if idx == nil {
		idx = make(map[uint64][]uint64)
		g.followers[topic] = idx
	}
	for _, f := range n.followees[topic] {
		idx[f] = removeSorted(idx[f], n.id)
	}
	if len(followees) == 0 {
		delete(n.followees, topic)
		return
	}
	n.followees[topic] = slices.Clone(followees)
	for _, f := range followees {
		idx[f] = insertSorted(idx[f], n.id)
	}
}

// stakeE8s is the neuron's stake net of fees (NNS Neuron::stake_e8s).
func (n *neuron) stakeE8s() uint64 {
	if n.fees >= n.stake {
		return 0
	}
	return n.stake - n.fees
}

// votingPower is the neuron's deciding voting power at now: what a ballot
// snapshotted at now weighs (see votingpower.go).
func (n *neuron) votingPower(now uint64) uint64 { return n.decidingVotingPower(now) }

// potentialVotingPower is the neuron's voting power at now before the
// periodic-confirmation adjustment.
func (n *neuron) potentialVotingPower(now uint64) uint64 {
	if n.vpFixed != 0 {
		return n.vpFixed
	}
	dd := min(n.dissolveDelay, maxDissolveDelayBonusSeconds)
	age := uint64(0)
	if now > n.agingSince {
		age = min(now-n.agingSince, maxAgeBonusSeconds)
	}
	vp := mulDiv(n.stakeE8s(), maxDissolveDelayBonusSeconds+dd, maxDissolveDelayBonusSeconds)
	return mulDiv(vp, 4*maxAgeBonusSeconds+age, 4*maxAgeBonusSeconds)
}

// mulDiv computes a*b/c without intermediate overflow; b >= c keeps the
// quotient's growth bounded by b/c.
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// authorized reports whether p controls n or is one of its hot keys.
func (n *neuron) authorized(p principal.Principal) bool {
	if n.controller.Equal(p) {
		return true
	}
	for _, h := range n.hotKeys {
		if h.Equal(p) {
			return true
		}
	}
	return false
}

// callerNeurons returns the ids of the neurons the caller controls or holds a
// hot key of, ascending.
func (g *Governance) callerNeurons(caller principal.Principal) []uint64 {
	var ids []uint64
	for _, id := range g.neuronIDs {
		if g.neurons[id].authorized(caller) {
			ids = append(ids, id)
		}
	}
	return ids
}

// neuronBySubaccount finds the neuron with the given subaccount.
func (g *Governance) neuronBySubaccount(sub []byte) *neuron {
	for _, id := range g.neuronIDs {
		n := g.neurons[id]
		if len(n.subaccount) > 0 && slices.Equal(n.subaccount, sub) {
			return n
		}
	}
	return nil
}

// recordBallot remembers a vote in the neuron's recent ballots. The slice
// grows to twice the limit before the oldest entries are dropped, so
// recording stays amortized O(1).
func (n *neuron) recordBallot(proposalID uint64, vote int32) {
	if len(n.recent) >= 2*maxRecentVotes {
		n.recent = append(n.recent[:0], n.recent[len(n.recent)-maxRecentVotes+1:]...)
	}
	n.recent = append(n.recent, govdid.BallotInfo{Vote: vote, ProposalId: &govdid.ProposalId{Id: proposalID}})
}

// recentBallots returns the last (at most 100) ballots, newest first.
func (n *neuron) recentBallots() []govdid.BallotInfo {
	start := max(0, len(n.recent)-maxRecentVotes)
	out := make([]govdid.BallotInfo, 0, len(n.recent)-start)
	for i := len(n.recent) - 1; i >= start; i-- {
		out = append(out, n.recent[i])
	}
	return out
}

// neuronInfo builds the public NeuronInfo of n at now.
func (n *neuron) neuronInfo(now uint64) govdid.NeuronInfo {
	vp, potential := n.votingPower(now), n.potentialVotingPower(now)
	refreshed := n.refreshed
	vis := int32(1) // private
	var known *govdid.KnownNeuronData
	if n.knownName != "" {
		vis = 2
		known = &govdid.KnownNeuronData{Name: n.knownName}
	}
	return govdid.NeuronInfo{
		Id:                                   &govdid.NeuronId{Id: n.id},
		DissolveDelaySeconds:                 n.dissolveDelay,
		RecentBallots:                        n.recentBallots(),
		CreatedTimestampSeconds:              n.created,
		State:                                1, // locked
		StakeE8s:                             n.stakeE8s(),
		RetrievedAtTimestampSeconds:          now,
		Visibility:                           &vis,
		KnownNeuronData:                      known,
		AgeSeconds:                           sub(now, n.agingSince),
		VotingPower:                          vp,
		VotingPowerRefreshedTimestampSeconds: &refreshed,
		DecidingVotingPower:                  &vp,
		PotentialVotingPower:                 &potential,
	}
}

// fullNeuron builds the full Neuron record of n at now (for its controller
// and hot keys).
func (n *neuron) fullNeuron(now uint64) govdid.Neuron {
	info := n.neuronInfo(now)
	dd := n.dissolveDelay
	full := govdid.Neuron{
		Id:                                   info.Id,
		Controller:                           &n.controller,
		RecentBallots:                        info.RecentBallots,
		KycVerified:                          true,
		CachedNeuronStakeE8s:                 n.stake,
		CreatedTimestampSeconds:              n.created,
		AgingSinceTimestampSeconds:           n.agingSince,
		HotKeys:                              append([]principal.Principal{}, n.hotKeys...),
		Account:                              append([]byte{}, n.subaccount...),
		DissolveState:                        &govdid.DissolveState{DissolveDelaySeconds: &dd},
		NeuronFeesE8s:                        n.fees,
		Visibility:                           info.Visibility,
		KnownNeuronData:                      info.KnownNeuronData,
		VotingPowerRefreshedTimestampSeconds: info.VotingPowerRefreshedTimestampSeconds,
		DecidingVotingPower:                  info.DecidingVotingPower,
		PotentialVotingPower:                 info.PotentialVotingPower,
	}
	for _, t := range sortedTopics(n.followees) {
		ids := make([]govdid.NeuronId, 0, len(n.followees[t]))
		for _, f := range n.followees[t] {
			ids = append(ids, govdid.NeuronId{Id: f})
		}
		full.Followees = append(full.Followees, struct {
			Field0 int32            `ic:"0,tuple" json:"0"`
			Field1 govdid.Followees `ic:"1,tuple" json:"1"`
		}{t, govdid.Followees{Followees: ids}})
	}
	return full
}

// sub is a saturating a-b.
func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// sortIDs sorts ids ascending and removes duplicates.
func sortIDs(ids []uint64) []uint64 {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return slices.Compact(ids)
}
