package governance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"github.com/nnspatch/nnspatch/governance/registrystore"
	"google.golang.org/protobuf/proto"
)

// RegistryCacheDir returns the directory of the registry store of the
// network with rootKey under base: one directory per root key, so the store
// of one network is never read for another.
func RegistryCacheDir(base string, rootKey []byte) string {
	sum := sha256.Sum256(rootKey)
	return filepath.Join(base, hex.EncodeToString(sum[:16]))
}

// RegistrySyncStats reports what one sync moved.
type RegistrySyncStats struct {
	// From and To are the store's versions before and after.
	From, To uint64
	// Calls counts registry queries (certified pages and chunks).
	Calls int
	// Bytes counts the reply bytes of those queries.
	Bytes int64
	// Chunks counts chunks fetched with get_chunk.
	Chunks int
	// Rebuilt is why the cache was thrown away and rebuilt ("" if not).
	Rebuilt string
}

// RegistrySyncProgress is told the store's version and the registry's
// latest version after every committed page.
type RegistrySyncProgress func(version, latest uint64)

// registryCache is a Client's synced registry store and the changelog
// loaded from it on demand.
type registryCache struct {
	mu    sync.Mutex
	base  string
	store *registrystore.Store
	log   *RegistryLog
	// pageQuery runs get_certified_changes_since; nil means
	// certifiedQuery. Tests put a tampering proxy here.
	pageQuery func(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
}

// certifiedQuery runs a query whose reply carries its own certificate. The
// reply is trusted only through that certificate (verifyCertifiedChanges),
// so the node signatures are not checked: that saves the read_state of the
// subnet's node keys and a BLS verification on every warm read.
func (t *agentTransport) certifiedQuery(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	s, err := t.sign(agent.Request{Type: agent.RequestTypeQuery, CanisterID: canister, MethodName: method, Arguments: arg, Nonce: newNonce()})
	if err != nil {
		return nil, err
	}
	raw, err := t.client.Query(ctx, canister, s.envelope)
	if err != nil {
		return nil, t.transportError(err)
	}
	var resp agent.Response
	if err := cbor.Unmarshal(raw, &resp); err != nil {
		return nil, t.untrusted(fmt.Errorf("decode query response: %w", err))
	}
	return queryResult(&resp)
}

// RegistryStatus describes the client's registry store.
type RegistryStatus struct {
	registrystore.Status
}

// RegistryStatus opens the registry store without syncing and reports its
// version, size and last sync.
func (c *Client) RegistryStatus() (RegistryStatus, error) {
	c.reg.mu.Lock()
	defer c.reg.mu.Unlock()
	st, _, err := c.openStore()
	if err != nil {
		return RegistryStatus{}, err
	}
	return RegistryStatus{st.Status()}, nil
}

// openStore opens the store once; a corrupt one is reset and the reason
// returned.
func (c *Client) openStore() (*registrystore.Store, string, error) {
	if c.reg.store != nil {
		return c.reg.store, "", nil
	}
	dir := ""
	if c.reg.base != "" {
		dir = RegistryCacheDir(c.reg.base, c.RootKey())
	}
	st, err := registrystore.Open(dir, c.RootKey())
	if err != nil && !errors.Is(err, registrystore.ErrCorrupt) {
		// The cache directory is unusable (read-only home, full disk):
		// read the registry into memory instead; it is verified the same.
		st, err = registrystore.Open("", c.RootKey())
	}
	rebuilt := ""
	if errors.Is(err, registrystore.ErrCorrupt) {
		rebuilt = err.Error()
		err = st.Reset()
	}
	if err != nil {
		return nil, "", err
	}
	c.reg.store = st
	return st, rebuilt, nil
}

// SyncRegistry brings the registry store up to the registry's latest
// version, fetching only the versions it lacks with
// get_certified_changes_since. Every page is verified against the NNS
// certificate before it is written; a page that fails is an UntrustedError
// and writes nothing. Chunked values are fetched with get_chunk and checked
// against their hashes. A corrupt store is rebuilt from version 0.
func (c *Client) SyncRegistry(ctx context.Context, progress RegistrySyncProgress) (RegistrySyncStats, error) {
	c.reg.mu.Lock()
	defer c.reg.mu.Unlock()
	return c.syncLocked(ctx, progress)
}

func (c *Client) syncLocked(ctx context.Context, progress RegistrySyncProgress) (RegistrySyncStats, error) {
	st, rebuilt, err := c.openStore()
	if err != nil {
		return RegistrySyncStats{}, err
	}
	stats := RegistrySyncStats{From: st.Version(), Rebuilt: rebuilt}
	if rebuilt != "" {
		c.reg.log = nil
	}
	for range maxRegistryRounds {
		since := st.Version()
		batches, current, err := c.certifiedPage(ctx, since, &stats)
		if err != nil {
			return stats, err
		}
		err = st.Append(batches)
		if errors.Is(err, registrystore.ErrConcurrent) {
			// Another process committed first: continue from its copy.
			c.reg.store, c.reg.log = nil, nil
			if st, _, err = c.openStore(); err != nil {
				return stats, err
			}
			continue
		}
		if err != nil {
			return stats, err
		}
		c.extendLog(batches)
		stats.To = st.Version()
		if progress != nil {
			progress(st.Version(), current)
		}
		if st.Version() >= current {
			_ = st.MarkSynced(time.Now())
			return stats, nil
		}
		if len(batches) == 0 {
			return stats, c.at.untrusted(fmt.Errorf("registry certifies version %d but sent no version after %d", current, since))
		}
	}
	return stats, fmt.Errorf("sync registry: still behind after %d pages", maxRegistryRounds)
}

// certifiedPage reads and verifies one get_certified_changes_since page and
// resolves its chunked values.
func (c *Client) certifiedPage(ctx context.Context, since uint64, stats *RegistrySyncStats) ([]registrystore.Batch, uint64, error) {
	arg, err := proto.Marshal(&registrypb.RegistryGetChangesSinceRequest{Version: since})
	if err != nil {
		return nil, 0, fmt.Errorf("encode get_certified_changes_since: %w", err)
	}
	query := c.reg.pageQuery
	if query == nil {
		query = c.at.certifiedQuery
	}
	raw, err := query(ctx, RegistryCanister, "get_certified_changes_since", arg)
	if err != nil {
		return nil, 0, fmt.Errorf("read registry changes since %d: %w", since, err)
	}
	stats.Calls++
	stats.Bytes += int64(len(raw))
	leaves, current, err := c.verifyCertifiedChanges(raw, since)
	if err != nil {
		return nil, 0, c.at.untrusted(fmt.Errorf("registry changes since %d: %w", since, err))
	}
	batches := make([]registrystore.Batch, 0, len(leaves))
	for i, leaf := range leaves {
		b, err := c.resolveBatch(ctx, since+1+uint64(i), leaf, stats)
		if err != nil {
			return nil, 0, err
		}
		batches = append(batches, b)
	}
	return batches, current, nil
}

// verifyCertifiedChanges checks a CertifiedResponse: the certificate is
// signed by the network (through the NNS subnet's delegation if any), the
// registry's certified_data in it equals the root of the witness, and the
// revealed deltas are the versions since+1, since+2, ... in order. It
// returns the deltas' leaves and the certified current_version.
func (c *Client) verifyCertifiedChanges(raw []byte, since uint64) ([][]byte, uint64, error) {
	var resp registrypb.CertifiedResponse
	if err := proto.Unmarshal(raw, &resp); err != nil {
		return nil, 0, fmt.Errorf("decode certified response: %w", err)
	}
	root, err := hashTreeNode(resp.GetHashTree(), 0)
	if err != nil {
		return nil, 0, err
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(resp.GetCertificate(), &cert); err != nil {
		return nil, 0, fmt.Errorf("decode certificate: %w", err)
	}
	digest := root.Reconstruct()
	if err := certification.VerifyCertifiedData(cert, RegistryCanister, c.RootKey(), digest[:]); err != nil {
		return nil, 0, fmt.Errorf("verify certified data: %w", err)
	}
	if err := cert.VerifyTime(c.Expiry); err != nil {
		return nil, 0, fmt.Errorf("verify certificate time: %w", err)
	}
	cur, err := hashtree.Lookup(root, hashtree.Label("current_version"))
	if err != nil {
		return nil, 0, fmt.Errorf("certified tree has no current_version: %w", err)
	}
	current, err := leb128.DecodeUnsigned(bytes.NewReader(cur))
	if err != nil || !current.IsUint64() {
		return nil, 0, fmt.Errorf("certified current_version does not decode")
	}
	leaves, err := deltaLeaves(root, since)
	if err != nil {
		return nil, 0, err
	}
	return leaves, current.Uint64(), nil
}

// deltaLeaves returns the leaves under delta in version order, checking
// that they are since+1, since+2, ...
func deltaLeaves(root hashtree.Node, since uint64) ([][]byte, error) {
	sub, err := hashtree.LookupSubTree(root, hashtree.Label("delta"))
	if err != nil {
		return nil, fmt.Errorf("certified tree has no delta: %w", err)
	}
	children, err := hashtree.AllChildren(sub)
	if err != nil {
		return nil, err
	}
	leaves := make([][]byte, 0, len(children))
	for i, ch := range children {
		leaf, ok := ch.Value.(hashtree.Leaf)
		if len(ch.Path) != 1 || len(ch.Path[0]) != 8 || !ok {
			return nil, fmt.Errorf("certified delta %d is not a version leaf", i)
		}
		if v := binary.BigEndian.Uint64(ch.Path[0]); v != since+1+uint64(i) {
			return nil, fmt.Errorf("certified delta holds version %d where %d belongs", v, since+1+uint64(i))
		}
		leaves = append(leaves, leaf)
	}
	return leaves, nil
}

// maxTreeDepth bounds the recursion over a witness from the network.
const maxTreeDepth = 128

// hashTreeNode converts a protobuf MixedHashTree into agent-go's hash tree.
func hashTreeNode(t *registrypb.MixedHashTree, depth int) (hashtree.Node, error) {
	if depth > maxTreeDepth {
		return nil, errors.New("certified tree is too deep")
	}
	switch n := t.GetTreeEnum().(type) {
	case *registrypb.MixedHashTree_Empty:
		return hashtree.Empty{}, nil
	case *registrypb.MixedHashTree_LeafData:
		return hashtree.Leaf(n.LeafData), nil
	case *registrypb.MixedHashTree_PrunedDigest:
		if len(n.PrunedDigest) != sha256.Size {
			return nil, errors.New("certified tree has a malformed pruned digest")
		}
		return hashtree.Pruned([32]byte(n.PrunedDigest)), nil
	case *registrypb.MixedHashTree_Labeled_:
		sub, err := hashTreeNode(n.Labeled.GetSubtree(), depth+1)
		if err != nil {
			return nil, err
		}
		return hashtree.Labeled{Label: n.Labeled.GetLabel(), Tree: sub}, nil
	case *registrypb.MixedHashTree_Fork_:
		l, err := hashTreeNode(n.Fork.GetLeftTree(), depth+1)
		if err != nil {
			return nil, err
		}
		r, err := hashTreeNode(n.Fork.GetRightTree(), depth+1)
		if err != nil {
			return nil, err
		}
		return hashtree.Fork{LeftTree: l, RightTree: r}, nil
	}
	return nil, errors.New("certified tree has an empty node")
}

// resolveBatch decodes one certified leaf (a
// HighCapacityRegistryAtomicMutateRequest) into a batch, fetching chunked
// values.
func (c *Client) resolveBatch(ctx context.Context, version uint64, leaf []byte, stats *RegistrySyncStats) (registrystore.Batch, error) {
	var req registrypb.HighCapacityRegistryAtomicMutateRequest
	if err := proto.Unmarshal(leaf, &req); err != nil {
		return registrystore.Batch{}, c.at.untrusted(fmt.Errorf("decode registry version %d: %w", version, err))
	}
	b := registrystore.Batch{Version: version, TimeNanos: req.GetTimestampNanoseconds()}
	for _, m := range req.GetMutations() {
		mu := registrystore.Mutation{Key: string(m.GetKey())}
		switch {
		case m.GetMutationType() == registrypb.RegistryMutation_DELETE:
			mu.Deleted = true
		case m.GetLargeValueChunkKeys() != nil:
			val, err := c.fetchChunks(ctx, m.GetLargeValueChunkKeys().GetChunkContentSha256S(), stats)
			if err != nil {
				return registrystore.Batch{}, fmt.Errorf("registry key %s at version %d: %w", mu.Key, version, err)
			}
			mu.Value = val
		default:
			mu.Value = m.GetValue()
		}
		b.Mutations = append(b.Mutations, mu)
	}
	return b, nil
}

// getChunkResult is get_chunk's Candid reply.
type getChunkResult struct {
	Ok *struct {
		Content *[]byte `ic:"content,omitempty"`
	} `ic:"Ok,variant"`
	Err *string `ic:"Err,variant"`
}

// fetchChunks fetches a chunked value's chunks in order and checks each
// against its certified SHA-256.
func (c *Client) fetchChunks(ctx context.Context, hashes [][]byte, stats *RegistrySyncStats) ([]byte, error) {
	var out []byte
	for _, h := range hashes {
		arg, err := candid.Marshal([]any{struct {
			ContentSHA256 *[]byte `ic:"content_sha256,omitempty"`
		}{&h}})
		if err != nil {
			return nil, fmt.Errorf("encode get_chunk: %w", err)
		}
		raw, err := c.t.query(ctx, RegistryCanister, "get_chunk", arg)
		if err != nil {
			return nil, fmt.Errorf("get_chunk %x: %w", h, err)
		}
		stats.Calls++
		stats.Chunks++
		stats.Bytes += int64(len(raw))
		var res getChunkResult
		if err := unmarshalReply("get_chunk", raw, []any{&res}); err != nil {
			return nil, err
		}
		switch {
		case res.Err != nil:
			return nil, &RejectedError{Message: Sanitize("get_chunk: " + *res.Err)}
		case res.Ok == nil || res.Ok.Content == nil:
			return nil, c.at.untrusted(fmt.Errorf("get_chunk %x answered no content", h))
		}
		if sum := sha256.Sum256(*res.Ok.Content); !bytes.Equal(sum[:], h) {
			return nil, c.at.untrusted(fmt.Errorf("chunk %x has SHA-256 %x", h, sum))
		}
		out = append(out, *res.Ok.Content...)
	}
	return out, nil
}

// extendLog adds synced batches to the loaded changelog, if one is loaded.
func (c *Client) extendLog(batches []registrystore.Batch) {
	if c.reg.log == nil {
		return
	}
	for _, b := range batches {
		c.reg.log.Apply(b.Version, changesOf(b)...)
	}
}

// changesOf converts a stored batch into log changes.
func changesOf(b registrystore.Batch) []RegistryChange {
	out := make([]RegistryChange, 0, len(b.Mutations))
	var at time.Time
	if b.TimeNanos != 0 {
		at = time.Unix(0, int64(b.TimeNanos)).UTC()
	}
	for _, m := range b.Mutations {
		out = append(out, RegistryChange{Key: m.Key, Version: b.Version, Value: m.Value, Deleted: m.Deleted, Time: at})
	}
	return out
}

// syncedLog syncs and returns a copy of the changelog, loading it from the
// store the first time.
func (c *Client) syncedLog(ctx context.Context) (*RegistryLog, error) {
	c.reg.mu.Lock()
	defer c.reg.mu.Unlock()
	log, err := c.logLocked(ctx)
	if err != nil {
		return nil, err
	}
	return log.clone(), nil
}

// logLocked syncs and returns the loaded changelog. A changelog that turns
// out damaged is reset and rebuilt from the network, never trusted.
func (c *Client) logLocked(ctx context.Context) (*RegistryLog, error) {
	if _, err := c.syncLocked(ctx, nil); err != nil {
		return nil, err
	}
	if c.reg.log != nil {
		return c.reg.log, nil
	}
	log, err := c.readLog()
	if errors.Is(err, registrystore.ErrCorrupt) {
		if err := c.reg.store.Reset(); err != nil {
			return nil, err
		}
		if _, err := c.syncLocked(ctx, nil); err != nil {
			return nil, err
		}
		log, err = c.readLog()
	}
	if err != nil {
		return nil, err
	}
	c.reg.log = log
	return log, nil
}

// readLog reads the store's changelog into a log.
func (c *Client) readLog() (*RegistryLog, error) {
	log := NewRegistryLog()
	err := c.reg.store.ReadLog(func(b registrystore.Batch) error {
		log.Apply(b.Version, changesOf(b)...)
		return nil
	})
	return log, err
}

// changesSinceLocal answers get_changes_since from the synced store. It
// syncs when a reader starts over (since 0) or has read everything the
// store holds.
func (c *Client) changesSinceLocal(ctx context.Context, since uint64) (*v1.RegistryGetChangesSinceResponse, error) {
	c.reg.mu.Lock()
	defer c.reg.mu.Unlock()
	log := c.reg.log
	if log == nil || since == 0 || since >= log.Latest() {
		var err error
		if log, err = c.logLocked(ctx); err != nil {
			return nil, err
		}
	}
	return changesPage(log, since), nil
}

// changesPage answers get_changes_since from the synced log: the values of
// every key written in (since, since+1000], newest first, keys in byte
// order, and the latest version.
func changesPage(log *RegistryLog, since uint64) *v1.RegistryGetChangesSinceResponse {
	upTo := min(log.Latest(), since+1000)
	resp := &v1.RegistryGetChangesSinceResponse{Version: log.Latest()}
	keys := make([]string, 0, len(log.keys))
	for k := range log.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		hist := log.keys[k]
		var vals []*v1.RegistryValue
		for i := len(hist) - 1; i >= 0; i-- {
			ch := hist[i]
			if ch.Version > upTo {
				continue
			}
			if ch.Version <= since {
				break
			}
			vals = append(vals, &v1.RegistryValue{Version: ch.Version, Value: ch.Value, DeletionMarker: ch.Deleted})
		}
		if len(vals) > 0 {
			resp.Deltas = append(resp.Deltas, &v1.RegistryDelta{Key: []byte(k), Values: vals})
		}
	}
	return resp
}
