package govmodel

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// follow sets n's followees on a topic through manage_neuron Follow.
func follow(t *testing.T, g *Governance, caller principal.Principal, n uint64, topic int32, followees ...uint64) {
	t.Helper()
	ids := []govdid.NeuronId{}
	for _, f := range followees {
		ids = append(ids, govdid.NeuronId{Id: f})
	}
	c := manageCmd(t, g, caller, t0, n, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: topic, Followees: ids}})
	if c.Error != nil || c.Follow == nil {
		t.Fatalf("follow: %+v", c)
	}
}

// votes returns each listed neuron's vote on proposal id, read through
// get_proposal_info as the neurons' controller bob.
func votes(t *testing.T, g *Governance, id uint64) map[uint64]int32 {
	t.Helper()
	out := map[uint64]int32{}
	for _, b := range info(t, g, bob, t0, id).Ballots {
		out[b.Field0] = b.Field1.Vote
	}
	return out
}

func TestFollowCascade(t *testing.T) {
	// Neuron 1 (alice) proposes with little power; bob's neurons 2..7 follow.
	seed := func() []NeuronSeed {
		ns := []NeuronSeed{vpNeuron(1, alice, 1), vpNeuron(9, carol, 1000)}
		for id := uint64(2); id <= 7; id++ {
			ns = append(ns, vpNeuron(id, bob, 10))
		}
		return ns
	}
	election := executeFn(FnReviseElectedGuestosVersions, nil)
	tests := []struct {
		name   string
		setup  func(t *testing.T, g *Governance)
		req    govdid.MakeProposalRequest
		voter  uint64 // bob's neuron voting after submission, 0 = none
		vote   int32
		expect map[uint64]int32
	}{
		{
			name: "transitive on the topic",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicIcOsVersionElection, 1)
				follow(t, g, bob, 3, TopicIcOsVersionElection, 2)
				follow(t, g, bob, 4, TopicIcOsVersionElection, 3)
			},
			req:    election,
			expect: map[uint64]int32{2: VoteYes, 3: VoteYes, 4: VoteYes, 5: 0, 6: 0, 7: 0},
		},
		{
			name: "catch-all applies without topic followees",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicUnspecified, 1)
				follow(t, g, bob, 3, TopicUnspecified, 2)
			},
			req:    election,
			expect: map[uint64]int32{2: VoteYes, 3: VoteYes, 4: 0},
		},
		{
			name: "topic followees override the catch-all",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicUnspecified, 1)
				follow(t, g, bob, 2, TopicIcOsVersionElection, 5)
			},
			req:    election,
			voter:  5,
			vote:   VoteNo,
			expect: map[uint64]int32{2: VoteNo, 5: VoteNo},
		},
		{
			name: "catch-all does not apply to governance motions",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicUnspecified, 1)
			},
			req:    motion("A motion"),
			expect: map[uint64]int32{2: 0},
		},
		{
			name: "majority of followees decides yes",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicIcOsVersionElection, 1, 5, 6)
			},
			req:    election,
			voter:  5,
			vote:   VoteYes,
			expect: map[uint64]int32{2: VoteYes},
		},
		{
			name: "one yes of three followees is not enough",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicIcOsVersionElection, 1, 5, 6)
			},
			req:    election,
			expect: map[uint64]int32{2: 0},
		},
		{
			name: "half of the followees voting no decides no",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicIcOsVersionElection, 5, 6)
			},
			req:    election,
			voter:  5,
			vote:   VoteNo,
			expect: map[uint64]int32{2: VoteNo},
		},
		{
			name: "a cleared followee list stops following",
			setup: func(t *testing.T, g *Governance) {
				follow(t, g, bob, 2, TopicIcOsVersionElection, 1)
				follow(t, g, bob, 2, TopicIcOsVersionElection)
			},
			req:    election,
			expect: map[uint64]int32{2: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGov(t, Config{}, seed()...)
			tt.setup(t, g)
			id := propose(t, g, alice, t0, 1, tt.req)
			if tt.voter != 0 {
				mustVote(t, g, bob, t0, tt.voter, id, tt.vote)
			}
			got := votes(t, g, id)
			for n, want := range tt.expect {
				if got[n] != want {
					t.Errorf("neuron %d voted %d, want %d (all: %v)", n, got[n], want, got)
				}
			}
		})
	}
}

func TestFollowCascadeDecides(t *testing.T) {
	// Neuron 2 holds most power and follows the proposer: the proposal is
	// adopted on submission, and the follower's vote shows in its recent ballots.
	n2 := vpNeuron(2, bob, 90)
	n2.Followees = map[int32][]uint64{TopicIcOsVersionDeployment: {1}}
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), n2)
	id := propose(t, g, alice, t0, 1, executeFn(FnDeployGuestosToAllSubnetNodes, []byte("DIDL")))
	if st := info(t, g, alice, t0, id).Status; st != StatusExecuted {
		t.Fatalf("status = %d, want executed", st)
	}
	var res govdid.Result5
	decode(t, execute(t, g, "get_neuron_info", carol, t0, uint64(2)), &res)
	if res.Ok == nil || len(res.Ok.RecentBallots) != 1 || res.Ok.RecentBallots[0].Vote != VoteYes || res.Ok.RecentBallots[0].ProposalId.Id != id {
		t.Fatalf("recent ballots = %+v", res)
	}
}

func TestFollowErrors(t *testing.T) {
	many := make([]govdid.NeuronId, 16)
	tests := []struct {
		name     string
		caller   principal.Principal
		cmd      govdid.ManageNeuronCommandRequest
		wantType int32
		wantMsg  string
	}{
		{"stranger", bob, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: 4}}, ErrorNotAuthorized, "Caller is not authorized to manage following of neuron."},
		{"unknown topic", alice, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: 99}}, ErrorInvalidCommand,
			"Not a known topic number. Follow:\nFollow {\n    topic: 99,\n    followees: [],\n}"},
		{"unknown topic with followees", alice, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: -1, Followees: []govdid.NeuronId{{Id: 7}}}}, ErrorInvalidCommand,
			"Not a known topic number. Follow:\nFollow {\n    topic: -1,\n    followees: [\n        NeuronId {\n            id: 7,\n        },\n    ],\n}"},
		{"too many followees on an unknown topic", alice, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: 99, Followees: many}}, ErrorInvalidCommand, "Too many followees."},
		{"too many followees", alice, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: 4, Followees: many}}, ErrorInvalidCommand, "Too many followees."},
		{"unsupported command", alice, govdid.ManageNeuronCommandRequest{Spawn: &govdid.Spawn{}}, ErrorInvalidCommand,
			"This manage_neuron command is not supported by the local network's governance model; use MakeProposal, RegisterVote, Follow, SetFollowing or RefreshVotingPower."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGov(t, Config{}, vpNeuron(1, alice, 10))
			c := manageCmd(t, g, tt.caller, t0, 1, tt.cmd)
			if c.Error == nil || c.Error.ErrorType != tt.wantType || c.Error.ErrorMessage != tt.wantMsg {
				t.Fatalf("error = %+v, want (%d, %q)", c.Error, tt.wantType, tt.wantMsg)
			}
		})
	}
}

func TestSetFollowing(t *testing.T) {
	topic := func(v int32) *int32 { return &v }
	ids := func(v ...uint64) *[]govdid.NeuronId {
		out := []govdid.NeuronId{}
		for _, id := range v {
			out = append(out, govdid.NeuronId{Id: id})
		}
		return &out
	}
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 10), vpNeuron(3, carol, 1000))
	set := func(entries ...govdid.FolloweesForTopic) govdid.Command1 {
		return manageCmd(t, g, bob, t0, 2, govdid.ManageNeuronCommandRequest{SetFollowing: &govdid.SetFollowing{TopicFollowing: &entries}})
	}
	if c := set(govdid.FolloweesForTopic{Topic: topic(4), Followees: ids(1)}, govdid.FolloweesForTopic{Topic: topic(99), Followees: ids(1)}); c.Error == nil {
		t.Fatal("an unknown topic was accepted")
	}
	if c := set(govdid.FolloweesForTopic{Topic: topic(4), Followees: ids(1)}, govdid.FolloweesForTopic{Topic: topic(4)}); c.Error == nil {
		t.Fatal("a repeated topic was accepted")
	}
	id := propose(t, g, alice, t0, 1, motion("A motion"))
	if got := votes(t, g, id)[2]; got != VoteUnspecified {
		t.Fatalf("a refused SetFollowing changed following: neuron 2 voted %d", got)
	}
	if c := set(govdid.FolloweesForTopic{Topic: topic(TopicGovernance), Followees: ids(1)}); c.SetFollowing == nil {
		t.Fatalf("SetFollowing = %+v", c)
	}
	id = propose(t, g, alice, t0, 1, motion("Another motion"))
	if got := votes(t, g, id)[2]; got != VoteYes {
		t.Fatalf("neuron 2 voted %d, want yes through SetFollowing", got)
	}
}

func TestRecentBallotsKeepTheLast100(t *testing.T) {
	rich := vpNeuron(1, alice, 10)
	rich.StakeE8s = 100_000 * e8s
	g := newGov(t, Config{}, rich, vpNeuron(2, bob, 1000))
	for i := 0; i < 230; i++ {
		propose(t, g, alice, t0, 1, motion("A motion"))
	}
	var res govdid.Result5
	decode(t, execute(t, g, "get_neuron_info", alice, t0, uint64(1)), &res)
	rb := res.Ok.RecentBallots
	if len(rb) != 100 || rb[0].ProposalId.Id != 230 || rb[99].ProposalId.Id != 131 {
		t.Fatalf("%d recent ballots from %d to %d, want 100 from 230 to 131", len(rb), rb[0].ProposalId.Id, rb[len(rb)-1].ProposalId.Id)
	}
}

func TestManageNeuronAddressing(t *testing.T) {
	sub := bytes.Repeat([]byte{7}, 32)
	n := vpNeuron(1, alice, 10)
	n.Subaccount = sub
	g := newGov(t, Config{}, n, vpNeuron(2, bob, 1000))
	vote := &govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: TopicGovernance, Followees: []govdid.NeuronId{{Id: 2}}}}
	other := bytes.Repeat([]byte{8}, 32)
	tests := []struct {
		name    string
		req     govdid.ManageNeuronRequest
		wantErr string
	}{
		{"by subaccount", govdid.ManageNeuronRequest{NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{Subaccount: &sub}, Command: vote}, ""},
		{"by deprecated id", govdid.ManageNeuronRequest{Id: &govdid.NeuronId{Id: 1}, Command: vote}, ""},
		{"unknown subaccount", govdid.ManageNeuronRequest{NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{Subaccount: &other}, Command: vote},
			"Neuron not found for subaccount " + strings.Repeat("08", 32)},
		{"no neuron", govdid.ManageNeuronRequest{Command: vote}, "No neuron ID specified in the request to manage_neuron."},
		{"no command", govdid.ManageNeuronRequest{Id: &govdid.NeuronId{Id: 1}}, "No command specified."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp govdid.ManageNeuronResponse
			decode(t, execute(t, g, "manage_neuron", alice, t0, tt.req), &resp)
			c := resp.Command
			switch {
			case tt.wantErr == "" && (c.Error != nil || c.Follow == nil):
				t.Fatalf("response = %+v", c)
			case tt.wantErr != "" && (c.Error == nil || c.Error.ErrorMessage != tt.wantErr):
				t.Fatalf("error = %+v, want %q", c.Error, tt.wantErr)
			}
		})
	}
}
