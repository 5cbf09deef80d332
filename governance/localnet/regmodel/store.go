package regmodel

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// entry is one value of a key, written at a registry version.
type entry struct {
	version uint64
	value   []byte
	deleted bool
	at      time.Time
	// chunks are the SHA-256 of the value's chunks when the value is large
	// enough to be chunked; nil for an inline value.
	chunks [][]byte
}

// batch is one applied mutation batch: one registry version.
type batch struct {
	version uint64
	at      time.Time
	// raw is the deterministic protobuf encoding of the batch as a
	// HighCapacityRegistryAtomicMutateRequest (large values as chunk keys,
	// the batch time in timestamp_nanoseconds), the leaf certified under
	// delta/<version>.
	raw []byte
	// leafHash caches the hash of the labeled delta leaf for the tree.
	leafHash [32]byte
}

// store is the versioned key/value store. Versions start at 1 and grow by one
// per batch; log[i].version == i+1.
type store struct {
	keys map[string][]entry
	// order holds every key ever written, sorted, for prefix scans.
	order []string
	log   []batch
	tree  treeCache
	// chunks holds the chunks of large values by their SHA-256, as the
	// registry's chunk store does for get_chunk.
	chunks map[[32]byte][]byte
	// chunkAbove is the value size from which values are chunked;
	// chunkSize is the size of one chunk.
	chunkAbove, chunkSize int
}

// newStore returns an empty store at version 0 that chunks values of at
// least chunkAbove bytes into chunks of chunkSize bytes.
func newStore(chunkAbove, chunkSize int) store {
	return store{keys: map[string][]entry{}, tree: treeCache{}, chunks: map[[32]byte][]byte{},
		chunkAbove: chunkAbove, chunkSize: chunkSize}
}

// chunkify stores a value's chunks and returns their hashes in order, or nil
// when the value is small enough to stay inline.
func (s *store) chunkify(val []byte) [][]byte {
	if len(val) < s.chunkAbove {
		return nil
	}
	var keys [][]byte
	for off := 0; off < len(val); off += s.chunkSize {
		part := val[off:min(off+s.chunkSize, len(val))]
		h := sha256.Sum256(part)
		if _, ok := s.chunks[h]; !ok {
			s.chunks[h] = append([]byte{}, part...)
		}
		keys = append(keys, h[:])
	}
	return keys
}

// latest is the latest registry version (0 when empty).
func (s *store) latest() uint64 { return uint64(len(s.log)) }

// get returns the value of key at version (the newest entry at or below it)
// and the version that wrote it; ok is false when the key is absent or
// deleted at that version.
func (s *store) get(key string, version uint64) (val []byte, at uint64, ok bool) {
	es := s.keys[key]
	i := sort.Search(len(es), func(i int) bool { return es[i].version > version })
	if i == 0 {
		return nil, 0, false
	}
	e := es[i-1]
	if e.deleted {
		return nil, e.version, false
	}
	return e.value, e.version, true
}

// entryAt returns the entry of key current at version; ok is false when the
// key is absent or deleted then.
func (s *store) entryAt(key string, version uint64) (entry, bool) {
	es := s.keys[key]
	i := sort.Search(len(es), func(i int) bool { return es[i].version > version })
	if i == 0 || es[i-1].deleted {
		return entry{}, false
	}
	return es[i-1], true
}

// getLatest returns the current value of key.
func (s *store) getLatest(key string) ([]byte, bool) {
	v, _, ok := s.get(key, s.latest())
	return v, ok
}

// present reports whether key currently has a value.
func (s *store) present(key string) bool {
	_, ok := s.getLatest(key)
	return ok
}

// verify checks each mutation's precondition the way the registry's
// verify_mutation_type does and returns the registry's error texts.
func (s *store) verify(muts []*v1.RegistryMutation) []string {
	var errs []string
	for _, m := range muts {
		key := string(m.Key)
		present := s.present(key)
		switch m.MutationType {
		case v1.RegistryMutation_INSERT:
			if present {
				errs = append(errs, "Registry Canister Error. Msg: Key already present: "+key)
			}
		case v1.RegistryMutation_UPDATE, v1.RegistryMutation_DELETE:
			if !present {
				errs = append(errs, "Registry Canister Error. Msg: Key not present: "+key)
			}
		}
	}
	return errs
}

// apply writes muts as the next version at time at. The caller has verified
// them; apply itself cannot fail.
func (s *store) apply(muts []*v1.RegistryMutation, at time.Time) uint64 {
	version := s.latest() + 1
	leaf := &v1.HighCapacityRegistryAtomicMutateRequest{TimestampNanoseconds: nanos(at)}
	for _, m := range muts {
		key := string(m.Key)
		e := entry{version: version, at: at}
		hm := &v1.HighCapacityRegistryMutation{MutationType: m.MutationType, Key: m.Key}
		if m.MutationType == v1.RegistryMutation_DELETE {
			e.deleted = true
		} else {
			e.value = append([]byte{}, m.Value...)
			e.chunks = s.chunkify(e.value)
		}
		switch {
		case e.chunks != nil:
			hm.Content = &v1.HighCapacityRegistryMutation_LargeValueChunkKeys{
				LargeValueChunkKeys: &v1.LargeValueChunkKeys{ChunkContentSha256S: e.chunks}}
		case !e.deleted:
			hm.Content = &v1.HighCapacityRegistryMutation_Value{Value: e.value}
		}
		leaf.Mutations = append(leaf.Mutations, hm)
		if _, seen := s.keys[key]; !seen {
			i := sort.SearchStrings(s.order, key)
			s.order = slices.Insert(s.order, i, key)
		}
		s.keys[key] = append(s.keys[key], e)
	}
	raw := mustMarshal(leaf)
	s.log = append(s.log, batch{
		version:  version,
		at:       at,
		raw:      raw,
		leafHash: deltaLeafHash(version, raw),
	})
	return version
}

// sortedKeys returns every key ever written, in byte order. The slice is
// shared; callers must not modify it.
func (s *store) sortedKeys() []string { return s.order }

// keysWithPrefix returns the keys that currently hold a value and start with
// prefix, in byte order.
func (s *store) keysWithPrefix(prefix string) []string {
	var out []string
	for i := sort.SearchStrings(s.order, prefix); i < len(s.order); i++ {
		k := s.order[i]
		if !strings.HasPrefix(k, prefix) {
			break
		}
		if s.present(k) {
			out = append(out, k)
		}
	}
	return out
}

// mustMarshal encodes m deterministically. Marshalling a well-formed
// generated message cannot fail; a failure is a programming error.
func mustMarshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("regmodel: marshal %T: %v", m, err))
	}
	return b
}

// insert, update, upsert and del build registry mutations.
func insert(key string, val []byte) *v1.RegistryMutation {
	return &v1.RegistryMutation{MutationType: v1.RegistryMutation_INSERT, Key: []byte(key), Value: val}
}

func update(key string, val []byte) *v1.RegistryMutation {
	return &v1.RegistryMutation{MutationType: v1.RegistryMutation_UPDATE, Key: []byte(key), Value: val}
}

func upsert(key string, val []byte) *v1.RegistryMutation {
	return &v1.RegistryMutation{MutationType: v1.RegistryMutation_UPSERT, Key: []byte(key), Value: val}
}

func del(key string) *v1.RegistryMutation {
	return &v1.RegistryMutation{MutationType: v1.RegistryMutation_DELETE, Key: []byte(key)}
}
