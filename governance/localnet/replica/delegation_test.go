package replica

import (
	"net/http"
	"strings"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/fxamacker/cbor/v2"
)

// delegatedCall builds a call from user signed by session under a one-link
// sender_delegation; edit may change the delegation before it is signed.
func delegatedCall(t *testing.T, user, session identity.Identity, edit func(map[string]any)) []byte {
	t.Helper()
	d := map[string]any{"pubkey": session.PublicKey(), "expiration": uint64(time.Now().Add(time.Hour).UnixNano())}
	if edit != nil {
		edit(d)
	}
	h, err := certification.HashAny(d)
	if err != nil {
		t.Fatal(err)
	}
	dsig, err := user.Sign(append(append([]byte{}, delegationSep...), h[:]...))
	if err != nil {
		t.Fatal(err)
	}
	req := agent.Request{Type: agent.RequestTypeCall, Sender: user.Sender(), CanisterID: counterID, MethodName: "inc",
		Arguments: []byte("DIDL\x00\x00"), IngressExpiry: uint64(time.Now().Add(time.Minute).UnixNano())}
	sig, err := agent.NewRequestID(req).Sign(session)
	if err != nil {
		t.Fatal(err)
	}
	body, err := cbor.Marshal(map[string]any{
		"content":           &req,
		"sender_pubkey":     user.PublicKey(),
		"sender_sig":        sig,
		"sender_delegation": []any{map[string]any{"delegation": d, "signature": dsig}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestSenderDelegation checks a delegated session key may sign for a user,
// and that expired, mis-targeted or forged delegations are refused.
func TestSenderDelegation(t *testing.T) {
	net := startNet(t)
	user := newIdentity(t, "ed25519")
	session := newIdentity(t, "secp256k1")
	path := "/api/v4/canister/" + counterID.Encode() + "/call"
	if code, text := post(t, net, path, delegatedCall(t, user, session, nil)); code != http.StatusOK {
		t.Fatalf("delegated call: %d %q", code, text)
	}
	cases := []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"expired", func(d map[string]any) { d["expiration"] = uint64(time.Now().Add(-time.Minute).UnixNano()) }, "expired"},
		{"other target", func(d map[string]any) { d["targets"] = []any{farID.Raw} }, "does not target"},
		{"other session key", func(d map[string]any) { d["pubkey"] = newIdentity(t, "ed25519").PublicKey() }, "Invalid basic signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, text := post(t, net, path, delegatedCall(t, user, session, tc.edit))
			if code != http.StatusBadRequest || !strings.Contains(text, tc.want) {
				t.Errorf("got %d %q, want 400 containing %q", code, text, tc.want)
			}
		})
	}
	t.Run("signed by a stranger", func(t *testing.T) {
		body := delegatedCall(t, newIdentity(t, "ed25519"), session, nil)
		var env map[string]any
		if err := cbor.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		env["sender_pubkey"] = user.PublicKey()
		body, _ = cbor.Marshal(env)
		if code, text := post(t, net, path, body); code != http.StatusBadRequest {
			t.Errorf("got %d %q, want 400", code, text)
		}
	})
}
