package governance

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// RegistryChange is one mutation of one registry key.
type RegistryChange struct {
	// Key is the registry key.
	Key string
	// Version is the registry version that wrote the change.
	Version uint64
	// Value is the record (protobuf); nil for a deletion.
	Value []byte
	// Deleted reports a deletion.
	Deleted bool
	// Time is when the registry wrote the version; zero when the registry
	// did not say (replies older than timestamp_nanoseconds).
	Time time.Time
}

// RegistryLog is the registry's changelog up to Latest: every change of
// every key, oldest first per key. It is what a synced registry store holds
// and what every chain-derived fact (rollout state, rollback targets, the
// quiet period) is computed from.
type RegistryLog struct {
	latest uint64
	keys   map[string][]RegistryChange
}

// NewRegistryLog returns an empty log at version 0.
func NewRegistryLog() *RegistryLog { return &RegistryLog{keys: map[string][]RegistryChange{}} }

// Latest is the newest registry version the log reaches.
func (l *RegistryLog) Latest() uint64 { return l.latest }

// Apply adds changes and moves Latest to at least latest. Changes at a
// version the log already holds for their key are ignored, so re-applying a
// page is harmless.
func (l *RegistryLog) Apply(latest uint64, changes ...RegistryChange) {
	touched := map[string]bool{}
	for _, c := range changes {
		if hist := l.keys[c.Key]; slices.ContainsFunc(hist, func(h RegistryChange) bool { return h.Version == c.Version }) {
			continue
		}
		l.keys[c.Key] = append(l.keys[c.Key], c)
		touched[c.Key] = true
		l.latest = max(l.latest, c.Version)
	}
	for k := range touched {
		slices.SortFunc(l.keys[k], func(a, b RegistryChange) int { return cmpUint(a.Version, b.Version) })
	}
	l.latest = max(l.latest, latest)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// History returns every change of key, oldest first.
func (l *RegistryLog) History(key string) []RegistryChange { return l.keys[key] }

// Keys returns the keys with the prefix that ever had a value, sorted.
func (l *RegistryLog) Keys(prefix string) []string {
	var out []string
	for k := range l.keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// ValueAt returns key's value as of registry version v; false when the key
// did not exist or was deleted then.
func (l *RegistryLog) ValueAt(key string, v uint64) ([]byte, bool) {
	hist := l.keys[key]
	i := sort.Search(len(hist), func(i int) bool { return hist[i].Version > v })
	if i == 0 || hist[i-1].Deleted {
		return nil, false
	}
	return hist[i-1].Value, true
}

// TimeOf returns when registry version v was written, if the log knows.
func (l *RegistryLog) TimeOf(v uint64) (time.Time, bool) {
	for _, hist := range l.keys {
		for _, c := range hist {
			if c.Version == v && !c.Time.IsZero() {
				return c.Time, true
			}
		}
	}
	return time.Time{}, false
}

// Snapshot returns every key's value as of registry version v.
func (l *RegistryLog) Snapshot(v uint64) map[string][]byte {
	out := make(map[string][]byte, len(l.keys))
	for k := range l.keys {
		if val, ok := l.ValueAt(k, v); ok {
			out[k] = val
		}
	}
	return out
}

// RegistryAt decodes the registry as of version v.
func (l *RegistryLog) RegistryAt(v uint64) (*Registry, error) {
	return DecodeRegistry(l.Snapshot(v), min(v, l.latest))
}

// Registry decodes the registry as of the log's latest version.
func (l *RegistryLog) Registry() (*Registry, error) { return l.RegistryAt(l.latest) }

// RegistryLog returns the registry's changelog up to its latest version,
// read from the synced registry store: only the versions the store lacks
// are fetched (certified), and the stored changelog is loaded once per
// Client. The log returned is the caller's own copy.
func (c *Client) RegistryLog(ctx context.Context) (*RegistryLog, error) {
	return c.syncedLog(ctx)
}

// clone returns a copy of the log that shares no slices with it.
func (l *RegistryLog) clone() *RegistryLog {
	out := &RegistryLog{latest: l.latest, keys: make(map[string][]RegistryChange, len(l.keys))}
	for k, hist := range l.keys {
		out.keys[k] = slices.Clone(hist)
	}
	return out
}
