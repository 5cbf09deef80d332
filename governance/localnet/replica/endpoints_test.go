package replica

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// TestStatus checks /api/v2/status carries the root key and health.
func TestStatus(t *testing.T) {
	net := startNet(t)
	resp, err := http.Get(net.url.String() + "/api/v2/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var st map[string]any
	if err := cbor.Unmarshal(body, &st); err != nil {
		t.Fatalf("decode status: %v", err)
	}
	if !bytes.Equal(st["root_key"].([]byte), net.srv.RootKeyDER()) || st["replica_health_status"] != "healthy" {
		t.Errorf("status = %v", st)
	}
	if resp.Header.Get("Content-Type") != "application/cbor" {
		t.Errorf("Content-Type = %q", resp.Header.Get("Content-Type"))
	}
}

// TestLegacyCallAccepted checks /api/v2/call answers 202 and the outcome is
// then readable through a verified read_state.
func TestLegacyCallAccepted(t *testing.T) {
	net := startNet(t)
	id := newIdentity(t, "ed25519")
	body, rid := signedEnvelope(t, id, nil)
	if code, text := post(t, net, "/api/v2/canister/"+counterID.Encode()+"/call", body); code != http.StatusAccepted {
		t.Fatalf("v2 call: %d %q, want 202", code, text)
	}
	a := net.newAgent(t, id, true)
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _, err := a.RequestStatus(counterID, rid)
		if err != nil {
			t.Fatalf("request status: %v", err)
		}
		if string(status) == "replied" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("status still %q", status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSubnetState checks the subnet read_state, the tdb26 alias agent-go
// needs, and canister ranges in the legacy and sharded layouts.
func TestSubnetState(t *testing.T) {
	net := startNet(t)
	a := net.newAgent(t, newIdentity(t, "ed25519"), false)
	subnets, err := a.GetSubnets()
	if err != nil {
		t.Fatalf("GetSubnets: %v", err)
	}
	if !containsPrincipal(subnets, net.srv.SubnetID()) || !containsPrincipal(subnets, rootSubnetAlias) {
		t.Errorf("subnets = %v, want %s and the tdb26 alias", subnets, net.srv.SubnetID())
	}
	for _, legacy := range []bool{false, true} {
		paths := [][]hashtree.Label{{hashtree.Label("subnet")}}
		if !legacy {
			paths = append(paths, []hashtree.Label{hashtree.Label("canister_ranges"), net.srv.SubnetID().Raw})
		}
		cert := readCert(t, net, paths)
		ranges, err := certification.LookupCanisterRanges(cert.Tree, net.srv.SubnetID())
		if err != nil {
			t.Fatalf("legacy=%v: canister ranges: %v", legacy, err)
		}
		for _, id := range []principal.Principal{counterID, farID, missingID} {
			if !ranges.InRange(id) {
				t.Errorf("legacy=%v: %s not in ranges %v", legacy, id, ranges)
			}
		}
		key, err := cert.Tree.Lookup(hashtree.Label("subnet"), rootSubnetAlias.Raw, hashtree.Label("node"), net.srv.NodeID().Raw, hashtree.Label("public_key"))
		if err != nil || len(key) != 44 {
			t.Errorf("legacy=%v: alias node key %x, %v", legacy, key, err)
		}
	}
}

// readCert performs a verified canister read_state as an anonymous sender.
func readCert(t *testing.T, net *testNet, paths [][]hashtree.Label) certification.Certificate {
	t.Helper()
	req := agent.Request{Type: agent.RequestTypeReadState, Sender: principal.AnonymousID, Paths: paths,
		IngressExpiry: uint64(time.Now().Add(time.Minute).UnixNano())}
	body, err := cbor.Marshal(agent.Envelope{Content: req})
	if err != nil {
		t.Fatal(err)
	}
	code, text := post(t, net, "/api/v3/canister/"+counterID.Encode()+"/read_state", body)
	if code != http.StatusOK {
		t.Fatalf("read_state: %d %q", code, text)
	}
	var reply struct {
		Certificate []byte `cbor:"certificate"`
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal([]byte(text), &reply); err != nil {
		t.Fatal(err)
	}
	if err := cbor.Unmarshal(reply.Certificate, &cert); err != nil {
		t.Fatal(err)
	}
	if err := certification.VerifyCertificate(cert, counterID, net.srv.RootKeyDER()); err != nil {
		t.Fatalf("verify: %v", err)
	}
	return cert
}

// containsPrincipal reports whether ps holds p.
func containsPrincipal(ps []principal.Principal, p principal.Principal) bool {
	for _, q := range ps {
		if q.Equal(p) {
			return true
		}
	}
	return false
}

// TestClosedServer checks requests after Close are refused rather than hung.
func TestClosedServer(t *testing.T) {
	net := startNet(t)
	net.srv.Close()
	body, _ := signedEnvelope(t, newIdentity(t, "ed25519"), nil)
	done := make(chan int, 1)
	go func() {
		code, _ := post(t, net, "/api/v4/canister/"+counterID.Encode()+"/call", body)
		done <- code
	}()
	select {
	case code := <-done:
		if code != http.StatusServiceUnavailable {
			t.Errorf("call after Close: %d, want 503", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("call after Close hung")
	}
}

// slow is a canister whose update "wait" blocks until released and whose
// query "meet" returns only once two meet queries run at the same time.
type slow struct {
	release chan struct{}
	meet    chan struct{}
}

// Method implements Canister.
func (s *slow) Method(name string) (MethodKind, bool) {
	switch name {
	case "wait":
		return Update, true
	case "meet":
		return Query, true
	}
	return 0, false
}

// Execute implements Canister.
func (s *slow) Execute(c Call) ([]byte, *Reject) {
	if c.Method == "meet" {
		select {
		case s.meet <- struct{}{}:
		case <-s.meet:
		case <-time.After(5 * time.Second):
			return nil, &Reject{Code: 5, Message: "no concurrent query arrived"}
		}
		return mustCandid(1), nil
	}
	<-s.release
	return mustCandid(7), nil
}

// TestSlowCallFallsBackTo202 checks a synchronous call that outlasts the
// replica's wait is answered 202, and its result is then readable.
func TestSlowCallFallsBackTo202(t *testing.T) {
	slowID := principal.MustDecode("qoctq-giaaa-aaaaa-aaaea-cai")
	can := &slow{release: make(chan struct{}), meet: make(chan struct{})}
	net := startNet(t, WithCanister(slowID, can))
	net.srv.syncTimeout = 50 * time.Millisecond
	id := newIdentity(t, "ed25519")
	body, rid := signedEnvelope(t, id, func(r *agent.Request, e *agent.Envelope) {
		r.CanisterID, r.MethodName = slowID, "wait"
		resign(t, id, e)
	})
	if code, text := post(t, net, "/api/v4/canister/"+slowID.Encode()+"/call", body); code != http.StatusAccepted {
		t.Fatalf("slow call: %d %q, want 202", code, text)
	}
	close(can.release)
	a := net.newAgent(t, id, false)
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _, err := a.RequestStatus(slowID, rid)
		if err != nil {
			t.Fatalf("request status: %v", err)
		}
		if string(status) == "replied" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("status still %q", status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestQueriesRunConcurrently checks two queries execute at the same time,
// and while an update to the same canister is still running.
func TestQueriesRunConcurrently(t *testing.T) {
	slowID := principal.MustDecode("qoctq-giaaa-aaaaa-aaaea-cai")
	can := &slow{release: make(chan struct{}), meet: make(chan struct{})}
	net := startNet(t, WithCanister(slowID, can))
	net.srv.syncTimeout = 10 * time.Millisecond
	a := net.newAgent(t, newIdentity(t, "ed25519"), false)
	body, _ := signedEnvelope(t, newIdentity(t, "anonymous"), func(r *agent.Request, _ *agent.Envelope) {
		r.CanisterID, r.MethodName = slowID, "wait"
	})
	if code, _ := post(t, net, "/api/v4/canister/"+slowID.Encode()+"/call", body); code != http.StatusAccepted {
		t.Fatalf("blocking update: %d, want 202", code)
	}
	defer close(can.release)
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() {
			var n uint64
			errs <- a.Query(slowID, "meet", nil, []any{&n})
		}()
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Errorf("query: %v", err)
		}
	}
}
