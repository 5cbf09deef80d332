package replica

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
)

// Test canister ids: counterID is inside the NNS range, farID outside it.
var (
	counterID = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	farID     = principal.Principal{Raw: []byte{0, 0, 0, 0, 1, 0, 0, 0, 1, 1}}
	missingID = principal.MustDecode("ryjl3-tyaaa-aaaaa-aaaba-cai")
)

// counter is a tiny test canister: echo (query) returns its argument, inc
// (update) bumps a counter and returns it as Candid nat64, get (query) reads
// it, fail (update) rejects. It records the Call of the last update and
// flags overlapping updates.
type counter struct {
	mu      sync.Mutex
	n       uint64
	last    Call
	calls   []uint64 // arrival sequence numbers seen by inc, in execution order
	running atomic.Int32
	overlap atomic.Bool
}

// Method implements Canister.
func (c *counter) Method(name string) (MethodKind, bool) {
	switch name {
	case "echo", "get":
		return Query, true
	case "inc", "fail", "panic":
		return Update, true
	}
	return 0, false
}

// Execute implements Canister.
func (c *counter) Execute(call Call) ([]byte, *Reject) {
	if call.Replicated {
		if c.running.Add(1) > 1 {
			c.overlap.Store(true)
		}
		defer c.running.Add(-1)
		c.mu.Lock()
		c.last = call
		c.mu.Unlock()
	}
	switch call.Method {
	case "echo":
		return call.Arg, nil
	case "get":
		c.mu.Lock()
		defer c.mu.Unlock()
		return mustCandid(c.n), nil
	case "inc":
		c.mu.Lock()
		defer c.mu.Unlock()
		c.n++
		if len(call.Arg) == 8 {
			c.calls = append(c.calls, binary.BigEndian.Uint64(call.Arg))
		}
		return mustCandid(c.n), nil
	case "fail":
		return nil, &Reject{Code: 4, Message: "counter says no"}
	case "panic":
		panic("boom")
	}
	return nil, &Reject{Code: 5, Message: "unreachable"}
}

// CertifiedData implements CertifiedDataProvider: the hash of the counter.
func (c *counter) CertifiedData() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := sha256.Sum256(mustCandid(c.n))
	return h[:]
}

// mustCandid encodes a nat64 as Candid.
func mustCandid(n uint64) []byte {
	b, err := candid.Marshal([]any{n})
	if err != nil {
		panic(err)
	}
	return b
}

// testNet is a running server with its canister.
type testNet struct {
	srv *Server
	url *url.URL
	can *counter
}

// startNet starts a server on 127.0.0.1:0 hosting a counter under counterID
// (and a second one under farID) and stops it on cleanup.
func startNet(t testing.TB, opts ...Option) *testNet {
	t.Helper()
	can := &counter{}
	opts = append([]Option{WithSeed([]byte("test")), WithCanister(counterID, can), WithCanister(farID, &counter{})}, opts...)
	srv, err := New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	u, _ := url.Parse(hs.URL)
	return &testNet{srv: srv, url: u, can: can}
}

// identityKinds are the four sender kinds agents use.
var identityKinds = []string{"anonymous", "ed25519", "secp256k1", "prime256v1"}

// newIdentity returns a fresh identity of the given kind.
func newIdentity(t testing.TB, kind string) identity.Identity {
	t.Helper()
	var id identity.Identity
	var err error
	switch kind {
	case "anonymous":
		id = new(identity.AnonymousIdentity)
	case "ed25519":
		id, err = identity.NewRandomEd25519Identity()
	case "secp256k1":
		id, err = identity.NewRandomSecp256k1Identity()
	case "prime256v1":
		id, err = identity.NewRandomPrime256v1Identity()
	default:
		err = fmt.Errorf("unknown kind %q", kind)
	}
	if err != nil {
		t.Fatalf("identity %s: %v", kind, err)
	}
	return id
}

// newAgent returns an unmodified agent-go agent for the network, fetching
// the root key and verifying query signatures.
func (n *testNet) newAgent(t testing.TB, id identity.Identity, legacy bool) *agent.Agent {
	t.Helper()
	opts := []agent.ClientOption{agent.WithHostURL(n.url)}
	if legacy {
		opts = append(opts, agent.WithLegacyAPI())
	}
	a, err := agent.New(agent.Config{
		Identity:     id,
		ClientConfig: opts,
		FetchRootKey: true,
		PollDelay:    20 * time.Millisecond,
		PollTimeout:  5 * time.Second,
	})
	if err != nil {
		t.Fatalf("agent.New: %v", err)
	}
	return a
}

// sha returns the SHA-256 of b.
func sha(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}
