package governance

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// This file is a Candid decoder for the generated govdid types. agent-go's
// decoder recomputes every field-name hash with math/big for every value,
// which made decoding a page of 100 proposals take ~30 ms; this one caches
// the hashes per Go type. It supports the types governance.did uses and
// follows Candid's subtyping for records: unknown wire fields are skipped,
// missing ones stay zero. The tests check it against agent-go's decoder.

// Candid type codes (the IC interface spec, Candid binary format).
const (
	tNull, tBool, tNat, tInt              = -1, -2, -3, -4
	tNat8, tNat16, tNat32, tNat64         = -5, -6, -7, -8
	tInt8, tInt16, tInt32, tInt64         = -9, -10, -11, -12
	tFloat32, tFloat64, tText, tReserved  = -13, -14, -15, -16
	tEmpty, tOpt, tVec, tRecord, tVariant = -17, -18, -19, -20, -21
	tFunc, tService, tPrincipal           = -22, -23, -24
)

var errCandid = errors.New("malformed candid")

type wireField struct {
	id  uint32
	typ int64
}

type wireType struct {
	kind   int64 // tOpt, tVec, tRecord, tVariant
	elem   int64
	fields []wireField
}

type candidDecoder struct {
	r     *bytes.Reader
	table []wireType
	depth int
}

// decodeCandid decodes a Candid message into outs (pointers), in order.
func decodeCandid(raw []byte, outs ...any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errCandid, r)
		}
	}()
	if !bytes.HasPrefix(raw, []byte("DIDL")) {
		return fmt.Errorf("%w: no DIDL magic", errCandid)
	}
	d := &candidDecoder{r: bytes.NewReader(raw[4:])}
	if err := d.readTable(); err != nil {
		return err
	}
	n, err := d.uleb()
	if err != nil || n > uint64(d.r.Len()) {
		return fmt.Errorf("%w: bad argument count", errCandid)
	}
	args := make([]int64, n)
	for i := range args {
		if args[i], err = d.typeRef(); err != nil {
			return err
		}
	}
	for i, out := range outs {
		if i >= len(args) {
			return fmt.Errorf("%w: %d values, want %d", errCandid, len(args), len(outs))
		}
		if err := d.value(args[i], reflect.ValueOf(out).Elem()); err != nil {
			return err
		}
	}
	return nil
}

func (d *candidDecoder) readTable() error {
	n, err := d.uleb()
	if err != nil {
		return err
	}
	if n > uint64(d.r.Len()) {
		return fmt.Errorf("%w: type table too long", errCandid)
	}
	d.table = make([]wireType, n)
	for i := range d.table {
		if err := d.readType(&d.table[i]); err != nil {
			return err
		}
	}
	for _, t := range d.table {
		if err := d.checkRefs(t); err != nil {
			return err
		}
	}
	return nil
}

func (d *candidDecoder) readType(t *wireType) error {
	k, err := d.sleb()
	if err != nil {
		return err
	}
	t.kind = k
	switch k {
	case tOpt, tVec:
		t.elem, err = d.typeRef()
		return err
	case tRecord, tVariant:
		n, err := d.uleb()
		if err != nil || n > uint64(d.r.Len()) {
			return fmt.Errorf("%w: bad field count", errCandid)
		}
		t.fields = make([]wireField, n)
		for i := range t.fields {
			id, err := d.uleb()
			if err != nil {
				return err
			}
			t.fields[i].id = uint32(id)
			if t.fields[i].typ, err = d.typeRef(); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: unsupported type code %d in type table", errCandid, k)
}

func (d *candidDecoder) checkRefs(t wireType) error {
	refs := []int64{t.elem}
	for _, f := range t.fields {
		refs = append(refs, f.typ)
	}
	for _, r := range refs {
		if r >= int64(len(d.table)) {
			return fmt.Errorf("%w: type index %d out of range", errCandid, r)
		}
	}
	return nil
}

func (d *candidDecoder) typeRef() (int64, error) {
	r, err := d.sleb()
	if err != nil {
		return 0, err
	}
	if r < tPrincipal || r == tFunc || r == tService {
		return 0, fmt.Errorf("%w: unsupported type %d", errCandid, r)
	}
	return r, nil
}

func (d *candidDecoder) uleb() (uint64, error) {
	v, err := binary.ReadUvarint(d.r)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errCandid, err)
	}
	return v, nil
}

func (d *candidDecoder) sleb() (int64, error) {
	var v int64
	var shift uint
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("%w: %v", errCandid, err)
		}
		v |= int64(b&0x7f) << shift
		shift += 7
		if b&0x80 == 0 {
			if shift < 64 && b&0x40 != 0 {
				v |= -1 << shift
			}
			return v, nil
		}
		if shift >= 70 {
			return 0, fmt.Errorf("%w: sleb128 overflow", errCandid)
		}
	}
}

func (d *candidDecoder) bytesN(n uint64) ([]byte, error) {
	if n > uint64(d.r.Len()) {
		return nil, fmt.Errorf("%w: length %d beyond input", errCandid, n)
	}
	b := make([]byte, n)
	_, err := d.r.Read(b)
	return b, err
}

// value decodes one value of wire type t into v (v may be invalid: skip).
func (d *candidDecoder) value(t int64, v reflect.Value) error {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > 200 {
		return fmt.Errorf("%w: nesting too deep", errCandid)
	}
	if v.IsValid() && v.Kind() == reflect.Pointer && !(t >= 0 && d.table[t].kind == tOpt) {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if t < 0 {
		return d.primitive(t, v)
	}
	wt := d.table[t]
	switch wt.kind {
	case tOpt:
		return d.opt(wt, v)
	case tVec:
		return d.vec(wt, v)
	case tRecord:
		return d.record(wt, v)
	default:
		return d.variant(wt, v)
	}
}

func (d *candidDecoder) opt(wt wireType, v reflect.Value) error {
	flag, err := d.r.ReadByte()
	if err != nil || flag > 1 {
		return fmt.Errorf("%w: bad opt flag", errCandid)
	}
	if flag == 0 {
		return nil
	}
	if v.IsValid() && v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := d.value(wt.elem, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	return d.value(wt.elem, v)
}

func (d *candidDecoder) vec(wt wireType, v reflect.Value) error {
	n, err := d.uleb()
	if err != nil {
		return err
	}
	if wt.elem == tNat8 {
		b, err := d.bytesN(n)
		if err == nil && v.IsValid() {
			v.SetBytes(b)
		}
		return err
	}
	limit := uint64(d.r.Len()) + 1
	if wt.elem == tNull || wt.elem == tReserved {
		limit = 1 << 16 // zero-sized elements: bound the work, not the input
	}
	if n > limit {
		return fmt.Errorf("%w: vector length %d beyond input", errCandid, n)
	}
	if !v.IsValid() {
		for range n {
			if err := d.value(wt.elem, reflect.Value{}); err != nil {
				return err
			}
		}
		return nil
	}
	s := reflect.MakeSlice(v.Type(), int(n), int(n))
	for i := range int(n) {
		if err := d.value(wt.elem, s.Index(i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func (d *candidDecoder) record(wt wireType, v reflect.Value) error {
	var idx map[uint32]int
	if v.IsValid() {
		idx = fieldIndex(v.Type())
	}
	for _, f := range wt.fields {
		target := reflect.Value{}
		if i, ok := idx[f.id]; ok {
			target = v.Field(i)
		}
		if err := d.value(f.typ, target); err != nil {
			return err
		}
	}
	return nil
}

func (d *candidDecoder) variant(wt wireType, v reflect.Value) error {
	i, err := d.uleb()
	if err != nil || i >= uint64(len(wt.fields)) {
		return fmt.Errorf("%w: variant index out of range", errCandid)
	}
	f := wt.fields[i]
	target := reflect.Value{}
	if v.IsValid() {
		if j, ok := fieldIndex(v.Type())[f.id]; ok {
			target = v.Field(j)
		} else {
			noteUnknownArm(v, f.id) // a newer arm: skipped, but remembered
		}
	}
	return d.value(f.typ, target)
}

func (d *candidDecoder) primitive(t int64, v reflect.Value) error {
	switch t {
	case tNull, tReserved:
		return nil
	case tEmpty:
		return fmt.Errorf("%w: value of type empty", errCandid)
	case tBool:
		b, err := d.r.ReadByte()
		if err != nil || b > 1 {
			return fmt.Errorf("%w: bad bool", errCandid)
		}
		if v.IsValid() {
			v.SetBool(b == 1)
		}
		return nil
	case tNat, tInt:
		return d.bigNumber(t, v)
	case tText:
		n, err := d.uleb()
		if err != nil {
			return err
		}
		b, err := d.bytesN(n)
		if err == nil && v.IsValid() {
			v.SetString(string(b))
		}
		return err
	case tPrincipal:
		return d.principal(v)
	}
	return d.fixed(t, v)
}

func (d *candidDecoder) fixed(t int64, v reflect.Value) error {
	size := map[int64]int{tNat8: 1, tNat16: 2, tNat32: 4, tNat64: 8, tInt8: 1, tInt16: 2, tInt32: 4, tInt64: 8, tFloat32: 4, tFloat64: 8}[t]
	if size == 0 {
		return fmt.Errorf("%w: unsupported type %d", errCandid, t)
	}
	var buf [8]byte
	if _, err := d.r.Read(buf[:size]); err != nil {
		return fmt.Errorf("%w: %v", errCandid, err)
	}
	u := binary.LittleEndian.Uint64(buf[:])
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		v.SetUint(u)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(signExtend(u, size))
	case reflect.Float32, reflect.Float64:
		if size == 4 {
			v.SetFloat(float64(math.Float32frombits(uint32(u))))
		} else {
			v.SetFloat(math.Float64frombits(u))
		}
	default:
		return fmt.Errorf("%w: cannot store type %d in %s", errCandid, t, v.Type())
	}
	return nil
}

func signExtend(u uint64, size int) int64 {
	shift := 64 - 8*uint(size)
	return int64(u<<shift) >> shift
}

func (d *candidDecoder) bigNumber(t int64, v reflect.Value) error {
	var n *big.Int
	if t == tNat {
		n = new(big.Int)
		var shift uint
		for {
			b, err := d.r.ReadByte()
			if err != nil {
				return fmt.Errorf("%w: %v", errCandid, err)
			}
			n.Or(n, new(big.Int).Lsh(big.NewInt(int64(b&0x7f)), shift))
			shift += 7
			if b&0x80 == 0 {
				break
			}
		}
	} else {
		i, err := d.sleb()
		if err != nil {
			return err
		}
		n = big.NewInt(i)
	}
	if !v.IsValid() {
		return nil
	}
	switch v.Type() {
	case reflect.TypeOf(idl.Nat{}):
		v.Set(reflect.ValueOf(idl.NewBigNat(n)))
	case reflect.TypeOf(idl.Int{}):
		v.Set(reflect.ValueOf(idl.NewBigInt(n)))
	default:
		switch v.Kind() {
		case reflect.Uint64, reflect.Uint32, reflect.Uint:
			v.SetUint(n.Uint64())
		case reflect.Int64, reflect.Int32, reflect.Int:
			v.SetInt(n.Int64())
		default:
			return fmt.Errorf("%w: cannot store a number in %s", errCandid, v.Type())
		}
	}
	return nil
}

func (d *candidDecoder) principal(v reflect.Value) error {
	flag, err := d.r.ReadByte()
	if err != nil || flag != 1 {
		return fmt.Errorf("%w: unsupported principal reference", errCandid)
	}
	n, err := d.uleb()
	if err != nil {
		return err
	}
	b, err := d.bytesN(n)
	if err == nil && v.IsValid() {
		v.Set(reflect.ValueOf(principal.Principal{Raw: b}))
	}
	return err
}

// fieldIndexes caches, per struct type, the Candid field id of each field.
var fieldIndexes sync.Map // reflect.Type -> map[uint32]int

func fieldIndex(t reflect.Type) map[uint32]int {
	if m, ok := fieldIndexes.Load(t); ok {
		return m.(map[uint32]int)
	}
	m := map[uint32]int{}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("ic"), ",")
			if name == "" {
				name = strings.ToLower(f.Name[:1]) + f.Name[1:]
			}
			m[candidID(name)] = i
		}
	}
	fieldIndexes.Store(t, m)
	return m
}

// candidID is a field's id: its number for numeric names (tuples),
// otherwise the Candid name hash.
func candidID(name string) uint32 {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return uint32(n)
	}
	var h uint32
	for i := 0; i < len(name); i++ {
		h = h*223 + uint32(name[i])
	}
	return h
}
