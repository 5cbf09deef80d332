package replica

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// TestAgentGo drives the server with unmodified agent-go v0.9.2: every
// identity kind, default and legacy APIs, synchronous and 202-polled calls,
// signature-verified queries, certified rejects and GetTime.
func TestAgentGo(t *testing.T) {
	for _, async := range []bool{false, true} {
		net := startNet(t, WithAsyncCalls(async))
		for _, legacy := range []bool{false, true} {
			for _, kind := range identityKinds {
				name := kind
				if legacy {
					name += "/legacy"
				}
				if async {
					name += "/async"
				}
				t.Run(name, func(t *testing.T) {
					a := net.newAgent(t, newIdentity(t, kind), legacy)
					exerciseAgent(t, net, a)
				})
			}
		}
	}
}

// exerciseAgent runs the common agent-go checks against net.
func exerciseAgent(t *testing.T, net *testNet, a *agent.Agent) {
	t.Helper()
	var got uint64
	if err := a.Call(counterID, "inc", nil, []any{&got}); err != nil {
		t.Fatalf("call inc: %v", err)
	}
	var read uint64
	if err := a.Query(counterID, "get", nil, []any{&read}); err != nil {
		t.Fatalf("query get: %v", err)
	}
	if read < got {
		t.Errorf("query get = %d after inc returned %d", read, got)
	}
	var echo string
	if err := a.Query(counterID, "echo", []any{"hello"}, []any{&echo}); err != nil || echo != "hello" {
		t.Errorf("query echo = %q, %v; want hello", echo, err)
	}
	// A query method through /call runs as a replicated query.
	if err := a.Call(counterID, "echo", []any{"replicated"}, []any{&echo}); err != nil || echo != "replicated" {
		t.Errorf("call echo = %q, %v; want replicated", echo, err)
	}
	wantErr(t, "call fail", a.Call(counterID, "fail", nil, nil), "(4)", "counter says no")
	wantErr(t, "call unknown method", a.Call(counterID, "nope", nil, nil), "(3)", "has no update method 'nope'")
	wantErr(t, "call unknown canister", a.Call(missingID, "inc", nil, nil), "(3)", "not found")
	wantErr(t, "call trapping method", a.Call(counterID, "panic", nil, nil), "(5)", "boom")
	wantErr(t, "query update method", a.Query(counterID, "inc", nil, []any{&got}), "(3)", "has no query method 'inc'")
	wantErr(t, "query unknown canister", a.Query(missingID, "get", nil, []any{&got}), "(3)", "not found")
	now, err := a.GetTime(counterID)
	if err != nil {
		t.Fatalf("GetTime: %v", err)
	}
	if d := time.Since(now); d < -time.Second || d > 5*time.Second {
		t.Errorf("GetTime = %v, %v away from now", now, d)
	}
}

// wantErr fails unless err contains every fragment.
func wantErr(t *testing.T, what string, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one containing %q", what, fragments)
		return
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q lacks %q", what, err, f)
		}
	}
}

// TestAgentGoBadKey checks that every verifying agent-go path fails when the
// advertised root key is not the signing key.
func TestAgentGoBadKey(t *testing.T) {
	net := startNet(t, WithBadRootKey())
	a := net.newAgent(t, newIdentity(t, "ed25519"), false)
	var got uint64
	wantErr(t, "query", a.Query(counterID, "get", nil, []any{&got}), "signature verification failed")
	_, err := a.GetTime(counterID)
	wantErr(t, "GetTime", err, "signature verification failed")
	polling := startNet(t, WithBadRootKey(), WithAsyncCalls(true))
	pa := polling.newAgent(t, newIdentity(t, "ed25519"), false)
	wantErr(t, "polled call", pa.Call(counterID, "inc", nil, []any{&got}), "signature verification failed")
}

// TestClock checks that certified time and Call.Now follow the injected
// clock while ingress expiry still uses real time.
func TestClock(t *testing.T) {
	// A day ahead: ingress expiry is still checked against real time.
	virtual := time.Now().Add(24 * time.Hour).Truncate(time.Millisecond)
	net := startNet(t, WithClock(func() time.Time { return virtual }))
	a := net.newAgent(t, newIdentity(t, "ed25519"), false)
	var n uint64
	if err := a.Call(counterID, "inc", nil, []any{&n}); err != nil {
		t.Fatalf("call: %v", err)
	}
	net.can.mu.Lock()
	last := net.can.last
	net.can.mu.Unlock()
	if !last.Now.Equal(virtual) {
		t.Errorf("Call.Now = %v, want %v", last.Now, virtual)
	}
	if !last.Replicated || last.Method != "inc" || !last.Caller.Equal(a.Sender()) {
		t.Errorf("Call = %+v, want replicated inc from %s", last, a.Sender())
	}
	got, err := a.GetTime(counterID)
	if err != nil || !got.Equal(virtual) {
		t.Errorf("GetTime = %v, %v; want %v", got, err, virtual)
	}
}

// TestCertifiedData checks /canister/<id>/certified_data with agent-go's
// VerifyCertifiedData path, before and after an update changes it.
func TestCertifiedData(t *testing.T) {
	net := startNet(t)
	a := net.newAgent(t, newIdentity(t, "secp256k1"), false)
	for i := 0; i < 2; i++ {
		want := net.can.CertifiedData()
		got, err := a.GetCanisterInfo(counterID, "certified_data")
		if err != nil {
			t.Fatalf("read certified_data: %v", err)
		}
		if string(got) != string(want) {
			t.Errorf("certified_data = %x, want %x", got, want)
		}
		var n uint64
		if err := a.Call(counterID, "inc", nil, []any{&n}); err != nil {
			t.Fatalf("call: %v", err)
		}
	}
}

// upgradable is a counter that publishes a module hash and controllers,
// which a test may change directly (as an admin endpoint would).
type upgradable struct {
	counter
	mu     sync.Mutex
	module []byte
}

// ModuleHash implements InfoProvider.
func (u *upgradable) ModuleHash() []byte {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.module
}

// Controllers implements InfoProvider.
func (u *upgradable) Controllers() []principal.Principal {
	return []principal.Principal{principal.MustDecode("r7inp-6aaaa-aaaaa-aaabq-cai")}
}

// TestCanisterInfo checks module_hash and controllers are certified, and
// that a change made outside any call is visible to the next read_state.
func TestCanisterInfo(t *testing.T) {
	can := &upgradable{module: sha([]byte("v1"))}
	net := startNet(t, WithCanister(principal.MustDecode("r7inp-6aaaa-aaaaa-aaabq-cai"), can))
	root := principal.MustDecode("r7inp-6aaaa-aaaaa-aaabq-cai")
	a := net.newAgent(t, newIdentity(t, "ed25519"), false)
	ctrls, err := a.GetCanisterControllers(root)
	if err != nil || len(ctrls) != 1 || !ctrls[0].Equal(root) {
		t.Fatalf("controllers = %v, %v; want [%s]", ctrls, err, root)
	}
	for _, v := range []string{"v1", "v2"} {
		can.mu.Lock()
		can.module = sha([]byte(v))
		can.mu.Unlock()
		got, err := a.GetCanisterModuleHash(root)
		if err != nil || !bytes.Equal(got, sha([]byte(v))) {
			t.Errorf("module hash after %s = %x, %v", v, got, err)
		}
	}
}

// TestDataCertificate checks DataCertificate certifies the canister's
// current certified data under the network's root key.
func TestDataCertificate(t *testing.T) {
	net := startNet(t)
	for i := 0; i < 2; i++ {
		raw, err := net.srv.DataCertificate(counterID)
		if err != nil {
			t.Fatalf("DataCertificate: %v", err)
		}
		var cert certification.Certificate
		if err := cbor.Unmarshal(raw, &cert); err != nil {
			t.Fatal(err)
		}
		if err := certification.VerifyCertifiedData(cert, counterID, net.srv.RootKeyDER(), net.can.CertifiedData()); err != nil {
			t.Errorf("round %d: %v", i, err)
		}
		net.can.mu.Lock()
		net.can.n += 10 // changed outside any call, as an admin endpoint might
		net.can.mu.Unlock()
	}
}
