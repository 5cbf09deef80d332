package governance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/registrystore"
)

// The decoded registry saved beside the snapshot reads back equal to the
// snapshot decoded; a damaged one is ignored and rewritten; one saved for
// an older registry version is never used once the registry moved on.
func TestRegistryDecodedCache(t *testing.T) {
	net, dev := startLocal(t)
	base := t.TempDir()
	ctx := testCtx(t)
	first := cachedClient(t, net, base)
	if _, err := first.Registry(ctx); err != nil { // syncs; nothing held to decode yet
		t.Fatal(err)
	}
	want, err := first.Registry(ctx) // decodes the held snapshot and saves it
	if err != nil {
		t.Fatal(err)
	}
	dir := RegistryCacheDir(base, first.RootKey())
	file := filepath.Join(dir, "derived-"+registryCacheName)
	st, err := registrystore.Open(dir, first.RootKey())
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := cachedRegistry(st, want.Version); !ok || !cmp.Equal(want, got) {
		t.Fatalf("saved decoded registry: ok=%v, diff (-decoded +saved):\n%s", ok, cmp.Diff(want, got))
	}
	if got, err := cachedClient(t, net, base).Registry(ctx); err != nil || !cmp.Equal(want, got) {
		t.Fatalf("warm read: %v, diff:\n%s", err, cmp.Diff(want, got))
	}

	damage(t, file)
	if _, ok := cachedRegistry(st, want.Version); ok {
		t.Fatal("a damaged decoded registry was read")
	}
	if got, err := cachedClient(t, net, base).Registry(ctx); err != nil || !cmp.Equal(want, got) {
		t.Fatalf("read over a damaged decoded registry: %v, diff:\n%s", err, cmp.Diff(want, got))
	}
	if _, ok := cachedRegistry(st, want.Version); !ok {
		t.Fatal("the damaged decoded registry was not rewritten")
	}

	if _, err := dev.MakeProposal(ctx, devNeuron, electRequest(t, "7777777777777777777777777777777777777777")); err != nil {
		t.Fatal(err)
	}
	moved, err := cachedClient(t, net, base).Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Version <= want.Version {
		t.Fatalf("registry at %d after an election, want past %d", moved.Version, want.Version)
	}
	if _, ok := moved.GuestOSByID("7777777777777777777777777777777777777777"); !ok {
		t.Fatal("the read after the registry moved on returned the saved older registry")
	}
	if _, ok := cachedRegistry(st, moved.Version); ok {
		t.Fatal("a store opened at the older version read a decoded registry of the newer one")
	}
}

// damage flips a byte near the end of file.
func damage(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-3] ^= 0x40
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
