package govmodel

import (
	"sort"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// CanisterID is the NNS governance canister id the model stands in for.
const CanisterID = "rrkah-fqaaa-aaaaa-aaaaq-cai"

const (
	day            = 24 * time.Hour
	e8s            = uint64(100_000_000)
	halfYear       = 15_778_800 * time.Second // 365.25 days / 2, ONE_YEAR_SECONDS / 2
	maxFollowees   = 15                       // MAX_FOLLOWEES_PER_TOPIC
	maxRecentVotes = 100                      // MAX_NEURON_RECENT_BALLOTS
)

// Executor carries out adopted proposals. The registry model implements the
// NNS functions; an error fails the proposal with the error's text as its
// failure_reason (GovernanceError External).
type Executor interface {
	// ExecuteNnsFunction applies an adopted ExecuteNnsFunction proposal.
	ExecuteNnsFunction(fn int32, payload []byte, now time.Time) error
	// InstallCode applies an adopted InstallCode proposal.
	InstallCode(canisterID principal.Principal, mode int32, wasm, arg []byte, now time.Time) error
}

// Config holds the governance parameters. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	// VotingPeriod is wait_for_quiet_threshold_seconds: the initial deadline
	// is the submission time plus this period.
	VotingPeriod time.Duration
	// WaitForQuietIncrease is WAIT_FOR_QUIET_DEADLINE_INCREASE_SECONDS (W);
	// the deadline can grow to at most VotingPeriod + 2W.
	WaitForQuietIncrease time.Duration
	// RejectCostE8s is charged to the proposer's neuron and refunded on
	// adoption (NetworkEconomics.reject_cost_e8s).
	RejectCostE8s uint64
	// MinDissolveDelayToVote is the dissolve delay a neuron needs for a
	// ballot (neuron_minimum_dissolve_delay_to_vote_seconds).
	MinDissolveDelayToVote time.Duration
	// MinDissolveDelayToPropose is NEURON_MINIMUM_DISSOLVE_DELAY_TO_PROPOSE_SECONDS.
	MinDissolveDelayToPropose time.Duration
	// RewardPeriod is the spacing of reward events, counted from
	// Seed.Genesis; a reward event settles proposals whose deadline passed
	// and clears their ballots.
	RewardPeriod time.Duration
	// Executor executes adopted proposals; nil means every execution succeeds.
	Executor Executor
	// BuildMetadata is the reply of get_build_metadata.
	BuildMetadata string
	// MaxProposalsToKeepPerTopic is NetworkEconomics'
	// max_proposals_to_keep_per_topic, the garbage collection rule (see
	// gc.go): 0 takes governance's 100; a negative value keeps every
	// proposal (what governance does when the economics say 0).
	MaxProposalsToKeepPerTopic int
}

// DefaultConfig returns the production-like parameters: 4-day voting period,
// 2-day wait-for-quiet increase, 25 ICP reject cost, 6-month minimum dissolve
// delays and daily reward events.
func DefaultConfig() Config {
	return Config{
		VotingPeriod:              4 * day,
		WaitForQuietIncrease:      2 * day,
		RejectCostE8s:             25 * e8s,
		MinDissolveDelayToVote:    halfYear,
		MinDissolveDelayToPropose: halfYear,
		RewardPeriod:              day,
		BuildMetadata:             "nnspatch localnet governance model",
	}
}

// withDefaults fills the zero fields of c from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.VotingPeriod <= 0 {
		c.VotingPeriod = d.VotingPeriod
	}
	if c.WaitForQuietIncrease <= 0 {
		c.WaitForQuietIncrease = d.WaitForQuietIncrease
	}
	if c.RejectCostE8s == 0 {
		c.RejectCostE8s = d.RejectCostE8s
	}
	if c.MinDissolveDelayToVote <= 0 {
		c.MinDissolveDelayToVote = d.MinDissolveDelayToVote
	}
	if c.MinDissolveDelayToPropose <= 0 {
		c.MinDissolveDelayToPropose = d.MinDissolveDelayToPropose
	}
	if c.RewardPeriod <= 0 {
		c.RewardPeriod = d.RewardPeriod
	}
	if c.BuildMetadata == "" {
		c.BuildMetadata = d.BuildMetadata
	}
	return c
}

// Governance is the governance canister model. It implements
// replica.Canister and is safe for concurrent use.
type Governance struct {
	mu  sync.RWMutex
	cfg Config

	genesis     uint64 // seconds; reward rounds count from here
	rewardRound uint64 // latest reward event round

	neurons   map[uint64]*neuron
	neuronIDs []uint64 // ascending
	// followers indexes following: topic -> followee -> followers (ascending).
	followers map[int32]map[uint64][]uint64
	nextPrune uint64 // when pruneFollowing next has work (0: never)

	proposals []*proposal // proposals[i].id == i+1; nil once garbage-collected
	held      int         // non-nil proposals
	gcAt      uint64      // latest_gc_timestamp_seconds
	gcHeld    int         // latest_gc_num_proposals
	open      []uint64    // ids of open proposals, ascending
	unsettled []uint64    // ids not yet settled by a reward event, ascending
}

var _ replica.Canister = (*Governance)(nil)

// New builds the model from its parameters and initial state. Seed
// proposals are submitted in order at their Created time, through the same
// rules as manage_neuron MakeProposal; New panics if one is invalid, since a
// seed is part of the program, not user input.
func New(cfg Config, seed Seed) *Governance {
	g := &Governance{
		cfg:       cfg.withDefaults(),
		genesis:   unixSeconds(seed.Genesis),
		neurons:   make(map[uint64]*neuron),
		followers: make(map[int32]map[uint64][]uint64),
	}
	for _, ns := range seed.Neurons {
		g.addNeuron(ns)
	}
	for i, ps := range seed.Proposals {
		if err := g.seedProposal(ps); err != nil {
			panic("govmodel: seed proposal " + itoa(uint64(i)) + ": " + err.ErrorMessage)
		}
	}
	return g
}

// SetExecutor replaces the executor of adopted proposals. The glue calls it
// once, before the first Execute, when the registry model is built after
// governance.
func (g *Governance) SetExecutor(e Executor) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cfg.Executor = e
}

// Tick processes the time-driven transitions up to now: deadlines that passed
// decide their proposals, adopted proposals execute, reward events settle.
// A proposal is decided (and executed) at its deadline, in deadline order,
// however far the clock jumped, as governance's timer would have done.
func (g *Governance) Tick(now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tick(unixSeconds(now))
}

// tick is Tick with the lock held.
func (g *Governance) tick(now uint64) {
	var due []*proposal
	for _, id := range g.open {
		if p := g.proposals[id-1]; p.deadline <= now {
			due = append(due, p)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if due[i].deadline != due[j].deadline {
			return due[i].deadline < due[j].deadline
		}
		return due[i].id < due[j].id
	})
	for _, p := range due {
		g.process(p, p.deadline)
	}
	g.pruneFollowing(now)
	g.distributeRewards(now)
	g.maybeGC(now)
}

// ProposalCount returns the number of proposals ever made.
func (g *Governance) ProposalCount() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.proposals)
}

// Proposal returns the full ProposalInfo of a proposal as an anonymous caller
// sees it at time now (ballots empty), and whether it exists.
func (g *Governance) Proposal(id uint64, now time.Time) (govdid.ProposalInfo, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	p := g.proposal(id)
	if p == nil {
		return govdid.ProposalInfo{}, false
	}
	return g.proposalInfo(p, nil, viewFull, unixSeconds(now)), true
}

// OpenProposalCount returns the number of proposals still open.
func (g *Governance) OpenProposalCount() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.open)
}

// NeuronFeesE8s returns the fees (burned reject costs) of a neuron and
// whether the neuron exists.
func (g *Governance) NeuronFeesE8s(id uint64) (uint64, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n, ok := g.neurons[id]
	if !ok {
		return 0, false
	}
	return n.fees, true
}

// Neuron returns the NeuronInfo of a neuron at time now and whether it exists.
func (g *Governance) Neuron(id uint64, now time.Time) (govdid.NeuronInfo, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n, ok := g.neurons[id]
	if !ok {
		return govdid.NeuronInfo{}, false
	}
	return n.neuronInfo(unixSeconds(now)), true
}

// StatusCounts returns how many proposals are in each ProposalStatus (for
// metrics); statuses without proposals are absent.
func (g *Governance) StatusCounts() map[int32]int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make(map[int32]int)
	for _, p := range g.proposals {
		if p != nil {
			out[p.status()]++
		}
	}
	return out
}

// proposal returns the proposal with the given id, or nil.
func (g *Governance) proposal(id uint64) *proposal {
	if id == 0 || id > uint64(len(g.proposals)) {
		return nil
	}
	return g.proposals[id-1]
}

// unixSeconds converts a time to whole seconds since the Unix epoch (0 for
// the zero time or times before the epoch).
func unixSeconds(t time.Time) uint64 {
	if t.IsZero() || t.Unix() < 0 {
		return 0
	}
	return uint64(t.Unix())
}

// insertSorted inserts v into the ascending slice s unless present.
func insertSorted(s []uint64, v uint64) []uint64 {
	i := sort.Search(len(s), func(i int) bool { return s[i] >= v })
	if i < len(s) && s[i] == v {
		return s
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

// removeSorted removes v from the ascending slice s if present.
func removeSorted(s []uint64, v uint64) []uint64 {
	i := sort.Search(len(s), func(i int) bool { return s[i] >= v })
	if i < len(s) && s[i] == v {
		return append(s[:i], s[i+1:]...)
	}
	return s
}

// itoa formats v in decimal.
func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
