package governance

import (
	"math/big"
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

func TestSelfDescribing(t *testing.T) {
	text, name, yes := "abc", "Deploy HostOS To Some Nodes", true
	n := idl.NewBigNat(big.NewInt(42))
	blob := []byte{0xbe, 0xef}
	arr := []govdid.SelfDescribingValue{{Text: &text}, {Bool: &yes}}
	m := []struct {
		Field0 string                     `ic:"0,tuple" json:"0"`
		Field1 govdid.SelfDescribingValue `ic:"1,tuple" json:"1"`
	}{{"version", govdid.SelfDescribingValue{Text: &text}}, {"nodes", govdid.SelfDescribingValue{Array: &arr}},
		{"count", govdid.SelfDescribingValue{Nat: &n}}, {"hash", govdid.SelfDescribingValue{Blob: &blob}}}
	p := Proposal{Info: &govdid.ProposalInfo{Proposal: &govdid.Proposal{SelfDescribingAction: &govdid.SelfDescribingProposalAction{
		TypeName: &name, Value: &govdid.SelfDescribingValue{Map: &m}}}}}
	want := []string{"type: Deploy HostOS To Some Nodes", "version: abc", "nodes[0]: abc", "nodes[1]: true", "count: 42", "hash: 0xbeef"}
	if d := cmp.Diff(want, SelfDescribing(p)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if SelfDescribing(Proposal{}) != nil {
		t.Error("no action must render nothing")
	}
}
