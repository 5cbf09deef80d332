package replica

import (
	"bytes"
	"crypto/sha256"
	"sort"

	"github.com/aviate-labs/agent-go/certification/hashtree"
)

// Domain-separated hashing as in the IC certification spec.
var (
	sepEmpty   = hashtree.DomainSeparator("ic-hashtree-empty")
	sepFork    = hashtree.DomainSeparator("ic-hashtree-fork")
	sepLabeled = hashtree.DomainSeparator("ic-hashtree-labeled")
	sepLeaf    = hashtree.DomainSeparator("ic-hashtree-leaf")
	emptyHash  = sha256.Sum256(sepEmpty)
)

// node is an immutable node of the certified state tree: a leaf value or a
// directory of labeled children sorted bytewise by label. All hashes are
// computed once at construction, so producing a witness for a few paths costs
// O(depth · log(width)) and never rehashes the tree.
type node struct {
	isLeaf   bool
	leaf     []byte
	children []child
	// segs holds the hash of every fork of the balanced binary tree over
	// children, indexed like a heap (1 is the root covering all children).
	segs [][32]byte
	hash [32]byte
}

// child is one labeled edge of a directory, with the hash of the
// Labeled(label, node) hash-tree node.
type child struct {
	label []byte
	node  *node
	hash  [32]byte
}

// leafNode returns a leaf holding v.
func leafNode(v []byte) *node {
	h := sha256.New()
	h.Write(sepLeaf)
	h.Write(v)
	n := &node{isLeaf: true, leaf: v}
	h.Sum(n.hash[:0])
	return n
}

// labeled returns the edge label -> n with its hash.
func labeled(label []byte, n *node) child {
	h := sha256.New()
	h.Write(sepLabeled)
	h.Write(label)
	h.Write(n.hash[:])
	c := child{label: label, node: n}
	h.Sum(c.hash[:0])
	return c
}

// dirNode returns a directory over children, which must be sorted strictly
// increasing by label.
func dirNode(children []child) *node {
	n := &node{children: children}
	if len(children) == 0 {
		n.hash = emptyHash
		return n
	}
	n.segs = make([][32]byte, segSize(len(children)))
	n.hash = n.seg(1, 0, len(children))
	return n
}

// dir builds a directory from unsorted children, sorting them by label.
func dir(children ...child) *node {
	sort.Slice(children, func(i, j int) bool {
		return bytes.Compare(children[i].label, children[j].label) < 0
	})
	return dirNode(children)
}

// segSize returns the heap array size for a balanced tree over n leaves.
func segSize(n int) int {
	size := 2
	for size < n {
		size <<= 1
	}
	return 2 * size
}

// seg computes and records the hash of the fork covering children[lo:hi].
func (n *node) seg(id, lo, hi int) [32]byte {
	if hi-lo == 1 {
		n.segs[id] = n.children[lo].hash
		return n.segs[id]
	}
	mid := (lo + hi) / 2
	l := n.seg(2*id, lo, mid)
	r := n.seg(2*id+1, mid, hi)
	var buf [17 + 64]byte
	copy(buf[:], sepFork)
	copy(buf[17:], l[:])
	copy(buf[49:], r[:])
	n.segs[id] = sha256.Sum256(buf[:])
	return n.segs[id]
}

// find returns the index of label among the children and whether it exists;
// when absent, the index is where it would be inserted.
func (n *node) find(label []byte) (int, bool) {
	i := sort.Search(len(n.children), func(i int) bool {
		return bytes.Compare(n.children[i].label, label) >= 0
	})
	return i, i < len(n.children) && bytes.Equal(n.children[i].label, label)
}

// lookup returns the node at path, or nil.
func (n *node) lookup(path ...[]byte) *node {
	for _, l := range path {
		if n.isLeaf {
			return nil
		}
		i, ok := n.find(l)
		if !ok {
			return nil
		}
		n = n.children[i].node
	}
	return n
}

// full reveals the whole subtree.
func (n *node) full() hashtree.Node {
	if n.isLeaf {
		return hashtree.Leaf(n.leaf)
	}
	if len(n.children) == 0 {
		return hashtree.Empty{}
	}
	return n.build(1, 0, len(n.children), func(i int) hashtree.Node {
		return hashtree.Labeled{Label: n.children[i].label, Tree: n.children[i].node.full()}
	}, nil)
}

// witness returns a pruned hash tree with the same root hash as n that reveals
// every path in paths. For a label that is absent, its neighbours are kept
// (with pruned subtrees) so the absence is provable rather than unknown.
func (n *node) witness(paths [][][]byte) hashtree.Node {
	for _, p := range paths {
		if len(p) == 0 || n.isLeaf {
			return n.full()
		}
	}
	if len(n.children) == 0 {
		return hashtree.Empty{}
	}
	tails := map[int][][][]byte{}
	marked := map[int]bool{}
	for _, p := range paths {
		i, ok := n.find(p[0])
		switch {
		case ok:
			tails[i] = append(tails[i], p[1:])
			marked[i] = true
		default:
			if i > 0 {
				marked[i-1] = true
			}
			if i < len(n.children) {
				marked[i] = true
			}
		}
	}
	idx := make([]int, 0, len(marked))
	for i := range marked {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return n.build(1, 0, len(n.children), func(i int) hashtree.Node {
		c := n.children[i]
		if t, ok := tails[i]; ok {
			return hashtree.Labeled{Label: c.label, Tree: c.node.witness(t)}
		}
		return hashtree.Labeled{Label: c.label, Tree: hashtree.Pruned(c.node.hash)}
	}, idx)
}

// build emits the balanced fork structure over children[lo:hi]. With a
// non-nil keep list, ranges holding no kept index collapse to Pruned.
func (n *node) build(id, lo, hi int, reveal func(int) hashtree.Node, keep []int) hashtree.Node {
	if keep != nil && !anyIn(keep, lo, hi) {
		return hashtree.Pruned(n.segs[id])
	}
	if hi-lo == 1 {
		return reveal(lo)
	}
	mid := (lo + hi) / 2
	return hashtree.Fork{
		LeftTree:  n.build(2*id, lo, mid, reveal, keep),
		RightTree: n.build(2*id+1, mid, hi, reveal, keep),
	}
}

// anyIn reports whether the sorted list idx holds a value in [lo, hi).
func anyIn(idx []int, lo, hi int) bool {
	i := sort.SearchInts(idx, lo)
	return i < len(idx) && idx[i] < hi
}
