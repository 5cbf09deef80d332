package regmodel_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/bls"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/clients/registry"
	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/aviate-labs/agent-go/principal"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/fxamacker/cbor/v2"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"google.golang.org/protobuf/proto"
)

// testCertifier returns a CertificateFunc that signs a state tree holding the
// registry's certified data with a fresh BLS root key, and that key in DER.
// It stands in for the replica's certification of /canister/<id>/certified_data.
func testCertifier(t *testing.T) (regmodel.CertificateFunc, []byte) {
	t.Helper()
	sk := bls.NewSecretKeyByCSPRNG()
	pk := (*bls12381.G2Affine)(sk.PublicKey()).Bytes()
	der, err := certification.PublicBLSKeyToDER(pk[:])
	if err != nil {
		t.Fatal(err)
	}
	return func(data []byte) ([]byte, error) {
		tree := hashtree.NewHashTree(hashtree.Fork{
			LeftTree: hashtree.Labeled{Label: hashtree.Label("canister"), Tree: hashtree.Labeled{
				Label: regmodel.CanisterID.Raw,
				Tree:  hashtree.Labeled{Label: hashtree.Label("certified_data"), Tree: hashtree.Leaf(data)},
			}},
			RightTree: hashtree.Labeled{Label: hashtree.Label("time"), Tree: hashtree.Leaf{0x01}},
		})
		root := tree.Digest()
		sig, err := sk.Sign(append(hashtree.DomainSeparator("ic-state-root"), root[:]...))
		if err != nil {
			return nil, err
		}
		sb := (*bls12381.G1Affine)(sig).Bytes()
		return cbor.Marshal(certification.Certificate{Tree: tree, Signature: sb[:]})
	}, der
}

// record is one change read from a certified answer.
type record struct {
	key     string
	version uint64
	value   []byte
	deleted bool
}

// verifyCertified checks a get_certified_changes_since reply the way
// agent-go's DataProvider.GetCertifiedChangesSince does (that client cannot
// be pointed at a local canister): rebuild the tree, read current_version and
// the deltas, require consecutive versions after since, and check the root
// digest against the certificate (when rootKey is set) or against want.
func verifyCertified(reply []byte, since uint64, rootKey, want []byte) ([]record, uint64, error) {
	var resp v1.CertifiedResponse
	if err := proto.Unmarshal(reply, &resp); err != nil {
		return nil, 0, err
	}
	ht, err := registry.NewHashTree(resp.HashTree)
	if err != nil {
		return nil, 0, err
	}
	raw, err := ht.Lookup(hashtree.Label("current_version"))
	if err != nil {
		return nil, 0, err
	}
	cur, err := leb128.DecodeUnsigned(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, err
	}
	recs, err := deltas(ht, since)
	if err != nil {
		return nil, 0, err
	}
	digest := ht.Digest()
	if rootKey != nil {
		var cert certification.Certificate
		if err := cbor.Unmarshal(resp.Certificate, &cert); err != nil {
			return nil, 0, err
		}
		err = certification.VerifyCertifiedData(cert, regmodel.CanisterID, rootKey, digest[:])
	} else if !bytes.Equal(digest[:], want) {
		err = fmt.Errorf("digest %x does not match certified data %x", digest, want)
	}
	return recs, cur.Uint64(), err
}

// deltas reads delta/<version> leaves in order.
func deltas(ht *hashtree.HashTree, since uint64) ([]record, error) {
	sub, err := ht.LookupSubTree(hashtree.Label("delta"))
	if err != nil {
		return nil, err
	}
	children, err := hashtree.AllChildren(sub)
	if err != nil {
		return nil, err
	}
	var out []record
	last := since
	for _, c := range children {
		leaf, ok := c.Value.(hashtree.Leaf)
		if !ok {
			return nil, fmt.Errorf("delta child is %T", c.Value)
		}
		v := binary.BigEndian.Uint64(c.Path[0])
		if v != last+1 {
			return nil, fmt.Errorf("version %d after %d", v, last)
		}
		last = v
		req := &v1.RegistryAtomicMutateRequest{}
		if err := proto.Unmarshal(leaf, req); err != nil {
			return nil, err
		}
		for _, m := range req.Mutations {
			del := m.MutationType == v1.RegistryMutation_DELETE
			out = append(out, record{key: string(m.Key), version: v, value: m.Value, deleted: del})
		}
	}
	return out, nil
}

// certifiedChanges calls get_certified_changes_since through the Canister
// interface.
func certifiedChanges(t *testing.T, r *regmodel.Registry, since uint64) []byte {
	t.Helper()
	arg, _ := proto.Marshal(&v1.RegistryGetChangesSinceRequest{Version: since})
	reply, rej := r.Execute(replica.Call{Method: "get_certified_changes_since", Arg: arg})
	if rej != nil {
		t.Fatalf("get_certified_changes_since rejected: %+v", rej)
	}
	return reply
}

// busyRegistry is a registry with PageSize 3 and seven batches after the
// seed (versions 2..8).
func busyRegistry(t *testing.T) *regmodel.Registry {
	t.Helper()
	seed := testSeed()
	seed.PageSize = 3
	r := newRegistry(t, seed)
	steps := []struct {
		fn int32
		p  any
	}{
		{38, elect(verNew)},
		{11, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verNew}},
		{48, deployUnassigned{ElectedReplicaVersion: verNew}},
		{38, revisePayload{ReplicaVersionsToUnelect: []string{verOld, verUnused}}},
		{11, deploySubnet{SubnetID: nnsSubnet, ReplicaVersionID: verNew}},
		{50, electHost(hostC)},
		{51, deployHost{HostOSVersionID: ptr(hostC), NodeIDs: []principal.Principal{node1}}},
	}
	for i, s := range steps {
		if err := r.ExecuteNnsFunction(s.fn, encode(t, s.p), execAt); err != nil {
			t.Fatalf("step %d (fn %d): %v", i, s.fn, err)
		}
	}
	if r.Version() != 8 {
		t.Fatalf("Version() = %d; want 8", r.Version())
	}
	return r
}

func TestCertifiedChangesSinceVerifiesAndPages(t *testing.T) {
	r := busyRegistry(t)
	fn, rootKey := testCertifier(t)
	r.SetCertificateSource(fn)

	state := map[string][]byte{}
	since := uint64(0)
	pages := 0
	for {
		recs, cur, err := verifyCertified(certifiedChanges(t, r, since), since, rootKey, nil)
		if err != nil {
			t.Fatalf("page after %d: %v", since, err)
		}
		if cur != 8 {
			t.Fatalf("current_version = %d; want 8", cur)
		}
		if len(recs) == 0 {
			break
		}
		pages++
		for _, rc := range recs {
			if rc.deleted {
				delete(state, rc.key)
			} else {
				state[rc.key] = rc.value
			}
			since = rc.version
		}
	}
	if pages != 3 || since != 8 {
		t.Fatalf("read %d pages up to version %d; want 3 pages to version 8", pages, since)
	}
	for key, val := range state {
		if got := mustValue(t, r, key, 0); !bytes.Equal(got, val) {
			t.Errorf("replayed %s differs from get_value", key)
		}
	}
	if _, ok := state["replica_version_"+verOld]; ok {
		t.Errorf("deleted key replica_version_%s survived the replay", verOld)
	}
}

func TestCertifiedChangesRejectTampering(t *testing.T) {
	r := busyRegistry(t)
	fn, rootKey := testCertifier(t)
	r.SetCertificateSource(fn)
	reply := certifiedChanges(t, r, 2)
	if _, _, err := verifyCertified(reply, 2, nil, r.CertifiedData()); err != nil {
		t.Fatalf("untampered digest comparison: %v", err)
	}
	if _, _, err := verifyCertified(reply, 2, rootKey, nil); err != nil {
		t.Fatalf("untampered certificate: %v", err)
	}

	// Flip one bit of the first delta leaf.
	var resp v1.CertifiedResponse
	if err := proto.Unmarshal(reply, &resp); err != nil {
		t.Fatal(err)
	}
	leaf := firstLeaf(resp.HashTree.GetFork().GetRightTree())
	if leaf == nil {
		t.Fatal("no delta leaf in the witness")
	}
	leaf.LeafData[0] ^= 0x01
	flipped, _ := proto.Marshal(&resp)
	if _, _, err := verifyCertified(flipped, 2, nil, r.CertifiedData()); err == nil {
		t.Error("digest comparison accepted a flipped bit")
	}
	if _, _, err := verifyCertified(flipped, 2, rootKey, nil); err == nil {
		t.Error("certificate verification accepted a flipped bit")
	}

	// A different root key rejects the untampered answer.
	_, otherKey := testCertifier(t)
	if _, _, err := verifyCertified(reply, 2, otherKey, nil); err == nil {
		t.Error("certificate verified under the wrong root key")
	}
}

// firstLeaf finds the first leaf in a witness.
func firstLeaf(t *v1.MixedHashTree) *v1.MixedHashTree_LeafData {
	switch n := t.GetTreeEnum().(type) {
	case *v1.MixedHashTree_LeafData:
		return n
	case *v1.MixedHashTree_Labeled_:
		return firstLeaf(n.Labeled.Subtree)
	case *v1.MixedHashTree_Fork_:
		if l := firstLeaf(n.Fork.LeftTree); l != nil {
			return l
		}
		return firstLeaf(n.Fork.RightTree)
	}
	return nil
}

func TestCertifiedDataTracksEveryVersion(t *testing.T) {
	r := newRegistry(t, testSeed())
	seen := map[string]bool{string(r.CertifiedData()): true}
	for i, v := range []string{verCur, verOld, verUnused} {
		if err := r.ExecuteNnsFunction(11, encode(t, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: v}), execAt); err != nil {
			t.Fatal(err)
		}
		cd := r.CertifiedData()
		if len(cd) != 32 || seen[string(cd)] {
			t.Fatalf("after deploy %d certified data %x is not a fresh 32-byte digest", i, cd)
		}
		seen[string(cd)] = true
		// Every since, including beyond latest, yields a witness of the same root.
		for since := uint64(0); since <= r.Version()+1; since++ {
			if _, _, err := verifyCertified(certifiedChanges(t, r, since), since, nil, cd); err != nil {
				t.Fatalf("since %d: %v", since, err)
			}
		}
	}
}

func TestCertifiedLatestVersion(t *testing.T) {
	r := busyRegistry(t)
	resp := &v1.CertifiedResponse{}
	query(t, r, "get_certified_latest_version", nil, resp)
	reply, _ := proto.Marshal(resp)
	recs, cur, err := verifyCertified(reply, 0, nil, r.CertifiedData())
	if err != nil || cur != 8 || len(recs) != 0 {
		t.Fatalf("certified latest version = %d, %d deltas, err %v", cur, len(recs), err)
	}
}
