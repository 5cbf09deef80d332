package govmodel

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// scriptStep is one recorded input: a call, or a clock advance when Method
// is empty.
type scriptStep struct {
	call replica.Call
}

// determinismScript is a mixed sequence of proposals, votes, following
// changes, queries and clock advances.
func determinismScript(t *testing.T) []scriptStep {
	t.Helper()
	enc := func(v any) []byte {
		b, err := encodeArg(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mn := func(id uint64, cmd govdid.ManageNeuronCommandRequest) []byte {
		return enc(govdid.ManageNeuronRequest{Id: &govdid.NeuronId{Id: id}, Command: &cmd})
	}
	var steps []scriptStep
	add := func(method string, caller principal.Principal, at time.Duration, arg []byte) {
		steps = append(steps, scriptStep{replica.Call{Method: method, Arg: arg, Caller: caller, Now: t0.Add(at), Replicated: method == "manage_neuron"}})
	}
	tick := func(at time.Duration) { steps = append(steps, scriptStep{replica.Call{Now: t0.Add(at)}}) }
	for i := 0; i < 6; i++ {
		at := time.Duration(i) * 7 * time.Hour
		req := motion(fmt.Sprintf("Motion %d", i))
		if i%2 == 1 {
			req = executeFn(FnDeployGuestosToAllSubnetNodes, bytes.Repeat([]byte{byte(i)}, 1500*i))
		}
		add("manage_neuron", alice, at, mn(1, govdid.ManageNeuronCommandRequest{MakeProposal: &req}))
		add("manage_neuron", bob, at+time.Hour, mn(2, govdid.ManageNeuronCommandRequest{
			RegisterVote: &govdid.RegisterVote{Vote: int32(1 + i%2), Proposal: &govdid.ProposalId{Id: uint64(i + 1)}},
		}))
		add("manage_neuron", bob, at+2*time.Hour, mn(3, govdid.ManageNeuronCommandRequest{
			Follow: &govdid.Follow{Topic: int32(i % 3 * 6), Followees: []govdid.NeuronId{{Id: 2}}},
		}))
		add("manage_neuron", bob, at+2*time.Hour, mn(2, govdid.ManageNeuronCommandRequest{
			RegisterVote: &govdid.RegisterVote{Vote: 1, Proposal: &govdid.ProposalId{Id: uint64(i + 1)}},
		}))
		add("list_proposals", bob, at+3*time.Hour, enc(govdid.ListProposalInfoRequest{Limit: 3}))
		tick(at + 5*time.Hour)
	}
	tick(9 * day)
	for id := uint64(1); id <= 6; id++ {
		add("get_proposal_info", bob, 9*day, enc(id))
	}
	add("list_proposals", alice, 9*day, enc(govdid.ListProposalInfoRequest{}))
	add("get_pending_proposals", carol, 9*day, emptyArgs)
	add("list_neurons", bob, 9*day, enc(govdid.ListNeurons{IncludeNeuronsReadableByCaller: true}))
	return steps
}

// runScript replays steps on a fresh model and returns every output, rejects
// included, in order.
func runScript(t *testing.T, steps []scriptStep) [][]byte {
	t.Helper()
	ex := &fakeExecutor{fail: map[int32]string{FnDeployGuestosToAllSubnetNodes: "not elected"}}
	rich := vpNeuron(1, alice, 0)
	rich.StakeE8s = 1000 * e8s
	g := newGov(t, Config{Executor: ex}, rich, vpNeuron(2, bob, 0), vpNeuron(3, bob, 0), vpNeuron(4, carol, 0))
	var outs [][]byte
	for _, s := range steps {
		if s.call.Method == "" {
			g.Tick(s.call.Now)
			continue
		}
		out, rej := g.Execute(s.call)
		if rej != nil {
			out = []byte(fmt.Sprintf("reject %d %s %s", rej.Code, rej.ErrorCode, rej.Message))
		}
		outs = append(outs, out)
	}
	return outs
}

func TestDeterminism(t *testing.T) {
	steps := determinismScript(t)
	first, second := runScript(t, steps), runScript(t, steps)
	if len(first) != len(second) {
		t.Fatalf("runs produced %d and %d outputs", len(first), len(second))
	}
	for i := range first {
		if !bytes.Equal(first[i], second[i]) {
			t.Fatalf("output %d (%s) differs between identical runs", i, steps[i].call.Method)
		}
	}
	// The script must exercise decisions, not only open proposals.
	var resp govdid.ListProposalInfoResponse
	decode(t, first[len(first)-3], &resp)
	statuses := map[int32]bool{}
	for _, pi := range resp.ProposalInfo {
		statuses[pi.Status] = true
	}
	if len(statuses) < 2 {
		t.Fatalf("script reached only statuses %v", statuses)
	}
}
