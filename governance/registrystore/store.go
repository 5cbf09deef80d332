package registrystore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nnspatch/nnspatch/governance/registrypb"
	"github.com/nnspatch/nnspatch/internal/fsutil"
	"google.golang.org/protobuf/proto"
)

// ErrCorrupt reports a store whose files are damaged or partial beyond what
// an interrupted commit leaves; Reset rebuilds it from version 0.
var ErrCorrupt = errors.New("registry cache is corrupt")

// File names inside a store directory.
const (
	changelogFile = "changelog.bin"
	snapshotFile  = "snapshot.bin"
	lastSyncFile  = "last_sync"
	lockFile      = "lock"
	snapshotMagic = "nnspatch-registry-snapshot-v1"
)

// maxRecord bounds one changelog record (a registry version with every value
// inline); a longer length prefix is corruption, not an allocation.
const maxRecord = 1 << 30

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Mutation is one key's change in a registry version.
type Mutation struct {
	// Key is the registry key.
	Key string
	// Value is the new value; nil for a deletion.
	Value []byte
	// Deleted reports a deletion.
	Deleted bool
}

// Batch is one registry version: its mutations and when it was written.
type Batch struct {
	// Version is the registry version.
	Version uint64
	// TimeNanos is the version's timestamp_nanoseconds (0 when unknown).
	TimeNanos uint64
	// Mutations are the version's changes.
	Mutations []Mutation
}

// Entry is a key's latest value.
type Entry struct {
	// Value is the value.
	Value []byte
	// Version is the registry version that wrote it.
	Version uint64
	// TimeNanos is when that version was written (0 when unknown).
	TimeNanos uint64
}

// header is the snapshot's JSON header line.
type header struct {
	RootKey    string `json:"root_key"`
	Version    uint64 `json:"version"`
	LogBytes   int64  `json:"changelog_bytes"`
	BodySHA256 string `json:"body_sha256"`
}

// Store is one network's registry copy. Its owner serialises calls, except
// that Latest and Values may run concurrently with one Append (a reader
// decoding the held registry while a sync commits newer versions).
type Store struct {
	dir     string
	rootKey []byte
	version uint64
	logSize int64
	// mu guards latest and body. The snapshot's body is decoded on first
	// use, so opening a store costs one file read and a hash check, and
	// the decoding can overlap a sync's network round trip.
	mu     sync.Mutex
	latest map[string]Entry
	body   []byte
	bodyAt uint64 // the version body holds
	// bodySum is the SHA-256 (hex) of the snapshot body on disk: what a
	// derived file names to say which snapshot it was derived from. It and
	// version change under mu, so ReadDerived may run during an Append.
	bodySum string
	// mem holds the changelog of a store without a directory.
	mem []Batch
}

// Open opens (creating if needed) the store in dir for the network with
// rootKey; dir "" keeps the store in memory. It reads only the snapshot. A damaged store is ErrCorrupt,
// returned together with an empty store in the same directory that Reset
// makes usable.
func Open(dir string, rootKey []byte) (*Store, error) {
	s := &Store{dir: dir, rootKey: append([]byte{}, rootKey...), latest: map[string]Entry{}}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create registry cache %s: %w", dir, err)
	}
	if err := s.load(); err != nil {
		s.version, s.logSize, s.latest, s.body = 0, 0, map[string]Entry{}, nil
		return s, err
	}
	return s, nil
}

// Dir is the store's directory ("" for a store in memory only).
func (s *Store) Dir() string { return s.dir }

// Version is the newest registry version the store holds.
func (s *Store) Version() uint64 { return s.version }

// Latest returns every present key's latest value. The map is the store's
// and never modified (a commit replaces it); callers must not modify it.
// A snapshot body that passed its checksum but does not decode is
// ErrCorrupt; Reset starts over.
func (s *Store) Latest() (map[string]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries()
}

// Values returns every present key's latest value bytes. Before the first
// commit it decodes them straight from the snapshot, without building the
// entries Latest returns.
func (s *Store) Values() (map[string][]byte, error) {
	s.mu.Lock()
	body, at, latest := s.body, s.bodyAt, s.latest
	s.mu.Unlock()
	if body != nil {
		snap, err := decodeSnapshot(body, at)
		if err != nil {
			return nil, err
		}
		out := make(map[string][]byte, len(snap.GetDeltas()))
		for _, d := range snap.GetDeltas() {
			for _, v := range d.GetValues() {
				out[string(d.GetKey())] = nonNil(v.GetValue())
			}
		}
		return out, nil
	}
	out := make(map[string][]byte, len(latest))
	for k, e := range latest {
		out[k] = e.Value
	}
	return out, nil
}

// decodeSnapshot decodes a snapshot body that should hold version at.
func decodeSnapshot(body []byte, at uint64) (*registrypb.HighCapacityRegistryGetChangesSinceResponse, error) {
	var snap registrypb.HighCapacityRegistryGetChangesSinceResponse
	if err := proto.Unmarshal(body, &snap); err != nil || snap.GetVersion() != at {
		return nil, fmt.Errorf("%w: snapshot body does not decode", ErrCorrupt)
	}
	return &snap, nil
}

// entries decodes the snapshot body on first use; s.mu is held.
func (s *Store) entries() (map[string]Entry, error) {
	if s.body == nil {
		return s.latest, nil
	}
	snap, err := decodeSnapshot(s.body, s.bodyAt)
	if err != nil {
		return nil, err
	}
	latest := make(map[string]Entry, len(snap.GetDeltas()))
	for _, d := range snap.GetDeltas() {
		for _, v := range d.GetValues() {
			latest[string(d.GetKey())] = Entry{Value: nonNil(v.GetValue()), Version: v.GetVersion(), TimeNanos: v.GetTimestampNanoseconds()}
		}
	}
	s.latest, s.body = latest, nil
	return latest, nil
}

// load reads and checks the snapshot and the changelog's length.
func (s *Store) load() error {
	raw, err := os.ReadFile(filepath.Join(s.dir, snapshotFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read registry cache snapshot: %w", err)
	}
	h, body, err := splitSnapshot(raw)
	if err != nil {
		return err
	}
	if h.RootKey != hex.EncodeToString(s.rootKey) {
		return fmt.Errorf("%w: snapshot belongs to another network (root key differs)", ErrCorrupt)
	}
	fi, err := os.Stat(filepath.Join(s.dir, changelogFile))
	if err != nil || fi.Size() < h.LogBytes {
		return fmt.Errorf("%w: changelog is shorter than the snapshot says (%d bytes)", ErrCorrupt, h.LogBytes)
	}
	s.version, s.logSize, s.body, s.bodyAt, s.bodySum = h.Version, h.LogBytes, body, h.Version, h.BodySHA256
	return nil
}

// splitSnapshot parses the magic, header and body and checks the body hash.
func splitSnapshot(raw []byte) (header, []byte, error) {
	var h header
	body, err := splitFramed(raw, snapshotMagic, &h)
	if err != nil {
		return h, nil, fmt.Errorf("%w: snapshot %v", ErrCorrupt, err)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != h.BodySHA256 {
		return h, nil, fmt.Errorf("%w: snapshot checksum mismatch", ErrCorrupt)
	}
	return h, body, nil
}

// splitFramed parses the framing the snapshot and derived files share: a
// magic line, a JSON header line (into h), then the body.
func splitFramed(raw []byte, magic string, h any) ([]byte, error) {
	first, rest, ok := bytes.Cut(raw, []byte("\n"))
	if !ok || string(first) != magic {
		return nil, fmt.Errorf("has no %s header", magic)
	}
	line, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || json.Unmarshal(line, h) != nil {
		return nil, errors.New("header does not parse")
	}
	return body, nil
}

// Reset empties the store: version 0, no files but the lock.
func (s *Store) Reset() error {
	s.setLatest(map[string]Entry{})
	s.mu.Lock()
	s.version, s.logSize, s.mem, s.bodySum = 0, 0, nil, ""
	s.mu.Unlock()
	if s.dir == "" {
		return nil
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	for _, f := range []string{snapshotFile, changelogFile, lastSyncFile} {
		if err := os.Remove(filepath.Join(s.dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("reset registry cache: %w", err)
		}
	}
	return s.removeDerived()
}

// lock takes the directory's writer lock.
func (s *Store) lock() (func(), error) {
	release, err := fsutil.Lock(context.Background(), filepath.Join(s.dir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("lock registry cache: %w", err)
	}
	return func() { _ = release() }, nil
}

// Append commits batches, which must continue the store's versions without
// a gap, and the snapshot that results. On error nothing is committed: the
// store still reads as before.
func (s *Store) Append(batches []Batch) error {
	next := s.version
	for _, b := range batches {
		if b.Version != next+1 {
			return fmt.Errorf("registry cache: version %d does not follow %d", b.Version, next)
		}
		next = b.Version
	}
	if len(batches) == 0 {
		return nil
	}
	held, err := s.Latest()
	if err != nil {
		return err
	}
	latest := applyBatches(held, batches)
	if s.dir == "" {
		s.setLatest(latest)
		s.version, s.mem = next, append(s.mem, batches...)
		return nil
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.checkUnchanged(); err != nil {
		return err
	}
	size, err := s.appendLog(batches)
	if err != nil {
		return err
	}
	sum, err := writeSnapshot(s.dir, s.rootKey, next, size, latest)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.latest, s.body = latest, nil
	s.version, s.logSize, s.bodySum = next, size, sum
	s.mu.Unlock()
	return nil
}

// setLatest replaces the latest values.
func (s *Store) setLatest(latest map[string]Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latest, s.body = latest, nil
}

// checkUnchanged refuses to commit over a snapshot another process moved
// on since this store was opened.
func (s *Store) checkUnchanged() error {
	raw, err := os.ReadFile(filepath.Join(s.dir, snapshotFile))
	if errors.Is(err, os.ErrNotExist) && s.version == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: snapshot vanished: %v", ErrCorrupt, err)
	}
	h, _, err := splitSnapshot(raw)
	if err != nil {
		return err
	}
	if h.Version != s.version || h.LogBytes != s.logSize {
		return fmt.Errorf("%w: another process changed the cache (now at version %d)", ErrConcurrent, h.Version)
	}
	return nil
}

// ErrConcurrent reports a commit refused because another process committed
// first; reopen the store and sync again.
var ErrConcurrent = errors.New("registry cache changed by another process")

// applyBatches returns latest with batches applied, leaving latest intact.
func applyBatches(latest map[string]Entry, batches []Batch) map[string]Entry {
	out := make(map[string]Entry, len(latest))
	for k, e := range latest {
		out[k] = e
	}
	for _, b := range batches {
		for _, m := range b.Mutations {
			if m.Deleted {
				delete(out, m.Key)
				continue
			}
			out[m.Key] = Entry{Value: nonNil(m.Value), Version: b.Version, TimeNanos: b.TimeNanos}
		}
	}
	return out
}

// appendLog cuts the changelog to the committed length (dropping what an
// interrupted commit left), appends the batches and syncs; it returns the
// new length.
func (s *Store) appendLog(batches []Batch) (int64, error) {
	f, err := os.OpenFile(filepath.Join(s.dir, changelogFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return 0, fmt.Errorf("open registry changelog: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(s.logSize); err != nil {
		return 0, fmt.Errorf("truncate registry changelog: %w", err)
	}
	w := bufio.NewWriterSize(io.NewOffsetWriter(f, s.logSize), 1<<20)
	size := s.logSize
	for _, b := range batches {
		rec := encodeRecord(b)
		if _, err := w.Write(rec); err != nil {
			return 0, fmt.Errorf("write registry changelog: %w", err)
		}
		size += int64(len(rec))
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("write registry changelog: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("sync registry changelog: %w", err)
	}
	return size, nil
}

// encodeRecord frames one batch: length, CRC-32C, payload.
func encodeRecord(b Batch) []byte {
	req := &registrypb.HighCapacityRegistryAtomicMutateRequest{TimestampNanoseconds: b.TimeNanos}
	for _, m := range b.Mutations {
		hm := &registrypb.HighCapacityRegistryMutation{Key: []byte(m.Key), MutationType: registrypb.RegistryMutation_UPSERT,
			Content: &registrypb.HighCapacityRegistryMutation_Value{Value: nonNil(m.Value)}}
		if m.Deleted {
			hm.MutationType, hm.Content = registrypb.RegistryMutation_DELETE, nil
		}
		req.Mutations = append(req.Mutations, hm)
	}
	body, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		panic(fmt.Sprintf("registrystore: marshal batch: %v", err))
	}
	payload := binary.BigEndian.AppendUint64(nil, b.Version)
	payload = append(payload, body...)
	rec := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	rec = binary.BigEndian.AppendUint32(rec, crc32.Checksum(payload, crcTable))
	return append(rec, payload...)
}

// writeSnapshot replaces the snapshot atomically; it returns the body's
// SHA-256 (hex).
func writeSnapshot(dir string, rootKey []byte, version uint64, logBytes int64, latest map[string]Entry) (string, error) {
	snap := &registrypb.HighCapacityRegistryGetChangesSinceResponse{Version: version}
	keys := make([]string, 0, len(latest))
	for k := range latest {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := latest[k]
		snap.Deltas = append(snap.Deltas, &registrypb.HighCapacityRegistryDelta{Key: []byte(k), Values: []*registrypb.HighCapacityRegistryValue{{
			Version: e.Version, TimestampNanoseconds: e.TimeNanos,
			Content: &registrypb.HighCapacityRegistryValue_Value{Value: e.Value}}}})
	}
	body, err := proto.MarshalOptions{Deterministic: true}.Marshal(snap)
	if err != nil {
		return "", fmt.Errorf("encode registry snapshot: %w", err)
	}
	sum := sha256.Sum256(body)
	h, _ := json.Marshal(header{RootKey: hex.EncodeToString(rootKey), Version: version, LogBytes: logBytes, BodySHA256: hex.EncodeToString(sum[:])})
	var buf bytes.Buffer
	buf.WriteString(snapshotMagic + "\n")
	buf.Write(h)
	buf.WriteByte('\n')
	buf.Write(body)
	return hex.EncodeToString(sum[:]), writeAtomic(filepath.Join(dir, snapshotFile), buf.Bytes())
}

// writeAtomic writes data to a temporary file, syncs it and renames it over
// path.
func writeAtomic(path string, data []byte) error {
	if err := fsutil.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// ReadLog calls fn with every committed batch, oldest first, checking each
// record's CRC and that versions run 1, 2, ... up to Version. A damaged
// record is ErrCorrupt.
func (s *Store) ReadLog(fn func(Batch) error) error {
	if s.dir == "" {
		for _, b := range s.mem {
			if err := fn(b); err != nil {
				return err
			}
		}
		return nil
	}
	if s.version == 0 {
		return nil
	}
	f, err := os.Open(filepath.Join(s.dir, changelogFile))
	if err != nil {
		return fmt.Errorf("%w: open changelog: %v", ErrCorrupt, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.LimitReader(f, s.logSize), 1<<20)
	var want uint64 = 1
	for ; want <= s.version; want++ {
		b, err := readRecord(r)
		if err != nil {
			return fmt.Errorf("%w: changelog record of version %d: %v", ErrCorrupt, want, err)
		}
		if b.Version != want {
			return fmt.Errorf("%w: changelog holds version %d where %d belongs", ErrCorrupt, b.Version, want)
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// readRecord reads and checks one framed record.
func readRecord(r io.Reader) (Batch, error) {
	var frame [8]byte
	if _, err := io.ReadFull(r, frame[:]); err != nil {
		return Batch{}, err
	}
	n := binary.BigEndian.Uint32(frame[:4])
	if n < 8 || n > maxRecord {
		return Batch{}, fmt.Errorf("bad record length %d", n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return Batch{}, err
	}
	if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(frame[4:]) {
		return Batch{}, errors.New("CRC mismatch")
	}
	var req registrypb.HighCapacityRegistryAtomicMutateRequest
	if err := proto.Unmarshal(payload[8:], &req); err != nil {
		return Batch{}, err
	}
	b := Batch{Version: binary.BigEndian.Uint64(payload[:8]), TimeNanos: req.GetTimestampNanoseconds()}
	for _, m := range req.GetMutations() {
		mu := Mutation{Key: string(m.GetKey())}
		if m.GetMutationType() == registrypb.RegistryMutation_DELETE {
			mu.Deleted = true
		} else {
			mu.Value = nonNil(m.GetValue())
		}
		b.Mutations = append(b.Mutations, mu)
	}
	return b, nil
}

// Status describes a store for `registry status`.
type Status struct {
	// Dir is the store's directory.
	Dir string
	// Version is the newest registry version held.
	Version uint64
	// Bytes is the size of the store's files.
	Bytes int64
	// Keys counts the keys with a value.
	Keys int
	// LastSync is when a sync last completed; zero if never.
	LastSync time.Time
}

// Status reports the store's version, size (every file but the lock) and
// last sync.
func (s *Store) Status() Status {
	latest, _ := s.Latest()
	st := Status{Dir: s.dir, Version: s.version, Keys: len(latest)}
	if s.dir == "" {
		return st
	}
	derived, _ := filepath.Glob(filepath.Join(s.dir, derivedPrefix+"*"))
	for _, f := range append([]string{changelogFile, snapshotFile}, derived...) {
		if fi, err := os.Stat(filepath.Join(s.dir, filepath.Base(f))); err == nil {
			st.Bytes += fi.Size()
		}
	}
	if raw, err := os.ReadFile(filepath.Join(s.dir, lastSyncFile)); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(raw))); err == nil {
			st.LastSync = t
		}
	}
	return st
}

// MarkSynced records now as the time of the last completed sync. It is
// advisory (status only) and written without a sync.
func (s *Store) MarkSynced(now time.Time) error {
	if s.dir == "" {
		return nil
	}
	return os.WriteFile(filepath.Join(s.dir, lastSyncFile), []byte(now.UTC().Format(time.RFC3339Nano)+"\n"), 0o600)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
