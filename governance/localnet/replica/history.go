package replica

import (
	"bytes"
	"slices"
	"sync"
	"time"
)

// Request status values as certified under request_status/<id>/status.
const (
	statusReceived = "received"
	statusReplied  = "replied"
	statusRejected = "rejected"
)

// entry is one request in the ingress history.
type entry struct {
	id     [32]byte
	sender []byte
	expiry uint64    // ingress_expiry, ns since the epoch
	at     time.Time // real time of arrival, for retention
	done   chan struct{}

	// Guarded by history.mu.
	status  string
	edge    child
	version uint64
	evicted bool
}

// history is the replica's ingress history: the status of recent update
// calls, bounded by age and count like a replica's, so memory stays bounded.
//
// Entries are kept in 256 buckets by the first byte of their id, each with
// its own fork structure; the request_status directory joins the buckets'
// structures. A certification round rehashes only the buckets that changed
// since the previous round, so its cost grows with the changes, not with the
// history size.
type history struct {
	retention time.Duration
	max       int

	mu      sync.Mutex
	byID    map[[32]byte]*entry
	fifo    []*entry // arrival order, for eviction
	buckets [256]bucket
	version uint64
	// seen remembers the ingress expiry of requests evicted for space
	// before they expired, so they cannot be replayed and run twice.
	seen      map[[32]byte]uint64
	seenPurge time.Time
}

// bucket holds the entries whose id starts with one byte, sorted by id.
type bucket struct {
	entries []*entry
	shape   *fork
	dirty   bool
}

// newHistory returns an empty history keeping entries for retention and at
// most max of them.
func newHistory(retention time.Duration, max int) *history {
	return &history{retention: retention, max: max, byID: map[[32]byte]*entry{}, seen: map[[32]byte]uint64{}}
}

// insert records a new received request, or returns the existing entry for
// a duplicate request id (then inserted is false). A replay of a request
// evicted before its expiry returns no entry and inserted false.
func (h *history) insert(id [32]byte, sender []byte, expiry uint64, now time.Time) (e *entry, inserted bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.byID[id]; ok {
		return old, false
	}
	if exp, ok := h.seen[id]; ok && exp >= uint64(now.UnixNano()) {
		return nil, false
	}
	e = &entry{id: id, sender: sender, expiry: expiry, at: now, done: make(chan struct{})}
	h.version++
	e.status, e.edge, e.version = statusReceived, labeled(id[:], statusNode(statusReceived, nil, nil)), h.version
	h.byID[id] = e
	h.fifo = append(h.fifo, e)
	b := &h.buckets[id[0]]
	i, _ := slices.BinarySearchFunc(b.entries, e, byID)
	b.entries, b.dirty = slices.Insert(b.entries, i, e), true
	h.evict(now)
	return e, true
}

// restore inserts calls answered before the server started with their
// outcome; expired ones are skipped (their replay is refused by expiry).
func (h *history) restore(as []Answered, now time.Time) {
	for _, a := range as {
		if a.Expiry < uint64(now.UnixNano()) {
			continue
		}
		if e, inserted := h.insert(a.ID, a.Sender, a.Expiry, now); inserted {
			h.finish(e, a.Reply, a.Reject)
		}
	}
}

// finish records the final outcome of e and releases its waiters.
func (h *history) finish(e *entry, reply []byte, reject *Reject) {
	status := statusReplied
	if reject != nil {
		status = statusRejected
	}
	edge := labeled(e.id[:], statusNode(status, reply, reject))
	h.mu.Lock()
	h.version++
	e.status, e.edge, e.version = status, edge, h.version
	h.buckets[e.id[0]].dirty = true
	h.mu.Unlock()
	close(e.done)
}

// versionOf returns the history version at which e got its current status.
func (h *history) versionOf(e *entry) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return e.version
}

// get returns the entry for id, or nil.
func (h *history) get(id []byte) *entry {
	if len(id) != 32 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byID[[32]byte(id)]
}

// current returns the history version.
func (h *history) current() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version
}

// len returns the number of entries held.
func (h *history) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.byID)
}

// evict drops the oldest entries beyond the count bound and finished
// entries older than the retention. Callers hold h.mu.
func (h *history) evict(now time.Time) {
	n := 0
	for n < len(h.fifo) {
		e := h.fifo[n]
		over := len(h.fifo)-n > h.max
		expired := now.Sub(e.at) > h.retention && e.status != statusReceived
		if !over && !expired {
			break
		}
		if e.expiry >= uint64(now.UnixNano()) {
			h.seen[e.id] = e.expiry
		}
		e.evicted = true
		delete(h.byID, e.id)
		b := &h.buckets[e.id[0]]
		if i, ok := slices.BinarySearchFunc(b.entries, e, byID); ok {
			b.entries, b.dirty = slices.Delete(b.entries, i, i+1), true
		}
		h.version++
		n++
	}
	if n > 0 {
		// Reslicing is O(1); append copies only live entries when it grows.
		clear(h.fifo[:n])
		h.fifo = h.fifo[n:]
	}
	h.purgeSeen(now)
}

// purgeSeen forgets remembered requests whose expiry has passed (a replay
// of them is refused by the expiry check), at most every ten seconds.
// Callers hold h.mu.
func (h *history) purgeSeen(now time.Time) {
	if now.Sub(h.seenPurge) < 10*time.Second {
		return
	}
	h.seenPurge = now
	ns := uint64(now.UnixNano())
	for id, exp := range h.seen {
		if exp < ns {
			delete(h.seen, id)
		}
	}
}

// byID orders entries by request id.
func byID(a, b *entry) int { return bytes.Compare(a.id[:], b.id[:]) }

// statusDir returns the request_status directory and the history version it
// reflects, rehashing only buckets changed since the previous call.
func (h *history) statusDir() (*node, uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.evict(time.Now())
	var shapes []*fork
	for i := range h.buckets {
		b := &h.buckets[i]
		if b.dirty {
			// A fresh slice: the previous shape still points into the old one.
			edges := make([]child, len(b.entries))
			for k, e := range b.entries {
				edges[k] = e.edge
			}
			b.shape, b.dirty = balanced(edges), false
		}
		if b.shape != nil {
			shapes = append(shapes, b.shape)
		}
	}
	return shapedDir(joinAll(shapes)), h.version
}

// statusNode builds the request_status/<id> subtree. A reject always carries
// error_code: agent-go fails a lookup without it.
func statusNode(status string, reply []byte, reject *Reject) *node {
	kids := []child{labeled([]byte("status"), leafNode([]byte(status)))}
	switch {
	case reject != nil:
		kids = append(kids,
			labeled([]byte("reject_code"), leafNode(leb(reject.Code))),
			labeled([]byte("reject_message"), leafNode([]byte(reject.Message))),
			labeled([]byte("error_code"), leafNode([]byte(reject.ErrorCode))),
		)
	case status == statusReplied:
		kids = append(kids, labeled([]byte("reply"), leafNode(reply)))
	}
	return dir(kids...)
}
