package regmodel

import (
	"crypto/sha256"
	"encoding/binary"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
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

// rangeHash is the hash of the balanced delta subtree over log[lo:hi].
func rangeHash(log []batch, lo, hi int) [32]byte {
	switch hi - lo {
	case 0:
		return hashEmpty()
	case 1:
		return log[lo].leafHash
	}
	mid := lo + (hi-lo+1)/2
	return hashFork(rangeHash(log, lo, mid), rangeHash(log, mid, hi))
}

// rootHash is the registry's certified data for a changelog.
func rootHash(log []batch) [32]byte {
	cur := hashLabeled([]byte("current_version"), hashLeaf(leb128(uint64(len(log)))))
	delta := hashLabeled([]byte("delta"), rangeHash(log, 0, len(log)))
	return hashFork(cur, delta)
}

// witness builds the MixedHashTree that reveals current_version and the
// deltas with from <= version <= to, pruning everything else. Its root hash
// equals rootHash(log).
func witness(log []batch, from, to uint64) *v1.MixedHashTree {
	cur := labeledTree([]byte("current_version"), leafTree(leb128(uint64(len(log)))))
	delta := labeledTree([]byte("delta"), witnessRange(log, 0, len(log), from, to))
	return forkTree(cur, delta)
}

// witnessRange is the witness of the delta subtree over log[lo:hi].
func witnessRange(log []batch, lo, hi int, from, to uint64) *v1.MixedHashTree {
	if hi == lo {
		return &v1.MixedHashTree{TreeEnum: &v1.MixedHashTree_Empty{Empty: &emptypb.Empty{}}}
	}
	first, last := log[lo].version, log[hi-1].version
	if last < from || first > to {
		h := rangeHash(log, lo, hi)
		return &v1.MixedHashTree{TreeEnum: &v1.MixedHashTree_PrunedDigest{PrunedDigest: h[:]}}
	}
	if hi-lo == 1 {
		return labeledTree(versionLabel(log[lo].version), leafTree(log[lo].raw))
	}
	mid := lo + (hi-lo+1)/2
	return forkTree(witnessRange(log, lo, mid, from, to), witnessRange(log, mid, hi, from, to))
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
