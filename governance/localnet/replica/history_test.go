package replica

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/certification/hashtree"
)

// TestHistoryBounded checks the ingress history keeps at most its size and
// that an evicted request's status is then provably absent.
func TestHistoryBounded(t *testing.T) {
	net := startNet(t, WithHistory(time.Hour, 5))
	id := newIdentity(t, "ed25519")
	a := net.newAgent(t, id, false)
	var first, firstBody []byte
	for i := 0; i < 12; i++ {
		body, rid := signedEnvelope(t, id, nil)
		if code, text := post(t, net, "/api/v4/canister/"+counterID.Encode()+"/call", body); code != 200 {
			t.Fatalf("call %d: %d %q", i, code, text)
		}
		if i == 0 {
			first, firstBody = append([]byte{}, rid[:]...), body
		}
	}
	if n := net.srv.HistoryLen(); n > 5 {
		t.Errorf("history holds %d entries, want at most 5", n)
	}
	// Replaying the evicted (unexpired) first request must not run it again.
	before := net.can.CertifiedData()
	if code, text := post(t, net, "/api/v4/canister/"+counterID.Encode()+"/call", firstBody); code != http.StatusAccepted {
		t.Errorf("replay: %d %q, want 202", code, text)
	}
	if after := net.can.CertifiedData(); !bytes.Equal(before, after) {
		t.Errorf("replayed request executed again")
	}
	_, err := a.ReadStateCertificate(counterID, [][]hashtree.Label{{hashtree.Label("request_status"), first}})
	if err != nil {
		t.Fatalf("read_state: %v", err)
	}
	status, _, err := a.RequestStatus(counterID, [32]byte(first))
	if err != nil || status != nil {
		t.Errorf("evicted request status = %q, %v; want absent", status, err)
	}
}

// TestHistoryRetention checks entries older than the retention are dropped.
func TestHistoryRetention(t *testing.T) {
	h := newHistory(time.Minute, 100)
	old := time.Now().Add(-2 * time.Minute)
	e, _ := h.insert([32]byte{1}, nil, 0, old)
	h.finish(e, []byte("x"), nil)
	h.insert([32]byte{2}, nil, 0, time.Now())
	if h.get(e.id[:]) != nil || h.len() != 1 {
		t.Errorf("expired entry kept; %d entries", h.len())
	}
	d, _ := h.statusDir()
	if d.size() != 1 || d.shape.first[0] != 2 {
		t.Errorf("request_status has %d entries, want only the fresh one", d.size())
	}
}

// TestDuplicateCallExecutesOnce checks that resubmitting the same signed
// request does not execute it twice.
func TestDuplicateCallExecutesOnce(t *testing.T) {
	net := startNet(t)
	body, _ := signedEnvelope(t, newIdentity(t, "ed25519"), nil)
	for i := 0; i < 3; i++ {
		if code, text := post(t, net, "/api/v4/canister/"+counterID.Encode()+"/call", body); code != 200 {
			t.Fatalf("call %d: %d %q", i, code, text)
		}
	}
	if got := net.can.CertifiedData(); string(got) != string(sha(mustCandid(1))) {
		t.Errorf("counter advanced more than once")
	}
}

// TestUpdatesSerialized checks that concurrent update calls to one canister
// never overlap and all take effect.
func TestUpdatesSerialized(t *testing.T) {
	net := startNet(t)
	const clients, calls = 8, 10
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := net.newAgent(t, newIdentity(t, "ed25519"), false)
			for i := 0; i < calls; i++ {
				var n uint64
				if err := a.Call(counterID, "inc", nil, []any{&n}); err != nil {
					t.Errorf("call: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if net.can.overlap.Load() {
		t.Errorf("update calls overlapped")
	}
	net.can.mu.Lock()
	defer net.can.mu.Unlock()
	if net.can.n != clients*calls {
		t.Errorf("counter = %d, want %d", net.can.n, clients*calls)
	}
}

// TestExecutorArrivalOrder checks an executor runs calls in submission order.
func TestExecutorArrivalOrder(t *testing.T) {
	can := &counter{}
	h := newHistory(time.Hour, 1000)
	ex := newExecutor(can, time.Now, h)
	defer ex.close()
	var entries []*entry
	for i := uint64(0); i < 200; i++ {
		e, _ := h.insert([32]byte{byte(i), byte(i >> 8)}, nil, 0, time.Now())
		entries = append(entries, e)
		arg := binary.BigEndian.AppendUint64(nil, i)
		if err := ex.submit(job{entry: e, call: Call{Method: "inc", Arg: arg, Replicated: true}}); err != nil {
			t.Fatal(err)
		}
	}
	<-entries[len(entries)-1].done
	for i, got := range can.calls {
		if got != uint64(i) {
			t.Fatalf("call %d executed at position %d", got, i)
		}
	}
}

// TestStatusDirIncremental checks the bucketed request_status directory:
// rehashing only changed buckets gives the same hash as building from
// scratch, and witnesses prove presence and absence across buckets.
func TestStatusDirIncremental(t *testing.T) {
	inc := newHistory(time.Hour, 150)
	var ids [][32]byte
	for i := 0; i < 200; i++ {
		id := sha256.Sum256([]byte{byte(i), 7})
		id[0] %= 16 // crowd a few buckets and leave most empty
		ids = append(ids, id)
		e, _ := inc.insert(id, nil, 0, time.Now())
		if i%3 == 0 {
			inc.finish(e, []byte{byte(i)}, nil)
		}
		if i%7 == 0 {
			inc.statusDir()
		}
	}
	got, _ := inc.statusDir()
	scratch := newHistory(time.Hour, 150)
	for i, id := range ids {
		e, _ := scratch.insert(id, nil, 0, time.Now())
		if i%3 == 0 {
			scratch.finish(e, []byte{byte(i)}, nil)
		}
	}
	want, _ := scratch.statusDir()
	if got.hash != want.hash || got.size() != 150 {
		t.Fatalf("incremental hash %x (%d entries), from scratch %x", got.hash, got.size(), want.hash)
	}
	root := dir(labeled([]byte("request_status"), got))
	for i, id := range ids {
		probe := id
		if i%2 == 1 {
			probe[31] ^= 0xff // absent neighbour of a real id
		}
		w := root.witness([][][]byte{{[]byte("request_status"), probe[:], []byte("status")}})
		if w.Reconstruct() != root.hash {
			t.Fatalf("witness %d: root hash differs", i)
		}
		checkWellFormed(t, w)
		_, err := hashtree.NewHashTree(w).Lookup(hashtree.Label("request_status"), probe[:], hashtree.Label("status"))
		present := i%2 == 0 && i >= 50 // the first 50 were evicted
		var le hashtree.LookupError
		switch {
		case present && err != nil:
			t.Errorf("probe %d: %v, want found", i, err)
		case !present && (!errors.As(err, &le) || le.Type != hashtree.LookupResultAbsent):
			t.Errorf("probe %d: %v, want provably absent", i, err)
		}
	}
}
