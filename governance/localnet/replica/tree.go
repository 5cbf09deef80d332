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
// directory of labeled children sorted bytewise by label. A directory is
// held as its fork structure (shape): any binary tree over its children in
// order. Hashes are computed once at construction, so a witness for a few
// paths costs O(depth · log(width)) and never rehashes the tree.
type node struct {
	isLeaf bool
	leaf   []byte
	shape  *fork // nil for leaves and empty directories
	hash   [32]byte
}

// child is one labeled edge of a directory, with the hash of the
// Labeled(label, node) hash-tree node.
type child struct {
	label []byte
	node  *node
	hash  [32]byte
}

// fork is a node of a directory's binary fork structure covering n
// consecutive children, first being the label of the first one; a fork with
// n == 1 stands for the child c itself. Forks are immutable, so unchanged
// parts are shared between certification rounds.
type fork struct {
	l, r  *fork
	c     *child
	n     int
	first []byte
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

// shapedDir returns a directory with the given fork structure (nil: empty).
func shapedDir(shape *fork) *node {
	n := &node{shape: shape, hash: emptyHash}
	if shape != nil {
		n.hash = shape.hash
	}
	return n
}

// dir builds a directory with a balanced fork structure from unsorted
// children with distinct labels.
func dir(children ...child) *node {
	sort.Slice(children, func(i, j int) bool {
		return bytes.Compare(children[i].label, children[j].label) < 0
	})
	return shapedDir(balanced(children))
}

// balanced returns a balanced fork structure over sorted children (nil if
// none). The forks point into children, which must not change afterwards.
func balanced(children []child) *fork {
	switch len(children) {
	case 0:
		return nil
	case 1:
		c := &children[0]
		return &fork{c: c, n: 1, first: c.label, hash: c.hash}
	}
	mid := len(children) / 2
	return join(balanced(children[:mid]), balanced(children[mid:]))
}

// joinAll joins fork structures left to right into a balanced one.
func joinAll(parts []*fork) *fork {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	mid := len(parts) / 2
	return join(joinAll(parts[:mid]), joinAll(parts[mid:]))
}

// join returns the fork over l then r.
func join(l, r *fork) *fork {
	var buf [17 + 64]byte
	copy(buf[:], sepFork)
	copy(buf[17:], l.hash[:])
	copy(buf[49:], r.hash[:])
	return &fork{l: l, r: r, n: l.n + r.n, first: l.first, hash: sha256.Sum256(buf[:])}
}

// find returns the position of label among the directory's children and
// whether it exists; when absent, the position is where it would be
// inserted.
func (n *node) find(label []byte) (int, bool) {
	f := n.shape
	if f == nil {
		return 0, false
	}
	idx := 0
	for f.n > 1 {
		if bytes.Compare(label, f.r.first) < 0 {
			f = f.l
		} else {
			idx += f.l.n
			f = f.r
		}
	}
	switch c := bytes.Compare(label, f.c.label); {
	case c == 0:
		return idx, true
	case c < 0:
		return idx, false
	default:
		return idx + 1, false
	}
}

// size returns the number of children of a directory.
func (n *node) size() int {
	if n.shape == nil {
		return 0
	}
	return n.shape.n
}

// full reveals the whole subtree.
func (n *node) full() hashtree.Node {
	if n.isLeaf {
		return hashtree.Leaf(n.leaf)
	}
	if n.shape == nil {
		return hashtree.Empty{}
	}
	return build(n.shape, 0, func(_ int, c *child) hashtree.Node {
		return hashtree.Labeled{Label: c.label, Tree: c.node.full()}
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
	if n.shape == nil {
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
			if i < n.size() {
				marked[i] = true
			}
		}
	}
	idx := make([]int, 0, len(marked))
	for i := range marked {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return build(n.shape, 0, func(i int, c *child) hashtree.Node {
		if t, ok := tails[i]; ok {
			return hashtree.Labeled{Label: c.label, Tree: c.node.witness(t)}
		}
		return hashtree.Labeled{Label: c.label, Tree: hashtree.Pruned(c.node.hash)}
	}, idx)
}

// build emits the fork structure f over the children starting at position
// lo. With a non-nil keep list, forks covering no kept position collapse to
// Pruned.
func build(f *fork, lo int, reveal func(int, *child) hashtree.Node, keep []int) hashtree.Node {
	if keep != nil && !anyIn(keep, lo, lo+f.n) {
		return hashtree.Pruned(f.hash)
	}
	if f.n == 1 {
		return reveal(lo, f.c)
	}
	return hashtree.Fork{
		LeftTree:  build(f.l, lo, reveal, keep),
		RightTree: build(f.r, lo+f.l.n, reveal, keep),
	}
}

// anyIn reports whether the sorted list idx holds a value in [lo, hi).
func anyIn(idx []int, lo, hi int) bool {
	i := sort.SearchInts(idx, lo)
	return i < len(idx) && idx[i] < hi
}
