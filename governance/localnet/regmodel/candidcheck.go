package regmodel

import (
	"bytes"
	"errors"
	"fmt"
)

// checkCandid validates a Candid message before agent-go decodes it. agent-go
// v0.9.2 sizes slices from declared counts and lengths, so a forged count
// exhausts memory, which is a fatal error rather than a recoverable panic.
// The check walks the message as the Candid binary format defines it (type
// table, argument types, values) and requires every count and length to fit
// in the bytes left, every type reference to be valid, the table to be free
// of cycles (no registry payload type is recursive) and the number of
// decoded values to stay proportional to the message size.
func checkCandid(msg []byte) error {
	c := &candidCheck{r: bytes.NewReader(msg), budget: 8*len(msg) + 64}
	if !bytes.HasPrefix(msg, []byte("DIDL")) {
		return errors.New("not a Candid message (missing DIDL magic)")
	}
	_, _ = c.r.Seek(4, 0)
	if err := c.table(); err != nil {
		return fmt.Errorf("type table: %w", err)
	}
	args, err := c.count()
	if err != nil {
		return fmt.Errorf("argument types: %w", err)
	}
	var types []int64
	for i := uint64(0); i < args; i++ {
		t, err := c.typeRef()
		if err == nil && t >= int64(len(c.types)) {
			err = fmt.Errorf("type %d outside the table", t)
		}
		if err != nil {
			return fmt.Errorf("argument type %d: %w", i, err)
		}
		types = append(types, t)
	}
	for i, t := range types {
		if err := c.value(t); err != nil {
			return fmt.Errorf("argument %d: %w", i, err)
		}
	}
	return nil
}

// candidCheck is the state of one checkCandid walk.
type candidCheck struct {
	r      *bytes.Reader
	types  []typeDef
	budget int
}

// typeDef is a type table entry: opcode and referenced types (one for opt
// and vec, one per field for record and variant).
type typeDef struct {
	op   int64
	refs []int64
}

// Candid type opcodes used by the walk.
const (
	opNull, opBool, opNat, opInt           = -1, -2, -3, -4
	opNat8, opNat16, opNat32, opNat64      = -5, -6, -7, -8
	opInt8, opInt16, opInt32, opInt64      = -9, -10, -11, -12
	opFloat32, opFloat64, opText, opReserv = -13, -14, -15, -16
	opEmpty, opOpt, opVec, opRecord        = -17, -18, -19, -20
	opVariant, opPrincipal                 = -21, -24
)

// table reads the type table and checks it for cycles.
func (c *candidCheck) table() error {
	n, err := c.count()
	if err != nil {
		return err
	}
	c.types = make([]typeDef, n)
	for i := range c.types {
		if c.types[i], err = c.entry(); err != nil {
			return fmt.Errorf("type %d: %w", i, err)
		}
	}
	for i := range c.types {
		for _, ref := range c.types[i].refs {
			if ref >= int64(len(c.types)) {
				return fmt.Errorf("type %d refers to %d outside the table", i, ref)
			}
		}
	}
	return c.acyclic()
}

// entry reads one type table entry.
func (c *candidCheck) entry() (typeDef, error) {
	op, err := sleb(c.r)
	if err != nil {
		return typeDef{}, err
	}
	switch op {
	case opOpt, opVec:
		t, err := c.typeRef()
		return typeDef{op: op, refs: []int64{t}}, err
	case opRecord, opVariant:
		n, err := c.count()
		if err != nil {
			return typeDef{}, err
		}
		d := typeDef{op: op}
		for i := uint64(0); i < n; i++ {
			if _, err := uleb(c.r); err != nil { // field id
				return typeDef{}, err
			}
			t, err := c.typeRef()
			if err != nil {
				return typeDef{}, err
			}
			d.refs = append(d.refs, t)
		}
		return d, nil
	}
	return typeDef{}, fmt.Errorf("type opcode %d is not a record, variant, opt or vec", op)
}

// typeRef reads a type reference: a primitive opcode or a table index.
func (c *candidCheck) typeRef() (int64, error) {
	t, err := sleb(c.r)
	if err != nil {
		return 0, err
	}
	if t < 0 && t < opEmpty && t != opPrincipal {
		return 0, fmt.Errorf("type %d is not a primitive", t)
	}
	return t, nil
}

// acyclic rejects recursive type tables.
func (c *candidCheck) acyclic() error {
	state := make([]byte, len(c.types)) // 0 new, 1 visiting, 2 done
	var visit func(t int64) error
	visit = func(t int64) error {
		if t < 0 || state[t] == 2 {
			return nil
		}
		if state[t] == 1 {
			return errors.New("recursive types are not accepted")
		}
		state[t] = 1
		for _, ref := range c.types[t].refs {
			if err := visit(ref); err != nil {
				return err
			}
		}
		state[t] = 2
		return nil
	}
	for i := range c.types {
		if err := visit(int64(i)); err != nil {
			return err
		}
	}
	return nil
}
