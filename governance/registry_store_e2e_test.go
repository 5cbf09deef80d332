package governance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// startRegistry starts a local network whose registry starts at versions
// and chunks values from chunkAbove bytes (0: the registry's default).
func startRegistry(t *testing.T, versions, chunkAbove int) *localnet.Network {
	t.Helper()
	seed := localnet.DefaultSeed()
	seed.Registry = &localnet.RegistrySeed{Versions: versions, ChunkAboveBytes: chunkAbove}
	net, _ := startLocal(t, localnettest.WithSeed(seed))
	return net
}

// cachedClient connects anonymously with the registry store under base.
func cachedClient(t *testing.T, net *localnet.Network, base string) *Client {
	t.Helper()
	c, err := New(testCtx(t), Network{Name: "local", URL: net.URL(), FetchRootKey: true}, nil, Options{RegistryCache: base})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tamperTransport sits between the client and the network and rewrites
// get_certified_changes_since replies, as a compromised path to the
// registry would; failAfter > 0 makes the calls after that many fail.
type tamperTransport struct {
	inner     func(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
	calls     int
	failAfter int
	edit      func(t *registrypb.CertifiedResponse)
}

// proxy routes c's certified registry pages through p.
func proxy(c *Client, p *tamperTransport) {
	p.inner = c.at.certifiedQuery
	c.reg.pageQuery = p.query
}

var errCut = errors.New("connection cut by the test")

func (p *tamperTransport) query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	raw, err := p.inner(ctx, canister, method, arg)
	if err != nil || method != "get_certified_changes_since" {
		return raw, err
	}
	p.calls++
	if p.failAfter > 0 && p.calls > p.failAfter {
		return nil, errCut
	}
	if p.edit == nil {
		return raw, nil
	}
	var resp registrypb.CertifiedResponse
	if err := proto.Unmarshal(raw, &resp); err != nil {
		return nil, err
	}
	p.edit(&resp)
	return proto.Marshal(&resp)
}

// firstDelta returns the labeled node of the lowest version revealed under
// delta, and the fork holding it with a setter that replaces it.
func firstDelta(tree *registrypb.MixedHashTree) (leaf *registrypb.MixedHashTree, replace func(*registrypb.MixedHashTree)) {
	var walk func(n *registrypb.MixedHashTree, set func(*registrypb.MixedHashTree)) bool
	walk = func(n *registrypb.MixedHashTree, set func(*registrypb.MixedHashTree)) bool {
		switch x := n.GetTreeEnum().(type) {
		case *registrypb.MixedHashTree_Fork_:
			return walk(x.Fork.LeftTree, func(m *registrypb.MixedHashTree) { x.Fork.LeftTree = m }) ||
				walk(x.Fork.RightTree, func(m *registrypb.MixedHashTree) { x.Fork.RightTree = m })
		case *registrypb.MixedHashTree_Labeled_:
			if len(x.Labeled.Label) == 8 {
				leaf, replace = n, set
				return true
			}
			return walk(x.Labeled.Subtree, func(m *registrypb.MixedHashTree) { x.Labeled.Subtree = m })
		}
		return false
	}
	walk(tree, nil)
	return leaf, replace
}

// A first sync fetches every version in certified pages; a second client on
// the same cache fetches nothing but the certified latest page, and both
// read the same registry and changelog.
func TestRegistryStoreSyncsOnlyWhatItLacks(t *testing.T) {
	net := startRegistry(t, 2500, 0)
	base := t.TempDir()
	ctx := testCtx(t)
	first := cachedClient(t, net, base)
	stats, err := first.SyncRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.From != 0 || stats.To != 2500 || stats.Calls != 3 {
		t.Fatalf("first sync %+v; want 0 -> 2500 in 3 pages", stats)
	}
	want, err := first.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second := cachedClient(t, net, base)
	stats, err = second.SyncRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.From != 2500 || stats.To != 2500 || stats.Calls != 1 {
		t.Fatalf("warm sync %+v; want 2500 -> 2500 in 1 call", stats)
	}
	got, err := second.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("warm registry differs (-first +second):\n%s", d)
	}
	log, err := second.RegistryLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fromLog, err := log.Registry()
	if err != nil {
		t.Fatal(err)
	}
	if log.Latest() != 2500 || !cmp.Equal(fromLog, got) {
		t.Fatalf("log at %d decodes to a different registry", log.Latest())
	}
	page, err := second.ChangesSince(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if page.Version != 2500 || len(page.Deltas) == 0 {
		t.Fatalf("ChangesSince(1000) = version %d, %d deltas", page.Version, len(page.Deltas))
	}
	st, err := second.RegistryStatus()
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != 2500 || st.Bytes == 0 || st.LastSync.IsZero() || st.Dir != RegistryCacheDir(base, second.RootKey()) {
		t.Fatalf("status %+v", st)
	}
}

// A sync cut off after two pages keeps those pages; the next sync resumes
// from there, also past bytes a torn commit left at the changelog's end.
func TestRegistrySyncResumesAfterInterruption(t *testing.T) {
	net := startRegistry(t, 2500, 0)
	base := t.TempDir()
	ctx := testCtx(t)
	c := cachedClient(t, net, base)
	proxy(c, &tamperTransport{failAfter: 2})
	if _, err := c.SyncRegistry(ctx, nil); !errors.Is(err, errCut) {
		t.Fatalf("cut sync: err = %v", err)
	}
	st, err := cachedClient(t, net, base).RegistryStatus()
	if err != nil || st.Version != 2000 {
		t.Fatalf("after the cut: status %+v, err %v; want version 2000", st, err)
	}
	f, err := os.OpenFile(filepath.Join(st.Dir, "changelog.bin"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{0, 0, 1, 0, 9, 9}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	resumed := cachedClient(t, net, base)
	stats, err := resumed.SyncRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.From != 2000 || stats.To != 2500 || stats.Calls != 1 || stats.Rebuilt != "" {
		t.Fatalf("resumed sync %+v; want 2000 -> 2500 in 1 call", stats)
	}
	log, err := resumed.RegistryLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if log.Latest() != 2500 {
		t.Fatalf("log latest %d", log.Latest())
	}
}

// A page whose delta was altered, or whose first version was hidden behind
// a pruned digest, is refused as untrusted and nothing is written.
func TestRegistrySyncRejectsTamperedDelta(t *testing.T) {
	net := startRegistry(t, 10, 0)
	tests := map[string]func(*registrypb.CertifiedResponse){
		"altered value": func(r *registrypb.CertifiedResponse) {
			leaf, _ := firstDelta(r.HashTree)
			data := leaf.GetLabeled().Subtree.GetLeafData()
			data[len(data)-1] ^= 1
		},
		"hidden version": func(r *registrypb.CertifiedResponse) {
			leaf, replace := firstDelta(r.HashTree)
			n, err := hashTreeNode(leaf, 0)
			if err != nil {
				panic(err)
			}
			h := n.Reconstruct()
			replace(&registrypb.MixedHashTree{TreeEnum: &registrypb.MixedHashTree_PrunedDigest{PrunedDigest: h[:]}})
		},
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			c := cachedClient(t, net, base)
			proxy(c, &tamperTransport{edit: edit})
			_, err := c.SyncRegistry(testCtx(t), nil)
			var untrusted *UntrustedError
			if !errors.As(err, &untrusted) {
				t.Fatalf("err = %v; want an UntrustedError", err)
			}
			if _, err := os.Stat(filepath.Join(RegistryCacheDir(base, c.RootKey()), "snapshot.bin")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("snapshot written after a refused page (stat err %v)", err)
			}
			if st, _ := cachedClient(t, net, base).RegistryStatus(); st.Version != 0 {
				t.Fatalf("store at version %d after a refused page", st.Version)
			}
		})
	}
}

// Values at or above the chunking threshold arrive as chunk keys, are
// fetched with get_chunk and decode to the same registry as inline values.
func TestRegistryChunkedValueRoundTrips(t *testing.T) {
	ctx := testCtx(t)
	plain := cachedClient(t, startRegistry(t, 1, 0), t.TempDir())
	want, err := plain.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chunked := cachedClient(t, startRegistry(t, 1, 64), t.TempDir())
	stats, err := chunked.SyncRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Chunks == 0 {
		t.Fatal("no chunk was fetched; the seed's threshold did not chunk any value")
	}
	got, err := chunked.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("chunked registry differs (-inline +chunked):\n%s", d)
	}
}

// A damaged snapshot or changelog is detected and rebuilt from the network,
// never read.
func TestRegistryCacheCorruptIsRebuilt(t *testing.T) {
	net := startRegistry(t, 1200, 0)
	base := t.TempDir()
	ctx := testCtx(t)
	c := cachedClient(t, net, base)
	want, err := c.RegistryLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := RegistryCacheDir(base, c.RootKey())
	flip := func(name string, at func(size int) int) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b[at(len(b))] ^= 0x40
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	flip("snapshot.bin", func(n int) int { return n - 3 })
	stats, err := cachedClient(t, net, base).SyncRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rebuilt == "" || stats.From != 0 || stats.To != 1200 {
		t.Fatalf("sync over a damaged snapshot: %+v; want a rebuild from 0", stats)
	}

	flip("changelog.bin", func(n int) int { return n / 2 })
	got, err := cachedClient(t, net, base).RegistryLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(want.Snapshot(1200), got.Snapshot(1200)) || !cmp.Equal(want.History(keySubnetList), got.History(keySubnetList)) {
		t.Fatal("log read over a damaged changelog differs from the network's")
	}
}

// Two networks with different root keys never share a store directory.
func TestRegistryStoreIsPerRootKey(t *testing.T) {
	a := cachedClient(t, startRegistry(t, 1, 0), t.TempDir())
	seed := localnet.DefaultSeed()
	seed.Name = "other"
	other, _ := startLocal(t, localnettest.WithSeed(seed))
	b := cachedClient(t, other, t.TempDir())
	if string(a.RootKey()) == string(b.RootKey()) {
		t.Fatal("the two seeds share a root key")
	}
	if RegistryCacheDir("/c", a.RootKey()) == RegistryCacheDir("/c", b.RootKey()) {
		t.Fatal("two root keys map to one cache directory")
	}
}

// A client whose store another process moved on meanwhile continues from
// the other process's commit instead of overwriting it.
func TestRegistrySyncAfterAnotherProcessCommitted(t *testing.T) {
	net := startRegistry(t, 2500, 0)
	base := t.TempDir()
	ctx := testCtx(t)
	slow := cachedClient(t, net, base)
	proxy(slow, &tamperTransport{failAfter: 1})
	if _, err := slow.SyncRegistry(ctx, nil); !errors.Is(err, errCut) {
		t.Fatalf("cut sync: %v", err)
	}
	if _, err := cachedClient(t, net, base).SyncRegistry(ctx, nil); err != nil {
		t.Fatal(err)
	}
	slow.reg.pageQuery = nil
	stats, err := slow.SyncRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.To != 2500 {
		t.Fatalf("sync after a concurrent commit: %+v", stats)
	}
	log, err := slow.RegistryLog(ctx)
	if err != nil || log.Latest() != 2500 {
		t.Fatalf("log after a concurrent commit: %v", err)
	}
}

// chunkTamper flips the last byte of every get_chunk reply after the
// reply's signatures were checked: the chunk no longer matches its hash.
type chunkTamper struct{ transport }

func (p chunkTamper) query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	raw, err := p.transport.query(ctx, canister, method, arg)
	if err == nil && method == "get_chunk" && len(raw) > 0 {
		raw = append([]byte{}, raw...)
		raw[len(raw)-1] ^= 1
	}
	return raw, err
}

// A chunk that does not match its certified SHA-256 is refused and nothing
// is written.
func TestRegistrySyncRejectsWrongChunk(t *testing.T) {
	net := startRegistry(t, 1, 64)
	base := t.TempDir()
	c := cachedClient(t, net, base)
	c.t = chunkTamper{c.t}
	_, err := c.SyncRegistry(testCtx(t), nil)
	var untrusted *UntrustedError
	if !errors.As(err, &untrusted) || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("err = %v; want an UntrustedError about the chunk's SHA-256", err)
	}
	if st, _ := cachedClient(t, net, base).RegistryStatus(); st.Version != 0 {
		t.Fatalf("store at version %d after a refused chunk", st.Version)
	}
}

// An unusable cache directory falls back to a registry kept in memory.
func TestRegistryUnusableCacheFallsBackToMemory(t *testing.T) {
	net := startRegistry(t, 1, 0)
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := cachedClient(t, net, file)
	reg, err := c.Registry(testCtx(t))
	if err != nil || len(reg.Subnets) == 0 {
		t.Fatalf("registry with an unusable cache dir: %v", err)
	}
	if st, _ := c.RegistryStatus(); st.Dir != "" || st.Version != 1 {
		t.Fatalf("status %+v; want a store in memory at version 1", st)
	}
}
