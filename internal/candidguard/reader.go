package candidguard

import (
	"fmt"
	"math"
)

// reader reads a Candid message and turns problems into *UnsafeError.
type reader struct {
	b    []byte
	i    int
	part string
}

// fail returns an *UnsafeError at the current offset.
func (r *reader) fail(reason string) error {
	return &UnsafeError{Part: r.part, Offset: r.i, Reason: reason}
}

// left is the number of unread bytes.
func (r *reader) left() int { return len(r.b) - r.i }

// byte reads one byte.
func (r *reader) byte() (byte, error) {
	if r.i >= len(r.b) {
		return 0, r.fail("truncated")
	}
	r.i++
	return r.b[r.i-1], nil
}

// skip consumes n bytes.
func (r *reader) skip(n int) error {
	if n < 0 || n > r.left() {
		return r.fail("truncated")
	}
	r.i += n
	return nil
}

// uleb reads an unsigned LEB128 number of at most 64 bits.
func (r *reader) uleb() (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift == 63 && c > 1 || shift > 63 {
			return 0, r.fail("number overflows 64 bits")
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

// sleb reads a signed LEB128 number within the int32 range, which holds
// every type opcode and table index.
func (r *reader) sleb() (int64, error) {
	var v int64
	for shift := uint(0); ; {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift > 35 {
			return 0, r.fail("type reference out of range")
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if c&0x40 != 0 {
				v |= -1 << shift
			}
			if v < math.MinInt32 || v > math.MaxInt32 {
				return 0, r.fail("type reference out of range")
			}
			return v, nil
		}
	}
}

// count reads an unsigned count no larger than the bytes left: every
// counted item takes at least one byte (values of null type are the
// exception, and the step budget bounds them instead).
func (r *reader) count(what string) (int, error) {
	at := r.i
	n, err := r.uleb()
	if err != nil {
		return 0, err
	}
	if left := r.left(); n > uint64(left) {
		r.i = at
		return 0, r.fail(fmt.Sprintf("%s %d exceeds the %d bytes left", what, n, left))
	}
	return int(n), nil
}

// leb skips a LEB128 number of at most max bytes (a nat or int value).
func (r *reader) leb(max int) error {
	for n := 1; ; n++ {
		c, err := r.byte()
		if err != nil {
			return err
		}
		if c&0x80 == 0 {
			return nil
		}
		if n >= max {
			return r.fail(fmt.Sprintf("number longer than %d bytes", max))
		}
	}
}
