package govmodel

import (
	"slices"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// listFixture builds six proposals at t0 (ids ascending):
//
//	1 motion           executed   (bob votes yes)
//	2 election 2000 B  open
//	3 deployment       rejected   (bob votes no)
//	4 election         failed     (executor error)
//	5 motion           open
//	6 deployment       open
func listFixture(t *testing.T) *Governance {
	t.Helper()
	ex := &fakeExecutor{fail: map[int32]string{FnReviseElectedGuestosVersions: "boom"}}
	rich := vpNeuron(1, alice, 10)
	rich.StakeE8s = 1000 * e8s
	g := newGov(t, Config{Executor: ex}, rich, vpNeuron(2, bob, 90), vpNeuron(3, carol, 5))
	mk := func(req govdid.MakeProposalRequest, vote int32) {
		id := propose(t, g, alice, t0, 1, req)
		if vote != VoteUnspecified {
			mustVote(t, g, bob, t0, 2, id, vote)
		}
	}
	mk(motion("Motion one"), VoteYes)
	mk(executeFn(FnReviseElectedGuestosVersions, make([]byte, 2000)), VoteUnspecified)
	mk(executeFn(FnDeployGuestosToAllSubnetNodes, []byte("DIDL")), VoteNo)
	mk(executeFn(FnReviseElectedGuestosVersions, make([]byte, 1000)), VoteYes)
	mk(motion("Motion five"), VoteUnspecified)
	mk(executeFn(FnDeployGuestosToAllSubnetNodes, []byte("DIDL")), VoteUnspecified)
	return g
}

func TestListProposalsFilters(t *testing.T) {
	g := listFixture(t)
	before := func(id uint64) *govdid.ProposalId { return &govdid.ProposalId{Id: id} }
	tests := []struct {
		name string
		req  govdid.ListProposalInfoRequest
		want []uint64
	}{
		{"everything newest first", govdid.ListProposalInfoRequest{}, []uint64{6, 5, 4, 3, 2, 1}},
		{"limit", govdid.ListProposalInfoRequest{Limit: 2}, []uint64{6, 5}},
		{"before_proposal is exclusive", govdid.ListProposalInfoRequest{Limit: 2, BeforeProposal: before(5)}, []uint64{4, 3}},
		{"before the first", govdid.ListProposalInfoRequest{BeforeProposal: before(1)}, []uint64{}},
		{"before a future id", govdid.ListProposalInfoRequest{BeforeProposal: before(1000)}, []uint64{6, 5, 4, 3, 2, 1}},
		{"exclude_topic is a blacklist", govdid.ListProposalInfoRequest{ExcludeTopic: []int32{TopicGovernance, TopicIcOsVersionDeployment}}, []uint64{4, 2}},
		{"include_status open", govdid.ListProposalInfoRequest{IncludeStatus: []int32{StatusOpen}}, []uint64{6, 5, 2}},
		{"include_status executed or failed", govdid.ListProposalInfoRequest{IncludeStatus: []int32{StatusExecuted, StatusFailed}}, []uint64{4, 1}},
		{"include_status rejected", govdid.ListProposalInfoRequest{IncludeStatus: []int32{StatusRejected}}, []uint64{3}},
		{"include_reward_status accept votes", govdid.ListProposalInfoRequest{IncludeRewardStatus: []int32{RewardStatusAcceptVotes}}, []uint64{6, 5, 4, 3, 2, 1}},
		{"include_reward_status settled", govdid.ListProposalInfoRequest{IncludeRewardStatus: []int32{RewardStatusSettled}}, []uint64{}},
		{"filters combine", govdid.ListProposalInfoRequest{IncludeStatus: []int32{StatusOpen}, ExcludeTopic: []int32{TopicGovernance}, Limit: 1}, []uint64{6}},
		{"limit counts matches, not scanned", govdid.ListProposalInfoRequest{IncludeStatus: []int32{StatusExecuted, StatusRejected}, Limit: 2}, []uint64{3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(list(t, g, alice, t0, tt.req)); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListProposalsLimitCap(t *testing.T) {
	ns := []NeuronSeed{vpNeuron(1, alice, 10), vpNeuron(2, bob, 90)}
	var ps []ProposalSeed
	for i := 0; i < 120; i++ {
		ps = append(ps, ProposalSeed{Proposer: 1, Created: t0, Request: motion("A motion")})
	}
	ns[0].StakeE8s = 10_000 * e8s
	g := New(Config{}, Seed{Genesis: genesis, Neurons: ns, Proposals: ps})
	for _, limit := range []uint32{0, 100, 101, 1 << 31} {
		got := ids(list(t, g, alice, t0, govdid.ListProposalInfoRequest{Limit: limit}))
		if len(got) != 100 || got[0] != 120 || got[99] != 21 {
			t.Errorf("limit %d: %d results from %d to %d, want 100 from 120 to 21", limit, len(got), got[0], got[len(got)-1])
		}
	}
	got := ids(list(t, g, alice, t0, govdid.ListProposalInfoRequest{BeforeProposal: &govdid.ProposalId{Id: 21}}))
	if len(got) != 20 || got[0] != 20 || got[19] != 1 {
		t.Errorf("second page = %v", got)
	}
}

func TestListingDropsLargePayloads(t *testing.T) {
	g := listFixture(t)
	payloadOf := func(pi govdid.ProposalInfo) []byte { return pi.Proposal.Action.ExecuteNnsFunction.Payload }
	listed := list(t, g, alice, t0, govdid.ListProposalInfoRequest{})
	byID := map[uint64]govdid.ProposalInfo{}
	for _, pi := range listed {
		byID[pi.Id.Id] = pi
	}
	if n := len(payloadOf(byID[2])); n != 0 {
		t.Errorf("listing kept a 2000-byte payload (%d bytes)", n)
	}
	if byID[2].Proposal.Action.ExecuteNnsFunction.NnsFunction != FnReviseElectedGuestosVersions {
		t.Errorf("listing lost the function id")
	}
	if n := len(payloadOf(byID[4])); n != 1000 {
		t.Errorf("listing dropped a 1000-byte payload (%d bytes left)", n)
	}
	if n := len(info(t, g, alice, t0, 2).Proposal.Action.ExecuteNnsFunction.Payload); n != 2000 {
		t.Errorf("get_proposal_info returned %d payload bytes, want 2000", n)
	}
	var pending []govdid.ProposalInfo
	decode(t, execute(t, g, "get_pending_proposals", alice, t0, nil), &pending)
	if got := ids(pending); !slices.Equal(got, []uint64{2, 5, 6}) || len(payloadOf(pending[0])) != 0 {
		t.Errorf("pending = %v (payload %d bytes)", got, len(payloadOf(pending[0])))
	}
}

func TestGetPendingProposals(t *testing.T) {
	g := listFixture(t)
	wantTrue := true
	tests := []struct {
		name string
		arg  any
	}{
		{"no argument", nil},
		{"null request", (*govdid.GetPendingProposalsRequest)(nil)},
		{"request", &govdid.GetPendingProposalsRequest{ReturnSelfDescribingAction: &wantTrue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pending []govdid.ProposalInfo
			decode(t, execute(t, g, "get_pending_proposals", bob, t0, tt.arg), &pending)
			if got := ids(pending); !slices.Equal(got, []uint64{2, 5, 6}) {
				t.Fatalf("pending = %v, want [2 5 6]", got)
			}
			if len(pending[0].Ballots) != 1 || pending[0].Ballots[0].Field0 != 2 {
				t.Errorf("bob's ballots = %+v", pending[0].Ballots)
			}
		})
	}
}

func TestListBallotsAreTheCallers(t *testing.T) {
	g := listFixture(t)
	tests := []struct {
		caller principal.Principal
		want   []uint64
	}{
		{alice, []uint64{1}},
		{bob, []uint64{2}},
		{principal.AnonymousID, nil},
	}
	for _, tt := range tests {
		for _, pi := range list(t, g, tt.caller, t0, govdid.ListProposalInfoRequest{}) {
			var got []uint64
			for _, b := range pi.Ballots {
				got = append(got, b.Field0)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s sees ballots %v on %d, want %v", tt.caller, got, pi.Id.Id, tt.want)
			}
		}
	}
}

func TestRewardSettlement(t *testing.T) {
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 90))
	id := propose(t, g, alice, t0, 1, motion("A motion"))
	mustVote(t, g, bob, t0, 2, id, VoteYes)
	at := func(d time.Duration) *govdid.ProposalInfo {
		g.Tick(t0.Add(d))
		return info(t, g, alice, t0.Add(d), id)
	}
	if pi := at(4*day - time.Second); pi.RewardStatus != RewardStatusAcceptVotes || len(pi.Ballots) != 1 {
		t.Fatalf("before the deadline: reward status %d, %d ballots", pi.RewardStatus, len(pi.Ballots))
	}
	// The deadline passes at t0+4d (10:00); the next reward event is at midnight.
	if pi := at(4 * day); pi.RewardStatus != RewardStatusReadyToSettle || pi.RewardEventRound != 0 {
		t.Fatalf("after the deadline: reward status %d round %d", pi.RewardStatus, pi.RewardEventRound)
	}
	pi := at(4*day + 14*time.Hour)
	if pi.RewardStatus != RewardStatusSettled || pi.RewardEventRound != 5 || len(pi.Ballots) != 0 {
		t.Fatalf("after the reward event: reward status %d round %d ballots %d", pi.RewardStatus, pi.RewardEventRound, len(pi.Ballots))
	}
	if pi.Status != StatusExecuted || pi.LatestTally.Yes != 100 {
		t.Fatalf("settling changed the outcome: %+v", pi)
	}
	settled := list(t, g, alice, t0.Add(5*day), govdid.ListProposalInfoRequest{IncludeRewardStatus: []int32{RewardStatusSettled}})
	if got := ids(settled); !slices.Equal(got, []uint64{id}) {
		t.Fatalf("settled listing = %v", got)
	}
}

func TestSelfDescribingListingsOmitTheAction(t *testing.T) {
	g := listFixture(t)
	yes := true
	listed := list(t, g, alice, t0, govdid.ListProposalInfoRequest{ReturnSelfDescribingAction: &yes})
	var pending []govdid.ProposalInfo
	decode(t, execute(t, g, "get_pending_proposals", alice, t0, &govdid.GetPendingProposalsRequest{ReturnSelfDescribingAction: &yes}), &pending)
	for _, pi := range append(listed, pending...) {
		if pi.Proposal.Action != nil || pi.Proposal.SelfDescribingAction != nil || *pi.Proposal.Title == "" {
			t.Fatalf("proposal %d with return_self_describing_action: %+v", pi.Id.Id, pi.Proposal)
		}
	}
	if len(listed) != 6 || len(pending) != 3 {
		t.Fatalf("%d listed, %d pending", len(listed), len(pending))
	}
	if info(t, g, alice, t0, 2).Proposal.Action == nil {
		t.Fatal("get_proposal_info omitted the action")
	}
}

func TestAccessors(t *testing.T) {
	g := listFixture(t)
	want := map[int32]int{StatusOpen: 3, StatusExecuted: 1, StatusRejected: 1, StatusFailed: 1}
	if got := g.StatusCounts(); len(got) != len(want) || got[StatusOpen] != 3 || got[StatusExecuted] != 1 || got[StatusRejected] != 1 || got[StatusFailed] != 1 {
		t.Errorf("StatusCounts = %v, want %v", got, want)
	}
	if g.ProposalCount() != 6 || g.OpenProposalCount() != 3 {
		t.Errorf("ProposalCount %d OpenProposalCount %d", g.ProposalCount(), g.OpenProposalCount())
	}
	if pi, ok := g.Proposal(4, t0); !ok || pi.Status != StatusFailed || pi.FailureReason.ErrorMessage != "boom" || len(pi.Ballots) != 0 {
		t.Errorf("Proposal(4) = %+v, %v", pi, ok)
	}
	if _, ok := g.Proposal(7, t0); ok {
		t.Error("Proposal(7) exists")
	}
	if n, ok := g.Neuron(2, t0); !ok || n.VotingPower != 90 || len(n.RecentBallots) != 3 {
		t.Errorf("Neuron(2) = %+v, %v", n, ok)
	}
	if _, ok := g.Neuron(9, t0); ok {
		t.Error("Neuron(9) exists")
	}
}

func TestSeedProposals(t *testing.T) {
	follower := vpNeuron(3, carol, 30)
	follower.Followees = map[int32][]uint64{TopicGovernance: {1}}
	seed := Seed{Genesis: genesis, Neurons: []NeuronSeed{vpNeuron(1, alice, 10), vpNeuron(2, bob, 60), follower}, Proposals: []ProposalSeed{
		{Proposer: 1, Created: t0, Request: motion("Adopted by vote"), Votes: map[uint64]int32{2: VoteYes, 3: VoteNo}},
		{Proposer: 1, Created: t0.Add(time.Hour), Request: motion("Adopted at the deadline")},
	}}
	g := New(Config{}, seed)
	g.Tick(t0.Add(5 * day))
	p1, _ := g.Proposal(1, t0.Add(5*day))
	p2, _ := g.Proposal(2, t0.Add(5*day))
	// Neuron 3 followed the proposer before its seeded no vote could land.
	if p1.Status != StatusExecuted || p1.LatestTally.Yes != 100 || p2.Status != StatusExecuted || p2.LatestTally.Yes != 40 {
		t.Fatalf("seeded proposals: %d %+v, %d %+v", p1.Status, p1.LatestTally, p2.Status, p2.LatestTally)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("an invalid seed proposal did not panic")
		}
	}()
	New(Config{}, Seed{Genesis: genesis, Neurons: []NeuronSeed{vpNeuron(1, alice, 10)}, Proposals: []ProposalSeed{{Proposer: 1, Created: t0, Request: motion("bad")}}})
}
