package govmodel

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

func TestSmoke(t *testing.T) {
	alice := principal.MustDecode("2vxsx-fae")
	g := New(Config{}, Seed{Genesis: time.Unix(1_700_000_000, 0), Neurons: []NeuronSeed{{ID: 1, Controller: alice, StakeE8s: 100 * e8s, DissolveDelay: 365 * day}}})
	title := "Hello world"
	arg, _ := candid.Marshal([]any{govdid.ManageNeuronRequest{Id: &govdid.NeuronId{Id: 1}, Command: &govdid.ManageNeuronCommandRequest{MakeProposal: &govdid.MakeProposalRequest{Title: &title, Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: "x"}}}}}})
	now := time.Unix(1_700_000_100, 0)
	out, rej := g.Execute(replica.Call{Method: "manage_neuron", Arg: arg, Caller: alice, Now: now, Replicated: true})
	if rej != nil {
		t.Fatal(rej)
	}
	var resp govdid.ManageNeuronResponse
	if err := candid.Unmarshal(out, []any{&resp}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v %+v", resp.Command, resp.Command.MakeProposal)
	arg, _ = candid.Marshal([]any{uint64(1)})
	out, rej = g.Execute(replica.Call{Method: "get_proposal_info", Arg: arg, Caller: alice, Now: now})
	if rej != nil {
		t.Fatal(rej)
	}
	var pi *govdid.ProposalInfo
	if err := candid.Unmarshal(out, []any{&pi}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", pi)
	full := g.proposalInfo(g.proposals[0], []uint64{1}, false, unixSeconds(now))
	want, err := candid.Marshal([]any{&full})
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(out) {
		t.Fatalf("mismatch\n%x\n%x", want, out)
	}
}
