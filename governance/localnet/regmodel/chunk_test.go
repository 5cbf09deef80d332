package regmodel_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// chunkReply is get_chunk's reply as a client decodes it.
type chunkReply struct {
	Ok *struct {
		Content *[]byte `ic:"content,omitempty"`
	} `ic:"Ok,variant"`
	Err *string `ic:"Err,variant"`
}

// getChunk calls get_chunk with hash.
func getChunk(t *testing.T, r *regmodel.Registry, hash []byte) chunkReply {
	t.Helper()
	arg, err := candid.Marshal([]any{struct {
		ContentSHA256 *[]byte `ic:"content_sha256,omitempty"`
	}{&hash}})
	if err != nil {
		t.Fatal(err)
	}
	if kind, ok := r.Method("get_chunk"); !ok || kind != replica.Query {
		t.Fatalf("get_chunk is not a query method")
	}
	reply, rej := r.Execute(replica.Call{Method: "get_chunk", Arg: arg})
	if rej != nil {
		t.Fatalf("get_chunk rejected: %+v", rej)
	}
	var out chunkReply
	if err := candid.Unmarshal(reply, []any{&out}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A value at or above ChunkAbove is answered as chunk keys by get_value and
// get_changes_since; get_chunk returns chunks whose concatenation is the
// value; an unknown hash is an Err.
func TestChunkedValueRoundTrips(t *testing.T) {
	plain := newRegistry(t, testSeed())
	seed := testSeed()
	seed.ChunkAbove, seed.ChunkSize = 40, 16
	r := newRegistry(t, seed)
	key := "subnet_record_" + appSubnet.String()
	want := mustValue(t, plain, key, 0)
	if len(want) < 40 {
		t.Fatalf("test value has %d bytes; below the threshold", len(want))
	}
	var resp registrypb.HighCapacityRegistryGetValueResponse
	query(t, r, "get_value", &registrypb.RegistryGetValueRequest{Key: []byte(key)}, &resp)
	keys := resp.GetLargeValueChunkKeys().GetChunkContentSha256S()
	if len(keys) != (len(want)+15)/16 || resp.GetValue() != nil {
		t.Fatalf("get_value: %d chunk keys, inline %x; want %d keys", len(keys), resp.GetValue(), (len(want)+15)/16)
	}
	var got []byte
	for _, h := range keys {
		c := getChunk(t, r, h)
		if c.Ok == nil || c.Ok.Content == nil {
			t.Fatalf("get_chunk %x: %+v", h, c)
		}
		if sum := sha256.Sum256(*c.Ok.Content); !bytes.Equal(sum[:], h) {
			t.Fatalf("chunk %x has hash %x", h, sum)
		}
		got = append(got, *c.Ok.Content...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("chunks concatenate to %x; want %x", got, want)
	}
	var changes registrypb.HighCapacityRegistryGetChangesSinceResponse
	query(t, r, "get_changes_since", &registrypb.RegistryGetChangesSinceRequest{}, &changes)
	for _, d := range changes.GetDeltas() {
		if string(d.GetKey()) == key && d.GetValues()[0].GetLargeValueChunkKeys() == nil {
			t.Fatalf("get_changes_since answered %s inline", key)
		}
	}
	if c := getChunk(t, r, make([]byte, 32)); c.Err == nil {
		t.Fatalf("get_chunk of an unknown hash answered %+v", c)
	}
}

// Certified deltas are HighCapacityRegistryAtomicMutateRequest leaves with
// the batch time and chunk keys for large values.
func TestCertifiedLeafIsHighCapacity(t *testing.T) {
	seed := testSeed()
	seed.ChunkAbove = 40
	r := newRegistry(t, seed)
	var resp registrypb.CertifiedResponse
	if err := proto.Unmarshal(certifiedChanges(t, r, 0), &resp); err != nil {
		t.Fatal(err)
	}
	leaf := firstLeafData(resp.GetHashTree())
	var batch registrypb.HighCapacityRegistryAtomicMutateRequest
	if err := proto.Unmarshal(leaf, &batch); err != nil {
		t.Fatal(err)
	}
	if batch.GetTimestampNanoseconds() != uint64(genesis.UnixNano()) {
		t.Errorf("timestamp_nanoseconds = %d; want genesis %d", batch.GetTimestampNanoseconds(), genesis.UnixNano())
	}
	chunked := 0
	for _, m := range batch.GetMutations() {
		if m.GetLargeValueChunkKeys() != nil {
			chunked++
		}
	}
	if chunked == 0 {
		t.Error("no mutation of the genesis batch is chunked")
	}
}

// firstLeafData returns the first leaf under a labeled version node.
func firstLeafData(n *registrypb.MixedHashTree) []byte {
	switch x := n.GetTreeEnum().(type) {
	case *registrypb.MixedHashTree_Fork_:
		if b := firstLeafData(x.Fork.GetLeftTree()); b != nil {
			return b
		}
		return firstLeafData(x.Fork.GetRightTree())
	case *registrypb.MixedHashTree_Labeled_:
		if len(x.Labeled.GetLabel()) == 8 {
			return x.Labeled.GetSubtree().GetLeafData()
		}
		return firstLeafData(x.Labeled.GetSubtree())
	}
	return nil
}

// Pages stop at PageBytes of encoded batches (but carry at least one
// version) as well as at PageSize versions; ExtraVersions lengthens the
// registry without changing any value.
func TestPagesCappedByBytes(t *testing.T) {
	seed := testSeed()
	seed.ExtraVersions = 30
	seed.PageBytes = 1
	r := newRegistry(t, seed)
	if r.Version() != 31 {
		t.Fatalf("version %d; want 31", r.Version())
	}
	var one registrypb.HighCapacityRegistryGetChangesSinceResponse
	query(t, r, "get_changes_since", &registrypb.RegistryGetChangesSinceRequest{Version: 3}, &one)
	if n := versionsIn(&one); n != 1 {
		t.Fatalf("page with PageBytes 1 covers %d versions; want 1", n)
	}
	seed.PageBytes, seed.PageSize = 0, 10
	r = newRegistry(t, seed)
	var ten registrypb.HighCapacityRegistryGetChangesSinceResponse
	query(t, r, "get_changes_since", &registrypb.RegistryGetChangesSinceRequest{Version: 3}, &ten)
	if n := versionsIn(&ten); n != 10 {
		t.Fatalf("page covers %d versions; want 10", n)
	}
	plain := newRegistry(t, testSeed())
	for _, key := range []string{"subnet_list", "node_record_" + node1.String()} {
		if !bytes.Equal(mustValue(t, r, key, 0), mustValue(t, plain, key, 0)) {
			t.Errorf("%s changed by extra versions", key)
		}
	}
}

// versionsIn counts the distinct versions of a changes page.
func versionsIn(resp *registrypb.HighCapacityRegistryGetChangesSinceResponse) int {
	seen := map[uint64]bool{}
	for _, d := range resp.GetDeltas() {
		for _, v := range d.GetValues() {
			seen[v.GetVersion()] = true
		}
	}
	return len(seen)
}
