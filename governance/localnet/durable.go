package localnet

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// durable wraps a hosted canister: every update call runs under the
// network's state lock with the virtual time, and is appended to the log in
// execution order. The reply is released to clients only once the log is
// fsynced (see barrier), so an acknowledged call is never lost.
type durable struct {
	n   *Network
	id  principal.Principal
	can replica.Canister
}

var _ replica.Canister = (*durable)(nil)

// Method implements replica.Canister.
func (d *durable) Method(name string) (replica.MethodKind, bool) { return d.can.Method(name) }

// Execute implements replica.Canister.
func (d *durable) Execute(call replica.Call) ([]byte, *replica.Reject) {
	kind, ok := d.can.Method(call.Method)
	if !ok || kind != replica.Update || !call.Replicated {
		return d.can.Execute(call)
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	call.Now = n.clock.Now()
	// Logged even if the model traps: replay then traps the same way.
	defer n.log(record{Kind: recCall, Time: call.Now.UnixNano(), Canister: d.id.Raw,
		Method: call.Method, Caller: call.Caller.Raw, Arg: call.Arg})
	return d.can.Execute(call)
}

// barrier holds back every response that may reveal an update's outcome
// (calls and read_state; not queries or status) until everything logged so
// far is durable. Concurrent waiters share one fsync (group commit).
func (n *Network) barrier(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || strings.HasSuffix(r.URL.Path, "/query") {
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(buf, r)
		if err := n.wal.wait(n.wal.lastAppended()); err != nil {
			http.Error(w, "local network state is not durable: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		buf.copyTo(w)
	})
}

// bufferedResponse captures a response so it can be released later.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header implements http.ResponseWriter.
func (b *bufferedResponse) Header() http.Header { return b.header }

// Write implements http.ResponseWriter.
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

// WriteHeader implements http.ResponseWriter.
func (b *bufferedResponse) WriteHeader(status int) { b.status = status }

func (b *bufferedResponse) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}

// log appends a record; the caller holds n.mu so log order is state order.
func (n *Network) log(r record) uint64 {
	if n.replaying {
		return 0
	}
	return n.wal.appendRecord(r.encode())
}

// idleTick is how often the ticker steps governance when no proposal is
// open (for reward events); with open proposals it ticks every interval.
const idleTick = time.Hour

// tick steps the time-driven models at the current virtual time and logs it.
// Idle networks tick rarely, so the log does not grow by a record a second.
func (n *Network) tick() {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.clock.Now()
	if n.gov.OpenProposalCount() == 0 && now.Sub(n.lastTick) < idleTick {
		return
	}
	n.lastTick = now
	n.govTick(now)
	n.log(record{Kind: recTick, Time: now.UnixNano()})
}

// tickLoop ticks every interval until stop is closed.
func (n *Network) tickLoop(interval time.Duration) {
	defer n.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			n.tick()
		}
	}
}
