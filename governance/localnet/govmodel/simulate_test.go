package govmodel

import (
	"bytes"
	"testing"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

func TestSimulateManageNeuron(t *testing.T) {
	newModel := func(t *testing.T) (*Governance, uint64) {
		g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 40), vpNeuron(3, bob, 50))
		return g, propose(t, g, alice, t0, 1, motion("A motion"))
	}
	req := func(n uint64, cmd govdid.ManageNeuronCommandRequest) govdid.ManageNeuronRequest {
		return govdid.ManageNeuronRequest{Id: &govdid.NeuronId{Id: n}, Command: &cmd}
	}
	mp := motion("Simulated")
	tests := []struct {
		name string
		req  govdid.ManageNeuronRequest
	}{
		{"make proposal", req(1, govdid.ManageNeuronCommandRequest{MakeProposal: &mp})},
		{"make proposal as a stranger", req(2, govdid.ManageNeuronCommandRequest{MakeProposal: &mp})},
		{"vote", req(2, govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: VoteYes, Proposal: &govdid.ProposalId{Id: 1}}})},
		{"second vote", req(1, govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: VoteYes, Proposal: &govdid.ProposalId{Id: 1}}})},
		{"follow", req(2, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: TopicGovernance, Followees: []govdid.NeuronId{{Id: 1}}}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The simulation answers what manage_neuron would, on a twin model.
			sim, id := newModel(t)
			real, _ := newModel(t)
			caller := bob
			if tt.req.Id.Id == 1 {
				caller = alice
			}
			before := execute(t, sim, "list_proposals", bob, t0, govdid.ListProposalInfoRequest{})
			got := execute(t, sim, "simulate_manage_neuron", caller, t0, tt.req)
			want := execute(t, real, "manage_neuron", caller, t0, tt.req)
			if !bytes.Equal(got, want) {
				var g, w govdid.ManageNeuronResponse
				decode(t, got, &g)
				decode(t, want, &w)
				t.Fatalf("simulate = %+v, manage_neuron = %+v", *g.Command, *w.Command)
			}
			if after := execute(t, sim, "list_proposals", bob, t0, govdid.ListProposalInfoRequest{}); !bytes.Equal(before, after) {
				t.Fatal("simulate_manage_neuron changed the proposals")
			}
			if fees, _ := sim.NeuronFeesE8s(1); fees != 25*e8s || len(sim.neurons[2].followees) != 0 || id != 1 {
				t.Fatalf("simulate_manage_neuron changed the neurons: fees %d, followees %v", fees, sim.neurons[2].followees)
			}
		})
	}
}
