package proposals

import (
	"bytes"
	"errors"
	"fmt"
)

// fixedSizes are the byte sizes of the fixed-width Candid primitives by
// opcode: bool, nat8…nat64, int8…int64, float32, float64; null and
// reserved take no bytes.
var fixedSizes = map[int64]int{
	-1: 0, -2: 1, -5: 1, -6: 2, -7: 4, -8: 8, -9: 1, -10: 2, -11: 4, -12: 8,
	-13: 4, -14: 8, -16: 0,
}

// maxPrincipalBytes is the longest principal the IC defines.
const maxPrincipalBytes = 29

// valueWalker checks that the values of a Candid message fit its types:
// every length within the remaining input, every opt and variant tag valid,
// and at most budget steps in all (records of nulls take no bytes, so bytes
// alone do not bound the work).
type valueWalker struct {
	r      *bytes.Reader
	table  []typeEntry
	budget int
}

var errBudget = errors.New("value too complex for its size")

func (w *valueWalker) walk(t int64) error {
	if w.budget--; w.budget < 0 {
		return errBudget
	}
	if t < 0 {
		return w.primitive(t)
	}
	e := w.table[t]
	switch e.op {
	case opOpt:
		tag, err := w.r.ReadByte()
		if err != nil || tag > 1 {
			return errors.New("invalid opt tag")
		}
		if tag == 1 {
			return w.walk(e.refs[0])
		}
		return nil
	case opVec:
		return w.vec(e.refs[0])
	case opRecord:
		for _, f := range e.refs {
			if err := w.walk(f); err != nil {
				return err
			}
		}
		return nil
	}
	i, err := readULEB(w.r) // variant
	if err != nil || i >= uint64(len(e.refs)) {
		return errors.New("invalid variant index")
	}
	return w.walk(e.refs[i])
}

func (w *valueWalker) vec(elem int64) error {
	n, err := w.length()
	if err != nil {
		return err
	}
	if size, fixed := fixedSizes[elem]; fixed && size > 0 {
		if n*size > w.r.Len() {
			return errors.New("vector longer than the input")
		}
		_, err := w.r.Seek(int64(n*size), 1)
		return err
	}
	for range n {
		if err := w.walk(elem); err != nil {
			return err
		}
	}
	return nil
}

// length reads a ULEB128 length no larger than the remaining input.
func (w *valueWalker) length() (int, error) {
	n, err := readULEB(w.r)
	if err != nil {
		return 0, err
	}
	if n > uint64(w.r.Len()) {
		return 0, fmt.Errorf("length %d exceeds the %d bytes left", n, w.r.Len())
	}
	return int(n), nil
}

func (w *valueWalker) primitive(t int64) error {
	if size, ok := fixedSizes[t]; ok {
		if size > w.r.Len() {
			return errors.New("truncated value")
		}
		_, err := w.r.Seek(int64(size), 1)
		return err
	}
	switch t {
	case -3, -4: // nat, int
		_, err := readULEB(w.r)
		return err
	case -15: // text
		return w.skipBytes()
	case opPrincipal:
		if tag, err := w.r.ReadByte(); err != nil || tag != 1 {
			return errors.New("invalid principal tag")
		}
		n, err := w.length()
		if err == nil && n > maxPrincipalBytes {
			err = fmt.Errorf("principal of %d bytes, at most %d", n, maxPrincipalBytes)
		}
		if err != nil {
			return err
		}
		_, err = w.r.Seek(int64(n), 1)
		return err
	}
	return fmt.Errorf("type %d has no values", t) // empty
}

func (w *valueWalker) skipBytes() error {
	n, err := w.length()
	if err != nil {
		return err
	}
	_, err = w.r.Seek(int64(n), 1)
	return err
}
