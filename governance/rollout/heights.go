package rollout

import (
	"sync"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// Heights judges whether subnets finalize from their finalized heights
// across observations, with the rule Derive applies to a release's subnets
// (finalizingFromHeight: two heights at least MinHeightInterval apart, the
// later one higher), for callers that keep no ledger record of the heights,
// such as the watch over a rollback's targets. Between comparisons the last
// verdict is kept. The zero value is ready; it is safe for concurrent use.
type Heights struct {
	mu   sync.Mutex
	last map[string]heightVerdict
}

// heightVerdict is a subnet's last compared height and the verdict then.
type heightVerdict struct {
	rec SubnetRecord
	fin *bool
}

// Judge returns sub with Finalizing filled from the height growth since
// the last comparison when the source reported only a height; the first
// observation of a subnet leaves Finalizing nil (no verdict yet: a caller
// shows it as waiting, never as failed).
func (h *Heights) Judge(subnet string, sub health.Subnet, now time.Time) health.Subnet {
	if sub.Finalizing != nil || sub.Height == nil {
		return sub
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	prev := h.last[subnet]
	judged, rec := finalizingFromHeight(&sub, prev.rec, now)
	if !prev.rec.HeightAt.IsZero() && rec.HeightAt.Equal(prev.rec.HeightAt) {
		sub.Finalizing = prev.fin // too soon to compare again
		return sub
	}
	if h.last == nil {
		h.last = map[string]heightVerdict{}
	}
	h.last[subnet] = heightVerdict{rec: rec, fin: judged.Finalizing}
	return *judged
}

// HeightMark is a subnet's last compared finalized height, when it was
// seen, and the verdict then: what Heights keeps between observations.
type HeightMark struct {
	Height     float64   `json:"height"`
	At         time.Time `json:"at"`
	Finalizing *bool     `json:"finalizing,omitempty"`
}

// Marks returns the last compared height of every subnet judged, for a
// caller that keeps them across processes (Restore reads them back).
func (h *Heights) Marks() map[string]HeightMark {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]HeightMark, len(h.last))
	for k, v := range h.last {
		out[k] = HeightMark{Height: v.rec.Height, At: v.rec.HeightAt, Finalizing: v.fin}
	}
	return out
}

// Restore replaces the kept heights with marks (from Marks).
func (h *Heights) Restore(marks map[string]HeightMark) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = make(map[string]heightVerdict, len(marks))
	for k, m := range marks {
		h.last[k] = heightVerdict{rec: SubnetRecord{Height: m.Height, HeightAt: m.At}, fin: m.Finalizing}
	}
}
