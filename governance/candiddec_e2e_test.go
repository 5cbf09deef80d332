package governance

import (
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// TestFastDecoderOnLocalnetReplies decodes real governance replies with
// both decoders and requires identical results.
func TestFastDecoderOnLocalnetReplies(t *testing.T) {
	_, c := startLocal(t)
	ctx := testCtx(t)
	elect, err := c.MakeProposal(ctx, devNeuron, electRequest(t, "6666666666666666666666666666666666666666"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MakeProposal(ctx, 81, motionRequest("decode me")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method string
		arg    any
		fast   func() any
		slow   func() any
	}{
		{"list_proposals", ListOptions{}.Request(0, 100),
			func() any { return new(govdid.ListProposalInfoResponse) }, func() any { return new(govdid.ListProposalInfoResponse) }},
		{"get_proposal_info", elect,
			func() any { return new(*govdid.ProposalInfo) }, func() any { return new(*govdid.ProposalInfo) }},
		{"list_neurons", govdid.ListNeurons{NeuronIds: []uint64{devNeuron, 81}},
			func() any { return new(govdid.ListNeuronsResponse) }, func() any { return new(govdid.ListNeuronsResponse) }},
		{"get_network_economics_parameters", nil,
			func() any { return new(govdid.NetworkEconomics) }, func() any { return new(govdid.NetworkEconomics) }},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			in := []any{}
			if tc.arg != nil {
				in = []any{tc.arg}
			}
			arg, err := candid.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := c.t.query(ctx, GovernanceCanister, tc.method, arg)
			if err != nil {
				t.Fatal(err)
			}
			fast, slow := tc.fast(), tc.slow()
			if err := decodeCandid(raw, fast); err != nil {
				t.Fatalf("fast decoder: %v", err)
			}
			if err := candid.Unmarshal(raw, []any{slow}); err != nil {
				t.Fatalf("agent-go decoder: %v", err)
			}
			if d := cmp.Diff(slow, fast, sameAsAgentGo...); d != "" {
				t.Errorf("decoders differ (-agent-go +fast):\n%s", d)
			}
		})
	}
}
