package regmodel

import (
	"crypto/sha256"
	"encoding/binary"

	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The certified tree follows the IC hash-tree hashing rules (interface spec,
// "Certification"): each node kind is hashed with a length-prefixed domain
// separator. The delta subtree is a balanced fork tree over the versions in
// ascending order; any balanced shape certifies the same data, since clients
// only recompute the root of the witness they receive.

// domainSep returns the length-prefixed domain separator for a node kind.
func domainSep(kind string) []byte {
	return append([]byte{byte(len(kind))}, kind...)
}

func hashEmpty() [32]byte {
	return sha256.Sum256(domainSep("ic-hashtree-empty"))
}

func hashLeaf(data []byte) [32]byte {
	h := sha256.New()
	h.Write(domainSep("ic-hashtree-leaf"))
	h.Write(data)
	return [32]byte(h.Sum(nil))
}

func hashLabeled(label []byte, sub [32]byte) [32]byte {
	h := sha256.New()
	h.Write(domainSep("ic-hashtree-labeled"))
	h.Write(label)
	h.Write(sub[:])
	return [32]byte(h.Sum(nil))
}

func hashFork(l, r [32]byte) [32]byte {
	h := sha256.New()
	h.Write(domainSep("ic-hashtree-fork"))
	h.Write(l[:])
	h.Write(r[:])
	return [32]byte(h.Sum(nil))
}

// versionLabel is a delta label: the version as 8 big-endian bytes.
func versionLabel(v uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, v)
}

// deltaLeafHash is the hash of delta/<version> -> raw.
func deltaLeafHash(version uint64, raw []byte) [32]byte {
	return hashLabeled(versionLabel(version), hashLeaf(raw))
}

// leb128 encodes v as unsigned LEB128.
func leb128(v uint64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

// treeCache memoizes the hashes of delta subtrees. The changelog is append
// only, so the hash of log[lo:hi] never changes once computed; with the split
// below, appending a version creates only O(log n) new subtrees. It is
// written only under the registry's write lock.
type treeCache map[[2]int][32]byte

// split returns the size of the left subtree over n leaves: the largest power
// of two below n, so that left subtrees are complete and stay valid as the log
// grows (the shape of an RFC 6962 Merkle tree).
func split(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

// rangeHash is the hash of the delta subtree over log[lo:hi]. When fill is
// true it stores every hash it computes in the cache.
func (c treeCache) rangeHash(log []batch, lo, hi int, fill bool) [32]byte {
	switch hi - lo {
	case 0:
		return hashEmpty()
	case 1:
		return log[lo].leafHash
	}
	if h, ok := c[[2]int{lo, hi}]; ok {
		return h
	}
	mid := lo + split(hi-lo)
	h := hashFork(c.rangeHash(log, lo, mid, fill), c.rangeHash(log, mid, hi, fill))
	if fill {
		c[[2]int{lo, hi}] = h
	}
	return h
}

// rootHash is the registry's certified data for a changelog; it fills the
// cache.
func (c treeCache) rootHash(log []batch) [32]byte {
	cur := hashLabeled([]byte("current_version"), hashLeaf(leb128(uint64(len(log)))))
	delta := hashLabeled([]byte("delta"), c.rangeHash(log, 0, len(log), true))
	return hashFork(cur, delta)
}

// witness builds the MixedHashTree that reveals current_version and the
// deltas with from <= version <= to, pruning everything else. Its root hash
// equals rootHash(log). It only reads the cache, so it is safe under a read
// lock.
func (c treeCache) witness(log []batch, from, to uint64) *v1.MixedHashTree {
	cur := labeledTree([]byte("current_version"), leafTree(leb128(uint64(len(log)))))
	delta := labeledTree([]byte("delta"), c.witnessRange(log, 0, len(log), from, to))
	return forkTree(cur, delta)
}

// witnessRange is the witness of the delta subtree over log[lo:hi].
func (c treeCache) witnessRange(log []batch, lo, hi int, from, to uint64) *v1.MixedHashTree {
	if hi == lo {
		return &v1.MixedHashTree{TreeEnum: &v1.MixedHashTree_Empty{Empty: &emptypb.Empty{}}}
	}
	first, last := log[lo].version, log[hi-1].version
	if last < from || first > to {
		h := c.rangeHash(log, lo, hi, false)
		return &v1.MixedHashTree{TreeEnum: &v1.MixedHashTree_PrunedDigest{PrunedDigest: h[:]}}
	}
	if hi-lo == 1 {
		return labeledTree(versionLabel(log[lo].version), leafTree(log[lo].raw))
	}
	mid := lo + split(hi-lo)
	return forkTree(c.witnessRange(log, lo, mid, from, to), c.witnessRange(log, mid, hi, from, to))
}

func leafTree(data []byte) *v1.MixedHashTree {
	return &v1.MixedHashTree{TreeEnum: &v1.MixedHashTree_LeafData{LeafData: data}}
}

func labeledTree(label []byte, sub *v1.MixedHashTree) *v1.MixedHashTree {
	return &v1.MixedHashTree{TreeEnum: &v1.MixedHashTree_Labeled_{
		Labeled: &v1.MixedHashTree_Labeled{Label: label, Subtree: sub},
	}}
}

func forkTree(l, r *v1.MixedHashTree) *v1.MixedHashTree {
	return &v1.MixedHashTree{TreeEnum: &v1.MixedHashTree_Fork_{
		Fork: &v1.MixedHashTree_Fork{LeftTree: l, RightTree: r},
	}}
}
