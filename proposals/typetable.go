package proposals

import (
	"bytes"
	"errors"
	"fmt"
	"math"
)

// MaxDecodeBytes bounds what DecodePayload accepts. Governance caps IC OS
// payloads at MaxPayloadBytes; the margin covers historical shapes while
// keeping decoding depth bounded.
const MaxDecodeBytes = 1 << 18

// The Candid type-table opcodes (constructors) and the first primitive.
const (
	opOpt       = -18
	opVec       = -19
	opRecord    = -20
	opVariant   = -21
	opFunc      = -22
	opService   = -23
	opPrincipal = -24
	opNull      = -1
	opEmpty     = -17
	maxTypeRefs = 1 << 16
)

// checkTypeTable scans a whole Candid message before agent-go decodes it.
// agent-go recurses through type definitions without a depth bound (a
// recursive type makes it recurse until the Go stack limit kills the
// process, which recover cannot catch) and allocates a principal's length
// before checking it against the input (an absurd length exhausts memory).
// None of the registry payloads uses recursive types, so any cycle is
// refused, as are references outside the table; then every value is walked
// with each length checked against the remaining input and a step budget.
func checkTypeTable(b []byte) error {
	r := bytes.NewReader(b)
	magic := make([]byte, 4)
	if n, _ := r.Read(magic); n != 4 || string(magic) != "DIDL" {
		return errors.New("missing DIDL magic bytes")
	}
	n, err := readULEB(r)
	if err != nil || n > uint64(r.Len()) {
		return fmt.Errorf("type table length: %v", orInvalid(err))
	}
	table := make([]typeEntry, n)
	edges := make([][]int64, n)
	for i := range table {
		if table[i], err = readTypeEntry(r); err != nil {
			return fmt.Errorf("type %d: %w", i, err)
		}
		edges[i] = table[i].refs
	}
	args, err := readArgTypes(r)
	if err != nil {
		return err
	}
	if err := checkRefs(append(edges, args), int64(n)); err != nil {
		return err
	}
	if err := checkAcyclic(edges); err != nil {
		return err
	}
	if err := checkExpandedSize(edges); err != nil {
		return err
	}
	w := &valueWalker{r: r, table: table, budget: 2*len(b) + 4096}
	for _, t := range args {
		if err := w.walk(t); err != nil {
			return fmt.Errorf("value: %w", err)
		}
	}
	if r.Len() != 0 {
		return fmt.Errorf("%d bytes after the last value", r.Len())
	}
	return nil
}

// typeEntry is one type-table entry: its constructor and referenced types
// (the field types of a record or variant, in table order).
type typeEntry struct {
	op   int64
	refs []int64
}

func readArgTypes(r *bytes.Reader) ([]int64, error) {
	n, err := readULEB(r)
	if err != nil || n > uint64(r.Len()) {
		return nil, fmt.Errorf("argument count: %v", orInvalid(err))
	}
	args := make([]int64, n)
	for i := range args {
		if args[i], err = readSLEB(r); err != nil {
			return nil, fmt.Errorf("argument %d type: %w", i, err)
		}
	}
	return args, nil
}

func orInvalid(err error) error {
	if err == nil {
		return errors.New("exceeds the message")
	}
	return err
}

// readTypeEntry reads one type-table entry.
func readTypeEntry(r *bytes.Reader) (typeEntry, error) {
	op, err := readSLEB(r)
	if err != nil {
		return typeEntry{}, err
	}
	switch op {
	case opOpt, opVec:
		t, err := readSLEB(r)
		return typeEntry{op, []int64{t}}, err
	case opRecord, opVariant:
		refs, err := readFields(r)
		return typeEntry{op, refs}, err
	case opFunc, opService:
		return typeEntry{}, errors.New("func and service types are not used by these payloads")
	}
	return typeEntry{}, fmt.Errorf("invalid type constructor %d", op)
}

func readFields(r *bytes.Reader) ([]int64, error) {
	n, err := readULEB(r)
	if err != nil || n > uint64(r.Len()) || n > maxTypeRefs {
		return nil, fmt.Errorf("field count: %v", orInvalid(err))
	}
	refs := make([]int64, 0, n)
	for range n {
		if _, err := readULEB(r); err != nil {
			return nil, err
		}
		t, err := readSLEB(r)
		if err != nil {
			return nil, err
		}
		refs = append(refs, t)
	}
	return refs, nil
}

// checkRefs requires every reference to be a primitive or a table index.
func checkRefs(edges [][]int64, n int64) error {
	for i, refs := range edges {
		for _, t := range refs {
			if t >= n || (t < 0 && (t < opPrincipal || t > opNull || (t < opEmpty && t != opPrincipal))) {
				return fmt.Errorf("type %d refers to invalid type %d", i, t)
			}
		}
	}
	return nil
}

// checkAcyclic refuses any cycle among the table's entries.
func checkAcyclic(edges [][]int64) error {
	state := make([]uint8, len(edges)) // 0 new, 1 on stack, 2 done
	var visit func(i int64) error
	visit = func(i int64) error {
		switch state[i] {
		case 1:
			return fmt.Errorf("type %d is recursive; these payloads use no recursive types", i)
		case 2:
			return nil
		}
		state[i] = 1
		for _, t := range edges[i] {
			if t >= 0 {
				if err := visit(t); err != nil {
					return err
				}
			}
		}
		state[i] = 2
		return nil
	}
	for i := range edges {
		if err := visit(int64(i)); err != nil {
			return err
		}
	}
	return nil
}

func readULEB(r *bytes.Reader) (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c, err := r.ReadByte()
		if err != nil {
			return 0, errors.New("truncated LEB128")
		}
		if shift >= 63 && c > 1 {
			return 0, errors.New("LEB128 overflows 64 bits")
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

func readSLEB(r *bytes.Reader) (int64, error) {
	var v int64
	var shift uint
	for {
		c, err := r.ReadByte()
		if err != nil {
			return 0, errors.New("truncated LEB128")
		}
		if shift >= 63 {
			return 0, errors.New("LEB128 overflows 64 bits")
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			if v < math.MinInt32 || v > math.MaxInt32 {
				return 0, errors.New("type reference out of range")
			}
			return v, nil
		}
	}
}

// maxExpandedType bounds the size of any type written out as a tree. A
// small table can describe a huge tree (each record naming the next twice),
// and agent-go walks whole trees when building and printing types. The
// registry payloads expand to a few dozen nodes.
const maxExpandedType = 4096

// checkExpandedSize refuses types whose tree form exceeds maxExpandedType
// nodes. edges must be acyclic.
func checkExpandedSize(edges [][]int64) error {
	size := make([]int, len(edges)) // 0 = not computed yet
	var expand func(i int64) int
	expand = func(i int64) int {
		if size[i] != 0 {
			return size[i]
		}
		total := 1
		for _, t := range edges[i] {
			if t >= 0 {
				total += expand(t)
			} else {
				total++
			}
			total = min(total, maxExpandedType+1)
		}
		size[i] = total
		return total
	}
	for i := range edges {
		if expand(int64(i)) > maxExpandedType {
			return fmt.Errorf("type %d expands to more than %d nodes; these payloads are far smaller", i, maxExpandedType)
		}
	}
	return nil
}
