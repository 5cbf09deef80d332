package govmodel

import (
	"encoding/hex"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

func TestArgDecoderMatchesUnmarshal(t *testing.T) {
	title := "A title"
	tests := []struct {
		name string
		arg  any
		into func() any
	}{
		{"vote", govdid.ManageNeuronRequest{
			NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{NeuronId: &govdid.NeuronId{Id: 7}},
			Command:              &govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: 2, Proposal: &govdid.ProposalId{Id: 9}}},
		}, func() any { return new(govdid.ManageNeuronRequest) }},
		{"proposal", govdid.ManageNeuronRequest{Id: &govdid.NeuronId{Id: 1}, Command: &govdid.ManageNeuronCommandRequest{
			MakeProposal: &govdid.MakeProposalRequest{Title: &title, Action: &govdid.ProposalActionRequest{
				ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 38, Payload: []byte{1, 2, 3}},
			}},
		}}, func() any { return new(govdid.ManageNeuronRequest) }},
		{"list", govdid.ListProposalInfoRequest{Limit: 7, ExcludeTopic: []int32{4}, BeforeProposal: &govdid.ProposalId{Id: 3}},
			func() any { return new(govdid.ListProposalInfoRequest) }},
		{"nat64", uint64(1 << 40), func() any { return new(uint64) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := candid.Marshal([]any{tt.arg})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.into()
			if err := candid.Unmarshal(raw, []any{want}); err != nil {
				t.Fatal(err)
			}
			for round := 0; round < 2; round++ { // a miss, then a cache hit
				got := tt.into()
				if err := args.decode(raw, got); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("round %d: decoded value differs (-unmarshal +cached):\n%s", round, diff)
				}
			}
		})
	}
}

func TestHeaderLen(t *testing.T) {
	raw, err := candid.Marshal([]any{govdid.ListProposalInfoRequest{Limit: 5}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := headerLen(raw)
	if err != nil {
		t.Fatal(err)
	}
	if n <= 4 || n >= len(raw) {
		t.Fatalf("header length %d of %d bytes", n, len(raw))
	}
	for _, bad := range []string{"", "DID", "XIDL\x00\x00", "DIDL\x01", "DIDL\x01\x7f", "DIDL\x01\x6c\x05\x00", "DIDL\x00\x01"} {
		if _, err := headerLen([]byte(bad)); err == nil {
			t.Errorf("headerLen(%q) accepted a malformed header", bad)
		}
	}
}

// TestArgDecoderJSFixtures decodes arguments encoded by the official JS
// IDL (@icp-sdk/core 5.4.0 with the governance idlFactory of
// @icp-sdk/canisters 3.6.0): two RegisterVote manage_neuron requests and a
// list_proposals request, captured once in testdata/js_args.hex. Their type
// tables are the recursive ones real clients send.
func TestArgDecoderJSFixtures(t *testing.T) {
	raw, err := os.ReadFile("testdata/js_args.hex")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(raw))
	if len(lines) != 3 {
		t.Fatalf("%d fixtures, want 3", len(lines))
	}
	want := []any{
		&govdid.ManageNeuronRequest{NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{NeuronId: &govdid.NeuronId{Id: 2}},
			Command: &govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: 1, Proposal: &govdid.ProposalId{Id: 5}}}},
		&govdid.ManageNeuronRequest{NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{NeuronId: &govdid.NeuronId{Id: 3}},
			Command: &govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: 2, Proposal: &govdid.ProposalId{Id: 5}}}},
		&govdid.ListProposalInfoRequest{OmitLargeFields: ptr(true), BeforeProposal: &govdid.ProposalId{Id: 10}, Limit: 50,
			ExcludeTopic: []int32{4}, IncludeStatus: []int32{1}, IncludeRewardStatus: []int32{}},
	}
	for i, line := range lines {
		b, err := hex.DecodeString(line)
		if err != nil {
			t.Fatal(err)
		}
		got := reflect.New(reflect.TypeOf(want[i]).Elem()).Interface()
		if err := args.decode(b, got); err != nil {
			t.Fatalf("fixture %d: %v", i, err)
		}
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("fixture %d (-want +got):\n%s", i, diff)
		}
	}
}

// TestExecuteTrapsOnHostileArguments sends hostile arguments through
// Execute. Before candidguard, the forged count (a future type opcode
// whose skip length agent-go allocates) exhausted memory, and the
// well-formed recursive variant overflowed the stack while agent-go's
// unmarshal error printed its type: both killed the whole local network.
// Now each is a canister trap, and the JS-encoded list_proposals argument
// still decodes through the same path.
func TestExecuteTrapsOnHostileArguments(t *testing.T) {
	g := newGov(t, Config{}, vpNeuron(1, alice, 100))
	tests := []struct {
		name, arg, want string
	}{
		{"forged count", "DIDL0[\x93\xb5\uf4fd\aq", "unsafe candid message: type table at byte 4: type table length 48 exceeds the 8 bytes left"},
		{"forged text length", "DIDL\x00\x01\x71\xff\xff\xff\xff\x0f", "unsafe candid message: value at byte 7: text length"},
		{"self record", "DIDL\x01\x6c\x01\x00\x00\x01\x00", "values nest deeper than 128 levels"},
		{"recursive variant", "DIDL\x03\x6b\x01\x00\x01\x6c\x01\x00\x02\x6e\x00\x01\x00\x00\x00", "cannot unmarshal a candid *idl.Variant into Go value of type *uint64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rej := g.Execute(replica.Call{Method: "get_proposal_info", Arg: []byte(tt.arg), Caller: alice, Now: t0})
			if rej == nil {
				t.Fatalf("get_proposal_info answered %x; want a trap", out)
			}
			if rej.Code != 5 || rej.ErrorCode != "IC0503" || !strings.Contains(rej.Message, "ic0.trap") || !strings.Contains(rej.Message, tt.want) {
				t.Fatalf("reject = %+v; want a trap containing %q", rej, tt.want)
			}
		})
	}
	raw, err := os.ReadFile("testdata/js_args.hex")
	if err != nil {
		t.Fatal(err)
	}
	list, err := hex.DecodeString(strings.Fields(string(raw))[2])
	if err != nil {
		t.Fatal(err)
	}
	out, rej := g.Execute(replica.Call{Method: "list_proposals", Arg: list, Caller: alice, Now: t0})
	if rej != nil {
		t.Fatalf("JS list_proposals argument rejected: %+v", rej)
	}
	var resp govdid.ListProposalInfoResponse
	if err := candid.Unmarshal(out, []any{&resp}); err != nil {
		t.Fatalf("list_proposals reply: %v", err)
	}
}
