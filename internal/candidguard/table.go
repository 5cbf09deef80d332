package candidguard

import (
	"fmt"
	"math"
)

// Candid type opcodes (the Candid binary format, type table section).
const (
	opNull, opBool, opNat, opInt           = -1, -2, -3, -4
	opNat8, opNat16, opNat32, opNat64      = -5, -6, -7, -8
	opInt8, opInt16, opInt32, opInt64      = -9, -10, -11, -12
	opFloat32, opFloat64, opText, opReserv = -13, -14, -15, -16
	opEmpty, opOpt, opVec, opRecord        = -17, -18, -19, -20
	opVariant, opFunc, opService, opPrinc  = -21, -22, -23, -24
)

// entry is one type table entry: its constructor and the types it refers
// to (the element of an opt or vec, the field types of a record or
// variant, in table order).
type entry struct {
	op   int64
	refs []int64
}

// readTable reads the type table. References are checked by checkRefs
// once the whole table is known (forward references are legal).
func (c *checker) readTable() error {
	c.r.part = partTable
	n, err := c.r.count("type table length")
	if err != nil {
		return err
	}
	c.table = make([]entry, n)
	for i := range c.table {
		if c.table[i], err = c.readEntry(); err != nil {
			return err
		}
	}
	return nil
}

// readEntry reads one type table entry.
func (c *checker) readEntry() (entry, error) {
	at := c.r.i
	op, err := c.r.sleb()
	if err != nil {
		return entry{}, err
	}
	switch op {
	case opOpt, opVec:
		t, err := c.typeRef()
		return entry{op, []int64{t}}, err
	case opRecord, opVariant:
		refs, err := c.readFields()
		return entry{op, refs}, err
	case opFunc, opService:
		c.r.i = at
		return entry{}, c.r.fail("func and service types are not accepted")
	}
	c.r.i = at
	return entry{}, c.r.fail(fmt.Sprintf("invalid type constructor %d", op))
}

// readFields reads the fields of a record or variant type: ids strictly
// increasing within 32 bits, as the Candid format requires.
func (c *checker) readFields() ([]int64, error) {
	n, err := c.r.count("field count")
	if err != nil {
		return nil, err
	}
	if n > c.lim.MaxFields {
		return nil, c.r.fail(fmt.Sprintf("%d fields, at most %d", n, c.lim.MaxFields))
	}
	refs := make([]int64, n)
	prev := int64(-1)
	for i := range refs {
		id, err := c.r.uleb()
		if err != nil {
			return nil, err
		}
		if id > math.MaxUint32 || int64(id) <= prev {
			return nil, c.r.fail(fmt.Sprintf("field id %d out of order or range", id))
		}
		prev = int64(id)
		if refs[i], err = c.typeRef(); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// typeRef reads a type reference: a primitive opcode or a table index
// (checked against the table by checkRefs).
func (c *checker) typeRef() (int64, error) {
	at := c.r.i
	t, err := c.r.sleb()
	if err != nil {
		return 0, err
	}
	if t < 0 && t < opEmpty && t != opPrinc {
		c.r.i = at
		return 0, c.r.fail(fmt.Sprintf("invalid type %d", t))
	}
	return t, nil
}

// readArgs reads the argument type list.
func (c *checker) readArgs() error {
	c.r.part = partArgs
	n, err := c.r.count("argument count")
	if err != nil {
		return err
	}
	c.args = make([]int64, n)
	for i := range c.args {
		if c.args[i], err = c.typeRef(); err != nil {
			return err
		}
		if c.args[i] >= int64(len(c.table)) {
			return c.r.fail(fmt.Sprintf("argument %d refers to invalid type %d outside the table", i, c.args[i]))
		}
	}
	return nil
}

// checkRefs requires every table reference to lie inside the table.
func (c *checker) checkRefs() error {
	for i, e := range c.table {
		for _, t := range e.refs {
			if t >= int64(len(c.table)) {
				return c.tableFail(fmt.Sprintf("type %d refers to invalid type %d outside the table", i, t))
			}
		}
	}
	return nil
}
