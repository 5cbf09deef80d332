package replica

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// selfDescribeTag is CBOR tag 55799, which replicas put on certificates.
const selfDescribeTag = 55799

// Canister id range of the NNS subnet on mainnet (raw ids).
var (
	nnsRangeFrom = []byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 1}
	nnsRangeTo   = []byte{0, 0, 0, 0, 0, 0x0f, 0xff, 0xff, 1, 1}
	// rootSubnetAlias is the mainnet NNS subnet id agent-go v0.9.2 looks up
	// node keys under when a certificate has no delegation (query.go:57).
	rootSubnetAlias = principal.MustDecode(certification.RootSubnetID)
)

// staticTree holds the subtrees that never change for a network.
type staticTree struct {
	subnets *node // /subnet
	ranges  *node // /canister_ranges
}

// buildStatic builds /subnet and /canister_ranges. Both the real subnet id
// and the tdb26 alias carry the public key, canister ranges and node key, so
// agent-go's query verification finds the node key without a delegation.
func buildStatic(k *keys, hostedIDs []principal.Principal) (staticTree, error) {
	ranges := canisterRanges(hostedIDs)
	enc, err := cbor.Marshal(cbor.Tag{Number: selfDescribeTag, Content: ranges})
	if err != nil {
		return staticTree{}, fmt.Errorf("encode canister ranges: %w", err)
	}
	nodeKey := dir(labeled([]byte("public_key"), leafNode(k.nodeDER)))
	subnet := dir(
		labeled([]byte("canister_ranges"), leafNode(enc)),
		labeled([]byte("node"), dir(labeled(k.nodeID.Raw, nodeKey))),
		labeled([]byte("public_key"), leafNode(k.rootDER)),
	)
	shards := dir(labeled(ranges[0][0], leafNode(enc)))
	return staticTree{
		subnets: dir(labeled(k.subnet.Raw, subnet), labeled(rootSubnetAlias.Raw, subnet)),
		ranges:  dir(labeled(k.subnet.Raw, shards), labeled(rootSubnetAlias.Raw, shards)),
	}, nil
}

// canisterRanges returns the NNS subnet's range plus a singleton range for
// every hosted canister outside it, sorted.
func canisterRanges(ids []principal.Principal) [][2][]byte {
	out := [][2][]byte{{nnsRangeFrom, nnsRangeTo}}
	for _, id := range ids {
		if bytes.Compare(id.Raw, nnsRangeFrom) < 0 || bytes.Compare(id.Raw, nnsRangeTo) > 0 {
			out = append(out, [2][]byte{id.Raw, id.Raw})
		}
	}
	slices.SortFunc(out, func(a, b [2][]byte) int { return bytes.Compare(a[0], b[0]) })
	return slices.CompactFunc(out, func(a, b [2][]byte) bool { return bytes.Equal(a[0], b[0]) })
}

// snapshot is one certified state: the full tree, its BLS signature, and
// what it reflects.
type snapshot struct {
	root      *node
	sig       []byte
	version   uint64
	time      time.Time
	canisters [32]byte // hash of the /canister subtree
}

// snapshot builds and signs the current state tree.
func (s *Server) snapshot() (*snapshot, error) {
	statuses, version := s.history.statusDir()
	now := s.clock()
	cans, err := s.canisterDir()
	if err != nil {
		return nil, err
	}
	root := dir(
		labeled([]byte("canister"), cans),
		labeled([]byte("canister_ranges"), s.static.ranges),
		labeled([]byte("request_status"), statuses),
		labeled([]byte("subnet"), s.static.subnets),
		labeled([]byte("time"), leafNode(leb(uint64(now.UnixNano())))),
	)
	sig, err := s.keys.signRoot(root.hash)
	if err != nil {
		return nil, err
	}
	return &snapshot{root: root, sig: sig, version: version, time: now, canisters: cans.hash}, nil
}

// canisterDir builds /canister from the hosted canisters' certified data,
// module hashes and controllers.
func (s *Server) canisterDir() (*node, error) {
	var cans []child
	for _, h := range s.published {
		var kids []child
		if p, ok := h.c.(CertifiedDataProvider); ok {
			d := p.CertifiedData()
			if len(d) > 32 {
				d = d[:32]
			}
			kids = append(kids, labeled([]byte("certified_data"), leafNode(slices.Clone(d))))
		}
		if p, ok := h.c.(InfoProvider); ok {
			info, err := infoEdges(p)
			if err != nil {
				return nil, fmt.Errorf("canister %s: %w", h.id, err)
			}
			kids = append(kids, info...)
		}
		cans = append(cans, labeled(h.id.Raw, dir(kids...)))
	}
	return dir(cans...), nil
}

// infoEdges returns the module_hash and controllers edges of a canister.
func infoEdges(p InfoProvider) ([]child, error) {
	var kids []child
	if mh := p.ModuleHash(); mh != nil {
		kids = append(kids, labeled([]byte("module_hash"), leafNode(slices.Clone(mh))))
	}
	if cs := p.Controllers(); cs != nil {
		raw := make([][]byte, len(cs))
		for i, c := range cs {
			raw[i] = c.Raw
		}
		enc, err := cbor.Marshal(cbor.Tag{Number: selfDescribeTag, Content: raw})
		if err != nil {
			return nil, fmt.Errorf("encode controllers: %w", err)
		}
		kids = append(kids, labeled([]byte("controllers"), leafNode(enc)))
	}
	return kids, nil
}

// fresh reports whether snap may answer a read_state that arrived at history
// version v: it reflects v, its time is recent and the canisters' certified
// data, module hashes and controllers are current.
func (s *Server) fresh(snap *snapshot, v uint64) bool {
	if snap.version < v || s.clock().Sub(snap.time) > maxStateAge {
		return false
	}
	cans, err := s.canisterDir()
	return err == nil && cans.hash == snap.canisters
}

// certificate encodes a certificate revealing paths (and always /time).
func (snap *snapshot) certificate(paths [][][]byte) ([]byte, error) {
	paths = append(slices.Clip(paths), [][]byte{[]byte("time")})
	tree, err := hashtree.Serialize(snap.root.witness(paths))
	if err != nil {
		return nil, fmt.Errorf("encode certificate tree: %w", err)
	}
	return cbor.Marshal(cbor.Tag{Number: selfDescribeTag, Content: map[string]any{
		"tree":      cbor.RawMessage(tree),
		"signature": snap.sig,
	}})
}

// leb encodes a nat as unsigned LEB128.
func leb(v uint64) []byte {
	var buf [10]byte
	return leb128.AppendUnsignedUint64(buf[:0], v)
}

// certifier produces certified states in rounds. Waiters kick it and wait for
// the round after their change; everything that happened before a round
// starts shares its one BLS signature, as calls in one replica round do.
type certifier struct {
	build func() (*snapshot, error)
	kick  chan struct{}
	stop  chan struct{}
	wg    sync.WaitGroup

	rounds atomic.Uint64 // completed rounds, for benchmarks

	mu   sync.Mutex
	cur  *snapshot
	err  error
	next chan struct{} // closed when the next round ends
}

// newCertifier starts the certification loop.
func newCertifier(build func() (*snapshot, error)) *certifier {
	c := &certifier{build: build, kick: make(chan struct{}, 1), stop: make(chan struct{}), next: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// loop runs a round per kick until closed.
func (c *certifier) loop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
			c.round()
		}
	}
}

// round builds one certified state and wakes everyone waiting for it.
func (c *certifier) round() {
	c.mu.Lock()
	done := c.next
	c.next = make(chan struct{})
	c.mu.Unlock()
	snap, err := c.build()
	c.mu.Lock()
	if err == nil {
		c.cur = snap
	}
	c.err = err
	c.mu.Unlock()
	c.rounds.Add(1)
	close(done)
}

// await returns a certified state satisfying ok, running rounds as needed.
func (c *certifier) await(ok func(*snapshot) bool) (*snapshot, error) {
	for {
		c.mu.Lock()
		cur, next := c.cur, c.next
		c.mu.Unlock()
		if cur != nil && ok(cur) {
			return cur, nil
		}
		select {
		case c.kick <- struct{}{}:
		default:
		}
		select {
		case <-next:
		case <-c.stop:
			return nil, ErrClosed
		}
		c.mu.Lock()
		err := c.err
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// close stops the loop.
func (c *certifier) close() {
	close(c.stop)
	c.wg.Wait()
}
