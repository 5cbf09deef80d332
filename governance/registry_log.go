package governance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// ErrChunkedValue reports a registry value that arrived as chunk keys where
// the reader cannot fetch chunks.
var ErrChunkedValue = errors.New("registry value is chunked")

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

// ChangesFromHighCapacity converts one get_changes_since page into changes.
// A chunked value is an ErrChunkedValue: the caller must fetch its chunks.
func ChangesFromHighCapacity(resp *registrypb.HighCapacityRegistryGetChangesSinceResponse) ([]RegistryChange, error) {
	var out []RegistryChange
	for _, d := range resp.GetDeltas() {
		for _, v := range d.GetValues() {
			c := RegistryChange{Key: string(d.GetKey()), Version: v.GetVersion()}
			if ts := v.GetTimestampNanoseconds(); ts != 0 {
				c.Time = time.Unix(0, int64(ts)).UTC()
			}
			switch content := v.GetContent().(type) {
			case *registrypb.HighCapacityRegistryValue_DeletionMarker:
				c.Deleted = content.DeletionMarker
			case *registrypb.HighCapacityRegistryValue_LargeValueChunkKeys:
				return nil, fmt.Errorf("%w: key %s at version %d", ErrChunkedValue, c.Key, c.Version)
			case *registrypb.HighCapacityRegistryValue_Value:
				c.Value = content.Value
			}
			if !c.Deleted && c.Value == nil {
				c.Value = []byte{}
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// readRegistryLog pages get_changes_since from version 0 into a log. It is
// the uncertified, uncached reader; the registry store replaces it.
func (c *Client) readRegistryLog(ctx context.Context) (*RegistryLog, error) {
	log := NewRegistryLog()
	for range maxRegistryRounds {
		since := log.Latest()
		raw, err := c.changesSinceRaw(ctx, since)
		if err != nil {
			return nil, err
		}
		var resp registrypb.HighCapacityRegistryGetChangesSinceResponse
		if err := proto.Unmarshal(raw, &resp); err != nil {
			return nil, fmt.Errorf("decode get_changes_since reply: %w", err)
		}
		if resp.GetError() != nil {
			return nil, &RejectedError{Message: Sanitize(resp.GetError().GetReason())}
		}
		changes, err := ChangesFromHighCapacity(&resp)
		if err != nil {
			return nil, err
		}
		seen := since
		for _, ch := range changes {
			seen = max(seen, ch.Version)
		}
		log.Apply(0, changes...)
		if seen >= resp.GetVersion() || seen == since {
			log.Apply(resp.GetVersion())
			return log, nil
		}
	}
	return nil, fmt.Errorf("read registry: still behind after %d rounds", maxRegistryRounds)
}

// RegistryLog returns the registry's changelog up to its latest version.
func (c *Client) RegistryLog(ctx context.Context) (*RegistryLog, error) {
	return c.readRegistryLog(ctx)
}
