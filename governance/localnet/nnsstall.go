package localnet

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// A stalled NNS subnet executes nothing: governance and the registry live
// on it, so while it does not finalize, no update call to them executes and
// governance's timers (deadlines, executions, reward events, garbage
// collection) stand still at the moment it stalled. Queries still answer
// from the last state, as replicas of a stalled subnet do. This is why a
// fault on the NNS subnet cannot be fixed by a proposal on mainnet: it
// needs a subnet recovery (node providers restart the subnet from a
// recovery catch-up package), which localnet's fault clearing stands in
// for.

// nnsStall reports whether the NNS subnet is stalled at now under faults,
// and since when. n.mu is held, or the network is not serving yet.
func (n *Network) nnsStall(now time.Time, faults faultLog) (bool, time.Time) {
	for _, sn := range n.topo.Subnets {
		if sn.ID == n.topo.NNSSubnet {
			st := n.health.status(sn, subnetDeployments(n.reg), faults, now)
			return st.Stalled, st.StalledSince
		}
	}
	return false, time.Time{}
}

// govTick runs governance's time-driven work up to now, or up to the
// moment the NNS subnet stalled while it is stalled. n.mu is held, or the
// network is replaying its log.
func (n *Network) govTick(now time.Time) {
	if stalled, since := n.nnsStall(now, n.faults); stalled && since.Before(now) {
		now = since
	}
	n.gov.Tick(now)
}

// NNSStalled reports whether the NNS subnet is stalled now, and since when.
func (n *Network) NNSStalled() (bool, time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.nnsStall(n.clock.Now(), n.faults)
}

// nnsProgress refuses update calls while the NNS subnet is stalled, with
// 503 and what to do.
func (n *Network) nnsProgress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/call") {
			if stalled, since := n.NNSStalled(); stalled {
				http.Error(w, fmt.Sprintf("the NNS subnet %s has not finalized a block since %s: no update call can execute until the subnet is recovered",
					n.topo.NNSSubnet, since.UTC().Format(time.RFC3339)), http.StatusServiceUnavailable)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
