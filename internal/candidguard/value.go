package candidguard

import "fmt"

// fixedSize is the byte size of a fixed-width primitive, or 0.
func fixedSize(t int64) int {
	switch t {
	case opBool, opNat8, opInt8:
		return 1
	case opNat16, opInt16:
		return 2
	case opNat32, opInt32, opFloat32:
		return 4
	case opNat64, opInt64, opFloat64:
		return 8
	}
	return 0
}

// step spends n steps of the value budget.
func (c *checker) step(n int) error {
	if c.steps -= n; c.steps < 0 {
		return c.r.fail(fmt.Sprintf("too many values for the message size (at most %d for %d bytes)", c.budget, len(c.r.b)))
	}
	return nil
}

// value walks one value of type t, nested depth levels deep.
func (c *checker) value(t int64, depth int) error {
	if err := c.step(1); err != nil {
		return err
	}
	if t < 0 {
		return c.primitive(t)
	}
	if depth >= c.lim.MaxDepth {
		return c.r.fail(fmt.Sprintf("values nest deeper than %d levels", c.lim.MaxDepth))
	}
	e := c.table[t]
	switch e.op {
	case opOpt:
		tag, err := c.r.byte()
		if err != nil || tag > 1 {
			return c.r.fail("invalid opt tag")
		}
		if tag == 1 {
			return c.value(e.refs[0], depth+1)
		}
		return nil
	case opVec:
		return c.vec(e.refs[0], depth+1)
	case opRecord:
		for _, f := range e.refs {
			if err := c.value(f, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	at := c.r.i
	i, err := c.r.uleb() // variant
	if err != nil || i >= uint64(len(e.refs)) {
		c.r.i = at
		return c.r.fail("invalid variant index")
	}
	return c.value(e.refs[i], depth+1)
}

// vec walks a vector whose elements have type elem. Fixed-width elements
// are skipped at once; each still counts as a step, since agent-go holds
// every element in its own slot.
func (c *checker) vec(elem int64, depth int) error {
	n, err := c.r.count("vector length")
	if err != nil {
		return err
	}
	if size := fixedSize(elem); size > 0 {
		if err := c.step(n); err != nil {
			return err
		}
		if n*size > c.r.left() {
			return c.r.fail(fmt.Sprintf("vector of %d %d-byte values exceeds the %d bytes left", n, size, c.r.left()))
		}
		return c.r.skip(n * size)
	}
	for range n {
		if err := c.value(elem, depth); err != nil {
			return err
		}
	}
	return nil
}

// primitive walks a value of a primitive type.
func (c *checker) primitive(t int64) error {
	if size := fixedSize(t); size > 0 {
		return c.r.skip(size)
	}
	switch t {
	case opNull, opReserv:
		return nil
	case opNat, opInt:
		return c.r.leb(c.lim.MaxNatBytes)
	case opText:
		n, err := c.r.count("text length")
		if err != nil {
			return err
		}
		return c.r.skip(n)
	case opPrinc:
		return c.principal()
	}
	return c.r.fail("a value of type empty cannot exist")
}

// principal walks a principal reference: tag 1, then the id's bytes.
func (c *checker) principal() error {
	if tag, err := c.r.byte(); err != nil || tag != 1 {
		return c.r.fail("invalid principal tag")
	}
	n, err := c.r.count("principal length")
	if err != nil {
		return err
	}
	if n > c.lim.MaxPrincipalBytes {
		return c.r.fail(fmt.Sprintf("principal of %d bytes, at most %d", n, c.lim.MaxPrincipalBytes))
	}
	return c.r.skip(n)
}
