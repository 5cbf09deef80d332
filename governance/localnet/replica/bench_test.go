package replica

import (
	"context"
	"crypto/sha256"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/fxamacker/cbor/v2"
)

// BenchmarkVerifiedUpdateCalls measures update calls per second from 50
// concurrent agent-go clients (ed25519 senders, v4 synchronous calls): each
// call is decoded, signature-checked, executed in order on one canister and
// answered with a BLS-signed certificate. It reports calls/s and how many
// calls shared one certification round, with an empty ingress history, with
// a full one (DefaultHistorySize entries), and with clients that also verify
// every call's certificate (BLS pairing on the same two cores).
func BenchmarkVerifiedUpdateCalls(b *testing.B) {
	b.Run("empty-history", func(b *testing.B) { benchCalls(b, 0, false) })
	b.Run("full-history", func(b *testing.B) { benchCalls(b, DefaultHistorySize, false) })
	b.Run("client-verified", func(b *testing.B) { benchCalls(b, 0, true) })
}

// verifiedInc makes one v4 inc call by hand and verifies its certificate
// against the root key, as agent-go does not for synchronous calls.
func verifiedInc(a *agent.Agent, id identity.Identity) error {
	req := agent.Request{Type: agent.RequestTypeCall, Sender: id.Sender(), CanisterID: counterID, MethodName: "inc",
		Arguments: []byte("DIDL\x00\x00"), Nonce: []byte(time.Now().String()),
		IngressExpiry: uint64(time.Now().Add(time.Minute).UnixNano())}
	rid := agent.NewRequestID(req)
	sig, err := rid.Sign(id)
	if err != nil {
		return err
	}
	body, err := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: id.PublicKey(), SenderSig: sig})
	if err != nil {
		return err
	}
	raw, err := a.Client().Call(context.Background(), counterID, body)
	if err != nil {
		return err
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(raw, &cert); err != nil {
		return err
	}
	if err := certification.VerifyCertificate(cert, counterID, a.GetRootKey()); err != nil {
		return err
	}
	_, err = cert.Tree.Lookup(hashtree.Label("request_status"), rid[:], hashtree.Label("reply"))
	return err
}

// fillHistory adds n finished entries to srv's ingress history.
func fillHistory(srv *Server, n int) {
	for i := 0; i < n; i++ {
		id := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16), 0xfe})
		e, _ := srv.history.insert(id, nil, 0, time.Now())
		srv.history.finish(e, mustCandid(uint64(i)), nil)
	}
}

// benchCalls runs the concurrent call benchmark over a history prefilled
// with prefill entries.
func benchCalls(b *testing.B, prefill int, verify bool) {
	const clients = 50
	net := startNet(b)
	fillHistory(net.srv, prefill)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	agents := make([]*agent.Agent, clients)
	ids := make([]identity.Identity, clients)
	for i := range agents {
		ids[i] = newIdentity(b, "ed25519")
		a, err := agent.New(agent.Config{
			Identity:     ids[i],
			ClientConfig: []agent.ClientOption{agent.WithHostURL(net.url), agent.WithHttpClient(hc)},
			FetchRootKey: true,
		})
		if err != nil {
			b.Fatal(err)
		}
		agents[i] = a
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	rounds0 := net.srv.cert.rounds.Load()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	start := time.Now()
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				var err error
				if verify {
					err = verifiedInc(a, ids[i])
				} else {
					var n uint64
					err = a.Call(counterID, "inc", nil, []any{&n})
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	rounds := net.srv.cert.rounds.Load() - rounds0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
	// CPU per call (server and clients together) does not depend on what
	// else the machine runs; two cores give 2s / cpu-µs/call as the ceiling.
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/call")
	b.ReportMetric(float64(b.N)/float64(max(rounds, 1)), "calls/round")
}

// BenchmarkSignRoot measures one BLS certificate signature.
func BenchmarkSignRoot(b *testing.B) {
	k, err := deriveKeys([]byte("bench"), false)
	if err != nil {
		b.Fatal(err)
	}
	root := sha256.Sum256([]byte("root"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := k.signRoot(root); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySender measures sender signature verification per kind.
func BenchmarkVerifySender(b *testing.B) {
	for _, kind := range identityKinds[1:] {
		b.Run(kind, func(b *testing.B) {
			id := newIdentity(b, kind)
			msg := append(append([]byte{}, requestSep...), make([]byte, 32)...)
			sig, err := id.Sign(msg)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				if err := verifySig(id.PublicKey(), msg, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSnapshotFullHistory measures one certification round (tree build
// plus BLS signature) with a full default-size ingress history, five new
// finished calls per round.
func BenchmarkSnapshotFullHistory(b *testing.B) {
	srv, err := New(WithSeed([]byte("bench")), WithCanister(counterID, &counter{}))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	fillHistory(srv, DefaultHistorySize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := 0; k < 5; k++ {
			id := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(k)})
			e, _ := srv.history.insert(id, nil, 0, time.Now())
			srv.history.finish(e, nil, nil)
		}
		if _, err := srv.snapshot(); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime returns the process's user plus system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
