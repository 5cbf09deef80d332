package replica

import (
	"bytes"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// signedEnvelope builds a call to counter.inc from id and lets tamper change
// the request or envelope before encoding.
func signedEnvelope(t *testing.T, id identity.Identity, tamper func(*agent.Request, *agent.Envelope)) ([]byte, agent.RequestID) {
	t.Helper()
	req := agent.Request{
		Type:          agent.RequestTypeCall,
		Sender:        id.Sender(),
		IngressExpiry: uint64(time.Now().Add(2 * time.Minute).UnixNano()),
		CanisterID:    counterID,
		MethodName:    "inc",
		Arguments:     []byte("DIDL\x00\x00"),
		Nonce:         []byte("0123456789"),
	}
	sig, err := agent.NewRequestID(req).Sign(id)
	if err != nil {
		t.Fatal(err)
	}
	env := agent.Envelope{Content: req, SenderPubKey: id.PublicKey(), SenderSig: sig}
	if tamper != nil {
		tamper(&env.Content, &env)
	}
	body, err := cbor.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return body, agent.NewRequestID(env.Content)
}

// resign recomputes the signature after the content changed.
func resign(t *testing.T, id identity.Identity, env *agent.Envelope) {
	t.Helper()
	sig, err := agent.NewRequestID(env.Content).Sign(id)
	if err != nil {
		t.Fatal(err)
	}
	env.SenderSig = sig
}

// post sends body to path and returns the status and body text.
func post(t *testing.T, net *testNet, path string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(net.url.String()+path, "application/cbor", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTamperedRequestsRefused checks that forged or stale requests are
// refused with HTTP 400 and a replica's wording, and never executed.
func TestTamperedRequestsRefused(t *testing.T) {
	net := startNet(t)
	ed := newIdentity(t, "ed25519")
	other := newIdentity(t, "ed25519")
	secp := newIdentity(t, "secp256k1")
	cases := []struct {
		name   string
		id     identity.Identity
		tamper func(*agent.Request, *agent.Envelope)
		want   string
	}{
		{"wrong signature", ed, func(_ *agent.Request, e *agent.Envelope) { e.SenderSig[3] ^= 1 },
			"Invalid signature: Invalid basic signature: Ed25519 signature could not be verified"},
		{"changed content", ed, func(r *agent.Request, _ *agent.Envelope) { r.MethodName = "fail" },
			"Ed25519 signature could not be verified"},
		{"sender does not match key", ed, func(_ *agent.Request, e *agent.Envelope) { e.SenderPubKey = other.PublicKey() },
			"does not match the public key"},
		{"missing signature", ed, func(_ *agent.Request, e *agent.Envelope) { e.SenderSig = nil },
			"Missing signature from user"},
		{"expired", ed, func(r *agent.Request, e *agent.Envelope) {
			r.IngressExpiry = uint64(time.Now().Add(-time.Second).UnixNano())
			resign(t, ed, e)
		}, "Invalid request expiry: "},
		{"far future", ed, func(r *agent.Request, e *agent.Envelope) {
			r.IngressExpiry = uint64(time.Now().Add(7 * time.Minute).UnixNano())
			resign(t, ed, e)
		}, "Invalid request expiry: "},
		{"beyond the 30 s drift allowance", ed, func(r *agent.Request, e *agent.Envelope) {
			r.IngressExpiry = uint64(time.Now().Add(5*time.Minute + 45*time.Second).UnixNano())
			resign(t, ed, e)
		}, "Invalid request expiry: "},
		{"anonymous with key", ed, func(r *agent.Request, e *agent.Envelope) {
			r.Sender = principal.AnonymousID
			resign(t, ed, e)
		}, "anonymous request must not carry sender_pubkey"},
		{"secp256k1 high-S", secp, func(_ *agent.Request, e *agent.Envelope) { e.SenderSig = highS(e.SenderSig) },
			"not low-S normalized"},
		{"wrong canister in URL", ed, func(r *agent.Request, e *agent.Envelope) {
			r.CanisterID = farID
			resign(t, ed, e)
		}, "does not match effective canister id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := net.srv.HistoryLen()
			body, _ := signedEnvelope(t, tc.id, tc.tamper)
			code, text := post(t, net, "/api/v4/canister/"+counterID.Encode()+"/call", body)
			if code != http.StatusBadRequest || !strings.Contains(text, tc.want) {
				t.Errorf("got %d %q, want 400 containing %q", code, text, tc.want)
			}
			if net.srv.HistoryLen() != before {
				t.Errorf("refused request entered the ingress history")
			}
		})
	}
	t.Run("untampered control", func(t *testing.T) {
		body, _ := signedEnvelope(t, secp, nil)
		if code, text := post(t, net, "/api/v4/canister/"+counterID.Encode()+"/call", body); code != http.StatusOK {
			t.Errorf("got %d %q, want 200", code, text)
		}
	})
}

// highS returns the same ECDSA secp256k1 signature with s replaced by n - s.
func highS(sig []byte) []byte {
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(secpOrder, s)
	out := append([]byte{}, sig[:32]...)
	return append(out, s.FillBytes(make([]byte, 32))...)
}

// TestReadStateAuthorization checks a replica's read_state rules: only the
// sender may read a request's status, and canister paths must name the
// canister in the URL.
func TestReadStateAuthorization(t *testing.T) {
	net := startNet(t)
	owner := newIdentity(t, "ed25519")
	body, rid := signedEnvelope(t, owner, nil)
	if code, text := post(t, net, "/api/v3/canister/"+counterID.Encode()+"/call", body); code != http.StatusOK {
		t.Fatalf("call: %d %q", code, text)
	}
	stranger := newIdentity(t, "prime256v1")
	read := func(id identity.Identity, paths [][]hashtree.Label) (int, string) {
		req := agent.Request{Type: agent.RequestTypeReadState, Sender: id.Sender(), Paths: paths,
			IngressExpiry: uint64(time.Now().Add(time.Minute).UnixNano())}
		sig, err := agent.NewRequestID(req).Sign(id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: id.PublicKey(), SenderSig: sig})
		if err != nil {
			t.Fatal(err)
		}
		return post(t, net, "/api/v3/canister/"+counterID.Encode()+"/read_state", b)
	}
	status := [][]hashtree.Label{{hashtree.Label("request_status"), rid[:]}}
	if code, text := read(owner, status); code != http.StatusOK {
		t.Errorf("owner read: %d %q", code, text)
	}
	if code, text := read(stranger, status); code != http.StatusForbidden || !strings.Contains(text, "signed by the caller") {
		t.Errorf("stranger read: %d %q, want 403", code, text)
	}
	other := [][]hashtree.Label{{hashtree.Label("canister"), farID.Raw, hashtree.Label("certified_data")}}
	if code, text := read(owner, other); code != http.StatusBadRequest || !strings.Contains(text, "does not match requested principal id") {
		t.Errorf("foreign canister path: %d %q, want 400", code, text)
	}
}

// TestExpiryCheckedOnEveryEndpoint checks query and read_state requests are
// refused for an expired ingress_expiry too, and read_state for a bad
// signature.
func TestExpiryCheckedOnEveryEndpoint(t *testing.T) {
	net := startNet(t)
	id := newIdentity(t, "prime256v1")
	past := uint64(time.Now().Add(-time.Minute).UnixNano())
	encode := func(req agent.Request, corrupt bool) []byte {
		sig, err := agent.NewRequestID(req).Sign(id)
		if err != nil {
			t.Fatal(err)
		}
		if corrupt {
			sig[10] ^= 0x40
		}
		b, err := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: id.PublicKey(), SenderSig: sig})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	query := agent.Request{Type: agent.RequestTypeQuery, Sender: id.Sender(), CanisterID: counterID,
		MethodName: "get", Arguments: []byte{}, IngressExpiry: past}
	read := agent.Request{Type: agent.RequestTypeReadState, Sender: id.Sender(), IngressExpiry: past,
		Paths: [][]hashtree.Label{{hashtree.Label("time")}}}
	freshRead := read
	freshRead.IngressExpiry = uint64(time.Now().Add(time.Minute).UnixNano())
	cases := []struct {
		name, path string
		body       []byte
		want       string
	}{
		{"expired query", "/api/v3/canister/" + counterID.Encode() + "/query", encode(query, false), "Invalid request expiry: "},
		{"expired read_state", "/api/v3/canister/" + counterID.Encode() + "/read_state", encode(read, false), "Invalid request expiry: "},
		{"expired subnet read_state", "/api/v3/subnet/" + net.srv.SubnetID().Encode() + "/read_state", encode(read, false), "Invalid request expiry: "},
		{"forged read_state", "/api/v2/canister/" + counterID.Encode() + "/read_state", encode(freshRead, true), "ECDSA P-256 signature could not be verified"},
		{"query sent to call", "/api/v4/canister/" + counterID.Encode() + "/call", encode(query, false), "unexpected request_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, text := post(t, net, tc.path, tc.body)
			if code != http.StatusBadRequest || !strings.Contains(text, tc.want) {
				t.Errorf("got %d %q, want 400 containing %q", code, text, tc.want)
			}
		})
	}
}

// TestExpiryWindows checks which ingress_expiry values a server whose
// virtual clock runs a day ahead admits: the real-time window (agents that
// stamp from their own clock) and the network-time window (agents that
// synced to the certified /time), nothing before, between or after them.
func TestExpiryWindows(t *testing.T) {
	real := time.Now()
	virtual := real.Add(24 * time.Hour)
	net := startNet(t, WithClock(func() time.Time { return virtual.Add(time.Since(real)) }))
	id := newIdentity(t, "ed25519")
	cases := []struct {
		name   string
		expiry time.Time
		ok     bool
	}{
		{"real window", time.Now().Add(4 * time.Minute), true},
		{"within the drift allowance", time.Now().Add(5*time.Minute + 20*time.Second), true},
		{"network window", virtual.Add(4 * time.Minute), true},
		{"past", time.Now().Add(-time.Minute), false},
		{"beyond the real window", time.Now().Add(10 * time.Minute), false},
		{"before the network window", virtual.Add(-time.Minute), false},
		{"beyond the network window", virtual.Add(10 * time.Minute), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := signedEnvelope(t, id, func(r *agent.Request, env *agent.Envelope) {
				r.Type, r.MethodName = agent.RequestTypeQuery, "get"
				r.IngressExpiry = uint64(tc.expiry.UnixNano())
				resign(t, id, env)
			})
			code, text := post(t, net, "/api/v3/canister/"+counterID.Encode()+"/query", body)
			switch {
			case tc.ok && code != http.StatusOK:
				t.Errorf("expiry %v: got %d %q, want 200", tc.expiry, code, text)
			case !tc.ok && (code != http.StatusBadRequest || !strings.Contains(text, "Invalid request expiry: ")):
				t.Errorf("expiry %v: got %d %q, want 400 Invalid request expiry", tc.expiry, code, text)
			}
		})
	}
}
