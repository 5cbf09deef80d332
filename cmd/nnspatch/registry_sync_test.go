package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// `registry sync` fills the cache under the user cache dir with progress on
// stderr, `registry status` reports it, a second sync fetches nothing, and
// `subnets` reads the same registry version from it.
func TestRegistrySyncAndStatus(t *testing.T) {
	seed := localnet.DefaultSeed()
	seed.Registry = &localnet.RegistrySeed{Versions: 1500}
	_, flags := cliNet(t, localnettest.WithSeed(seed))
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)

	r := run(t, flags, "registry", "status", "--json")
	var st jsonout.RegistryStatus
	if r.Code != ExitOK || json.Unmarshal([]byte(r.Stdout), &st) != nil || st.RegistryVersion != 0 || st.LastSync != nil {
		t.Fatalf("status before a sync: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}

	r = run(t, flags, "registry", "sync", "--json")
	var sync jsonout.RegistrySync
	if r.Code != ExitOK || json.Unmarshal([]byte(r.Stdout), &sync) != nil {
		t.Fatalf("sync: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
	if sync.From != 0 || sync.RegistryVersion != 1500 || sync.Calls != 2 || sync.Bytes == 0 {
		t.Fatalf("first sync %+v; want 0 -> 1500 in 2 pages", sync)
	}
	if !strings.Contains(r.Stderr, "registry: version 1500 of 1500") {
		t.Errorf("no progress on stderr: %q", r.Stderr)
	}

	r = run(t, flags, "registry", "sync", "--json")
	if r.Code != ExitOK || json.Unmarshal([]byte(r.Stdout), &sync) != nil || sync.From != 1500 || sync.Calls != 1 {
		t.Fatalf("second sync: %d %q", r.Code, r.Stdout)
	}

	r = run(t, flags, "registry", "status", "--json")
	if r.Code != ExitOK || json.Unmarshal([]byte(r.Stdout), &st) != nil {
		t.Fatalf("status: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
	if st.RegistryVersion != 1500 || st.Bytes == 0 || st.LastSync == nil || !strings.HasPrefix(st.Dir, filepath.Join(cache, "nnspatch", "registry")) {
		t.Fatalf("status %+v", st)
	}
	if _, err := os.Stat(filepath.Join(st.Dir, "snapshot.bin")); err != nil {
		t.Fatal(err)
	}

	r = run(t, flags, "subnets", "--json")
	var subnets jsonout.Subnets
	if r.Code != ExitOK || json.Unmarshal([]byte(r.Stdout), &subnets) != nil || subnets.RegistryVersion != 1500 || len(subnets.Subnets) == 0 {
		t.Fatalf("subnets from the cache: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}

	r = run(t, flags, "registry", "status")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "version:   1500") {
		t.Fatalf("status text: %q", r.Stdout)
	}
}
