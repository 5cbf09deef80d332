package regmodel

import (
	"bytes"
	"errors"
	"fmt"
)

// value walks one value of type t.
func (c *candidCheck) value(t int64) error {
	if c.budget--; c.budget < 0 {
		return errors.New("too many values for the message size")
	}
	if t >= 0 {
		return c.composite(c.types[t])
	}
	switch t {
	case opNull, opReserv:
		return nil
	case opEmpty:
		return errors.New("a value of type empty cannot exist")
	case opNat, opInt:
		_, err := uleb(c.r)
		return err
	case opText:
		return c.blob()
	case opPrincipal:
		return c.principal()
	}
	return c.skip(fixedSize(t))
}

// fixedSize is the byte size of a fixed-width primitive.
func fixedSize(t int64) int {
	switch t {
	case opBool, opNat8, opInt8:
		return 1
	case opNat16, opInt16:
		return 2
	case opNat32, opInt32, opFloat32:
		return 4
	}
	return 8 // nat64, int64, float64
}

// composite walks a value of a table type.
func (c *candidCheck) composite(d typeDef) error {
	switch d.op {
	case opOpt:
		flag, err := c.r.ReadByte()
		if err != nil || flag > 1 {
			return errors.New("bad opt flag")
		}
		if flag == 1 {
			return c.value(d.refs[0])
		}
		return nil
	case opVec:
		n, err := c.count()
		for i := uint64(0); err == nil && i < n; i++ {
			err = c.value(d.refs[0])
		}
		return err
	case opRecord:
		for _, f := range d.refs {
			if err := c.value(f); err != nil {
				return err
			}
		}
		return nil
	}
	i, err := uleb(c.r) // variant
	if err != nil || i >= uint64(len(d.refs)) {
		return errors.New("bad variant index")
	}
	return c.value(d.refs[i])
}

// blob skips a length-prefixed byte string.
func (c *candidCheck) blob() error {
	n, err := c.count()
	if err != nil {
		return err
	}
	return c.skip(int(n))
}

// principal skips a principal reference (flag 1, then an id blob).
func (c *candidCheck) principal() error {
	flag, err := c.r.ReadByte()
	if err != nil || flag != 1 {
		return errors.New("bad principal reference")
	}
	return c.blob()
}

// skip consumes n bytes.
func (c *candidCheck) skip(n int) error {
	if n > c.r.Len() {
		return errors.New("truncated")
	}
	_, _ = c.r.Seek(int64(n), 1)
	return nil
}

// count reads an unsigned LEB128 count and requires it to fit in the bytes
// left: every counted item takes at least one byte, except values of null
// type, which the value budget bounds instead.
func (c *candidCheck) count() (uint64, error) {
	v, err := uleb(c.r)
	if err == nil && v > uint64(c.r.Len()) {
		return 0, fmt.Errorf("count %d exceeds the %d bytes left", v, c.r.Len())
	}
	return v, err
}

// uleb reads an unsigned LEB128 number.
func uleb(r *bytes.Reader) (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, errors.New("truncated")
		}
		v |= uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("number overflows 64 bits")
}

// sleb reads a signed LEB128 number.
func sleb(r *bytes.Reader) (int64, error) {
	var v int64
	for shift := uint(0); shift < 64; {
		b, err := r.ReadByte()
		if err != nil {
			return 0, errors.New("truncated")
		}
		v |= int64(b&0x7f) << shift
		shift += 7
		if b&0x80 == 0 {
			if shift < 64 && b&0x40 != 0 {
				v |= -1 << shift
			}
			return v, nil
		}
	}
	return 0, errors.New("number overflows 64 bits")
}
