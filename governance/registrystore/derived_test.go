package registrystore

import (
	"path/filepath"
	"testing"
)

// A derived file reads back for the snapshot it was written for, in this
// process and the next; not once the store commits a newer version, not
// after Reset, and never from an empty or in-memory store.
func TestDerivedFollowsTheSnapshot(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, []byte("key-a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteDerived("x", []byte("empty")); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.ReadDerived("x"); ok {
		t.Fatal("an empty store read a derived file")
	}
	if err := s.Append(batches(1, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteDerived("x", []byte("at 3")); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{s, mustOpen(t, dir)} {
		if got, ok := st.ReadDerived("x"); !ok || string(got) != "at 3" {
			t.Fatalf("derived at 3 = %q, %v", got, ok)
		}
	}
	if err := s.Append(batches(4, 4)); err != nil {
		t.Fatal(err)
	}
	if got, ok := mustOpen(t, dir).ReadDerived("x"); ok {
		t.Fatalf("a derived file of version 3 read at version 4: %q", got)
	}
	if err := s.WriteDerived("../escape", nil); err == nil {
		t.Fatal("a derived name with a path was accepted")
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, derivedPrefix+"*")); len(m) != 0 {
		t.Fatalf("Reset left derived files %v", m)
	}
	mem, _ := Open("", []byte("key-a"))
	_ = mem.Append(batches(1, 1))
	if err := mem.WriteDerived("x", []byte("m")); err != nil {
		t.Fatal(err)
	}
	if _, ok := mem.ReadDerived("x"); ok {
		t.Fatal("a store in memory read a derived file")
	}
}

func mustOpen(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, []byte("key-a"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
