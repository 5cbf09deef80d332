package replica

import (
	"math/big"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/fxamacker/cbor/v2"
)

// TestRequestIDMatchesAgent checks the server's request id equals agent-go's
// for calls and read_state requests, including when ingress_expiry arrives
// as a CBOR bignum.
func TestRequestIDMatchesAgent(t *testing.T) {
	id := newIdentity(t, "ed25519")
	req := agent.Request{Type: agent.RequestTypeCall, Sender: id.Sender(), CanisterID: counterID, MethodName: "inc",
		Arguments: []byte{}, Nonce: []byte{1, 2}, IngressExpiry: uint64(time.Now().Add(time.Minute).UnixNano())}
	want := agent.NewRequestID(req)
	plain, err := cbor.Marshal(agent.Envelope{Content: req})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeRequest(plain)
	if err != nil || got.id != [32]byte(want) {
		t.Fatalf("plain: id %x, %v; want %x", got.id, err, want)
	}

	// Re-encode the content with ingress_expiry as a bignum (tag 2).
	var m map[string]any
	if err := cbor.Unmarshal(mustMarshal(t, &req), &m); err != nil {
		t.Fatal(err)
	}
	m["ingress_expiry"] = cbor.Tag{Number: 2, Content: new(big.Int).SetUint64(req.IngressExpiry).Bytes()}
	bignum, err := cbor.Marshal(map[string]any{"content": m})
	if err != nil {
		t.Fatal(err)
	}
	got, err = decodeRequest(bignum)
	if err != nil {
		t.Fatalf("bignum: %v", err)
	}
	if got.id != [32]byte(want) || got.expiry != req.IngressExpiry {
		t.Errorf("bignum: id %x expiry %d; want %x %d", got.id, got.expiry, want, req.IngressExpiry)
	}
}

// mustMarshal encodes v as CBOR.
func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeRequestRejectsGarbage checks malformed bodies get a 400 refusal.
func TestDecodeRequestRejectsGarbage(t *testing.T) {
	for name, body := range map[string][]byte{
		"not cbor":      {0xff, 0x00},
		"no content":    mustMarshal(t, map[string]any{"sender_sig": []byte{1}}),
		"content list":  mustMarshal(t, map[string]any{"content": []any{1}}),
		"no expiry":     mustMarshal(t, map[string]any{"content": map[string]any{"request_type": "call"}}),
		"string expiry": mustMarshal(t, map[string]any{"content": map[string]any{"ingress_expiry": "soon"}}),
	} {
		if _, err := decodeRequest(body); err == nil {
			t.Errorf("%s: decoded", name)
		} else if r, ok := err.(*refusal); !ok || r.status != 400 {
			t.Errorf("%s: %v, want a 400 refusal", name, err)
		}
	}
}
