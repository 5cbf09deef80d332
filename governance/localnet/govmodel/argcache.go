package govmodel

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/nnspatch/nnspatch/internal/candidguard"
)

// Decoding a Candid argument with agent-go re-parses its type table on every
// call; a manage_neuron argument from a real client carries the whole
// ManageNeuronCommandRequest type (hundreds of entries), which costs far more
// than the values. Clients send the same table every time, so the model
// keeps the decoded types of recently seen headers and decodes only values
// for them. The result equals candid.Unmarshal (tested).

// maxCachedHeaders bounds the header cache; distinct client libraries are few.
const maxCachedHeaders = 256

// errHeader reports a malformed Candid header.
var errHeader = errors.New("malformed candid header")

// argDecoder decodes single Candid arguments with a cache of type tables.
type argDecoder struct {
	mu    sync.RWMutex
	types map[string][]idl.Type
}

// args is the model's shared argument decoder.
var args = &argDecoder{types: make(map[string][]idl.Type)}

// decode decodes arg, which must carry exactly one value, into v. The
// argument is untrusted: candidguard checks all of it (cached header or
// not) before agent-go sees it, and agent-go's unmarshal errors pass
// through candidguard.SafeError before anything formats them.
func (d *argDecoder) decode(arg []byte, v any) error {
	if err := candidguard.Check(arg); err != nil {
		return fmt.Errorf("decode arguments: %w", err)
	}
	n, err := headerLen(arg)
	if err != nil {
		return d.slow(arg, v)
	}
	d.mu.RLock()
	ts, ok := d.types[string(arg[:n])]
	d.mu.RUnlock()
	if !ok {
		if ts, _, err = candid.Decode(arg); err != nil {
			return fmt.Errorf("decode arguments: %w", err)
		}
		d.mu.Lock()
		if len(d.types) < maxCachedHeaders {
			d.types[string(arg[:n])] = ts
		}
		d.mu.Unlock()
	}
	if len(ts) != 1 {
		return fmt.Errorf("decode arguments: %d values, want 1", len(ts))
	}
	val, err := ts[0].Decode(bytes.NewReader(arg[n:]))
	if err != nil {
		return fmt.Errorf("decode arguments: %w", err)
	}
	if err := idl.UnmarshalGo(ts[0], val, v); err != nil {
		return fmt.Errorf("decode arguments: %w", candidguard.SafeError(err))
	}
	return nil
}

// slow decodes without the cache, for inputs the header scanner rejects
// (agent-go then reports the precise error).
func (d *argDecoder) slow(arg []byte, v any) error {
	if err := candidguard.Unmarshal(arg, []any{v}); err != nil {
		return fmt.Errorf("decode arguments: %w", err)
	}
	return nil
}

// headerLen returns the length of the magic, type table and argument type
// list at the start of a Candid message.
func headerLen(b []byte) (int, error) {
	if !bytes.HasPrefix(b, []byte("DIDL")) {
		return 0, errHeader
	}
	s := &scanner{b: b, i: 4}
	for range s.count() {
		s.typeEntry()
	}
	for range s.count() {
		s.leb()
	}
	return s.i, s.err
}

// scanner walks LEB128-encoded Candid header fields.
type scanner struct {
	b   []byte
	i   int
	err error
}

// leb skips one LEB128 number (signed or unsigned) and returns its value
// interpreted as signed for small negative opcodes.
func (s *scanner) leb() int64 {
	var v int64
	var shift uint
	for s.err == nil {
		if s.i >= len(s.b) || shift > 63 {
			s.err = errHeader
			return 0
		}
		c := s.b[s.i]
		s.i++
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
	return 0
}

// count reads an unsigned count, bounded by the remaining input.
func (s *scanner) count() int {
	start := s.i
	var v uint64
	var shift uint
	for s.err == nil && s.i < len(s.b) && shift < 63 {
		c := s.b[s.i]
		s.i++
		v |= uint64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if v > uint64(len(s.b)) {
				break
			}
			return int(v)
		}
	}
	s.i, s.err = start, errHeader
	return 0
}

// skip skips n bytes.
func (s *scanner) skip(n int) {
	if s.err == nil && s.i+n > len(s.b) {
		s.err = errHeader
	}
	s.i += n
}

// typeEntry skips one type table entry.
func (s *scanner) typeEntry() {
	switch op := s.leb(); op {
	case -18, -19: // opt, vec
		s.leb()
	case -20, -21: // record, variant
		for range s.count() {
			s.leb()
			s.leb()
		}
	case -22: // func
		for range s.count() {
			s.leb()
		}
		for range s.count() {
			s.leb()
		}
		s.skip(s.count())
	case -23: // service
		for range s.count() {
			s.skip(s.count())
			s.leb()
		}
	default:
		s.err = errHeader
	}
}
