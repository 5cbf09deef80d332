package replica

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
)

// BenchmarkVerifiedUpdateCalls measures update calls per second from 50
// concurrent agent-go clients (ed25519 senders, v4 synchronous calls): each
// call is decoded, signature-checked, executed in order on one canister and
// answered with a BLS-signed certificate. It reports calls/s and how many
// calls shared one certification round, with an empty ingress history and
// with a full one (DefaultHistorySize entries).
func BenchmarkVerifiedUpdateCalls(b *testing.B) {
	b.Run("empty-history", func(b *testing.B) { benchCalls(b, 0) })
	b.Run("full-history", func(b *testing.B) { benchCalls(b, DefaultHistorySize) })
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
func benchCalls(b *testing.B, prefill int) {
	const clients = 50
	net := startNet(b)
	fillHistory(net.srv, prefill)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	agents := make([]*agent.Agent, clients)
	for i := range agents {
		a, err := agent.New(agent.Config{
			Identity:     newIdentity(b, "ed25519"),
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
	b.ResetTimer()
	start := time.Now()
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				var n uint64
				if err := a.Call(counterID, "inc", nil, []any{&n}); err != nil {
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
