package registrystore

import (
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
	if r.Version() != 5 || len(r.Latest()) != 0 {
		t.Fatalf("reopened at %d with %d keys", r.Version(), len(r.Latest()))
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
	if !errors.Is(err, ErrCorrupt) || other.Version() != 0 || len(other.Latest()) != 0 {
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
