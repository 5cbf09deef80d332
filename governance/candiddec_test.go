package governance

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// sameAsAgentGo are the comparison options for values decoded by the two
// decoders: big numbers by value, empty and nil slices alike.
var sameAsAgentGo = []cmp.Option{
	cmp.Comparer(func(a, b idl.Nat) bool { return a.BigInt().Cmp(b.BigInt()) == 0 }),
	cmp.Comparer(func(a, b idl.Int) bool { return a.BigInt().Cmp(b.BigInt()) == 0 }),
	cmpopts.EquateEmpty(),
}

type allKinds struct {
	N8    uint8                      `ic:"n8"`
	N16   uint16                     `ic:"n16"`
	N32   uint32                     `ic:"n32"`
	N64   uint64                     `ic:"n64"`
	I8    int8                       `ic:"i8"`
	I16   int16                      `ic:"i16"`
	I32   int32                      `ic:"i32"`
	I64   int64                      `ic:"i64"`
	F32   float32                    `ic:"f32"`
	F64   float64                    `ic:"f64"`
	B     bool                       `ic:"b"`
	T     string                     `ic:"t"`
	P     principal.Principal        `ic:"p"`
	Blob  []byte                     `ic:"blob"`
	Opt   *string                    `ic:"opt,omitempty"`
	None  *string                    `ic:"none,omitempty"`
	Vec   []govdid.NeuronId          `ic:"vec"`
	Nat   idl.Nat                    `ic:"nat"`
	Int   idl.Int                    `ic:"int"`
	Var   govdid.SelfDescribingValue `ic:"var"`
	Tuple []struct {
		Field0 uint64 `ic:"0,tuple"`
		Field1 string `ic:"1,tuple"`
	} `ic:"tuple"`
}

func sampleAllKinds() allKinds {
	s, text := "some", "hello"
	big1 := new(big.Int).Lsh(big.NewInt(1), 80)
	return allKinds{N8: 250, N16: 65000, N32: 4e9, N64: 1 << 63, I8: -100, I16: -30000, I32: -2e9, I64: -1 << 62,
		F32: 1.5, F64: -2.25, B: true, T: "Grüße", P: GovernanceCanister, Blob: []byte{0, 1, 2}, Opt: &s,
		Vec: []govdid.NeuronId{{Id: 1}, {Id: 2}}, Nat: idl.NewBigNat(big1), Int: idl.NewBigInt(big.NewInt(-77)),
		Var: govdid.SelfDescribingValue{Text: &text},
		Tuple: []struct {
			Field0 uint64 `ic:"0,tuple"`
			Field1 string `ic:"1,tuple"`
		}{{7, "x"}}}
}

func TestDecodeCandidMatchesAgentGo(t *testing.T) {
	in := sampleAllKinds()
	raw, err := candid.Marshal([]any{in})
	if err != nil {
		t.Fatal(err)
	}
	var fast, slow allKinds
	if err := decodeCandid(raw, &fast); err != nil {
		t.Fatal(err)
	}
	if err := candid.Unmarshal(raw, []any{&slow}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(slow, fast, sameAsAgentGo...); d != "" {
		t.Errorf("fast decoder differs from agent-go (-agent-go +fast):\n%s", d)
	}
	if d := cmp.Diff(in, fast, sameAsAgentGo...); d != "" {
		t.Errorf("round trip (-in +fast):\n%s", d)
	}
}

func TestDecodeCandidSubtyping(t *testing.T) {
	// A reply with more fields than the Go type knows decodes; the extra
	// fields are skipped, whatever their type.
	raw, err := candid.Marshal([]any{sampleAllKinds()})
	if err != nil {
		t.Fatal(err)
	}
	var small struct {
		T   string `ic:"t"`
		N64 uint64 `ic:"n64"`
		Gap *uint8 `ic:"absent,omitempty"`
	}
	if err := decodeCandid(raw, &small); err != nil {
		t.Fatal(err)
	}
	if small.T != "Grüße" || small.N64 != 1<<63 || small.Gap != nil {
		t.Errorf("got %+v", small)
	}
}

func TestDecodeCandidRejectsGarbage(t *testing.T) {
	raw, _ := candid.Marshal([]any{sampleAllKinds()})
	var v allKinds
	for _, bad := range [][]byte{nil, []byte("DIDX"), raw[:len(raw)/2], raw[:10], append(append([]byte{}, raw[:4]...), 0xff, 0xff, 0xff)} {
		if err := decodeCandid(bad, &v); err == nil {
			t.Errorf("decoded garbage %x", bad)
		}
	}
}

func FuzzDecodeCandid(f *testing.F) {
	raw, _ := candid.Marshal([]any{sampleAllKinds()})
	f.Add(raw)
	pi, _ := candid.Marshal([]any{govdid.ListProposalInfoResponse{ProposalInfo: []govdid.ProposalInfo{{Topic: 4}}}})
	f.Add(pi)
	f.Fuzz(func(t *testing.T, b []byte) {
		var v govdid.ListProposalInfoResponse
		_ = decodeCandid(b, &v) // must not panic or hang
		var w allKinds
		_ = decodeCandid(bytes.Clone(b), &w)
	})
}
