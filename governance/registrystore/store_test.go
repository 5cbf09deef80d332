package registrystore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func batches(from, to uint64) []Batch {
	var out []Batch
	for v := from; v <= to; v++ {
		out = append(out, Batch{Version: v, TimeNanos: v * 1000, Mutations: []Mutation{{Key: "k", Value: []byte{byte(v)}}}})
	}
	return out
}

// A committed store reopens with the same snapshot and changelog.
func TestStoreReopens(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, []byte("key-a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(batches(1, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(append(batches(4, 4), Batch{Version: 5, Mutations: []Mutation{{Key: "k", Deleted: true}}})); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir, []byte("key-a"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Version() != 5 || len(mustLatest(t, r)) != 0 {
		t.Fatalf("reopened at %d with %d keys", r.Version(), len(mustLatest(t, r)))
	}
	var got []Batch
	if err := r.ReadLog(func(b Batch) error { got = append(got, b); return nil }); err != nil {
		t.Fatal(err)
	}
	want := append(batches(1, 4), Batch{Version: 5, Mutations: []Mutation{{Key: "k", Deleted: true}}})
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("changelog (-want +got):\n%s", d)
	}
}

// The store of one root key is refused for another.
func TestStoreRefusesAnotherRootKey(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, []byte("key-a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(batches(1, 2)); err != nil {
		t.Fatal(err)
	}
	other, err := Open(dir, []byte("key-b"))
	if !errors.Is(err, ErrCorrupt) || other.Version() != 0 || len(mustLatest(t, other)) != 0 {
		t.Fatalf("opened another root key's store: version %d, err %v", other.Version(), err)
	}
}

// A gap in versions is refused and writes nothing.
func TestStoreRefusesGap(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, []byte("k"))
	if err := s.Append(batches(2, 3)); err == nil {
		t.Fatal("appended versions 2-3 to an empty store")
	}
	if _, err := os.Stat(filepath.Join(dir, snapshotFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("snapshot written after a refused append: %v", err)
	}
}

// mustLatest is Latest, failing the test on an error.
func mustLatest(t *testing.T, s *Store) map[string]Entry {
	t.Helper()
	l, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A snapshot whose body matches its checksum but is not a registry answer
// opens (the body is decoded on first use) and then reads as ErrCorrupt,
// for Latest and for the next Append; Reset makes the store usable.
func TestStoreUndecodableBodyIsCorrupt(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, []byte("key-a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(batches(1, 2)); err != nil {
		t.Fatal(err)
	}
	body := []byte{0xff, 0xff, 0xff}
	sum := sha256.Sum256(body)
	h, _ := json.Marshal(header{RootKey: hex.EncodeToString([]byte("key-a")), Version: 2, LogBytes: s.logSize, BodySHA256: hex.EncodeToString(sum[:])})
	raw := append(append([]byte(snapshotMagic+"\n"), append(h, '\n')...), body...)
	if err := os.WriteFile(filepath.Join(dir, snapshotFile), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir, []byte("key-a"))
	if err != nil || r.Version() != 2 {
		t.Fatalf("open: version %d, %v", r.Version(), err)
	}
	if _, err := r.Latest(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Latest: %v, want ErrCorrupt", err)
	}
	if err := r.Append(batches(3, 3)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Append: %v, want ErrCorrupt", err)
	}
	if err := r.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := r.Append(batches(1, 3)); err != nil || len(mustLatest(t, r)) != 1 {
		t.Fatalf("after Reset: %v", err)
	}
}

// Latest may run while Append commits (the race detector checks): the
// reader sees the held or the new values, never a mix.
func TestStoreLatestDuringAppend(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, []byte("key-a"))
	if err := s.Append(batches(1, 2)); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir, []byte("key-a"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan map[string]Entry)
	go func() { l, _ := r.Latest(); done <- l }()
	if err := r.Append(batches(3, 4)); err != nil {
		t.Fatal(err)
	}
	if l := <-done; l["k"].Version != 2 && l["k"].Version != 4 {
		t.Fatalf("reader saw version %d of k", l["k"].Version)
	}
}
