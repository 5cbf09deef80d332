package proposals

import (
	"fmt"
	"reflect"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

var principalType = reflect.TypeFor[principal.Principal]()

// assign stores a value produced by agent-go's generic candid.Decode into
// dst, following the `ic` tags. It is deliberately more tolerant than the
// agent-go reflection decoder, the way Candid subtyping is: unknown record
// fields are ignored, absent opt fields stay nil, an opt on the wire feeds a
// plain field (null gives the zero value) and a plain wire value feeds an opt
// field. A required field that is absent is an error naming its path.
func assign(dst reflect.Value, raw any, path string) error {
	t := dst.Type()
	switch {
	case t == principalType:
		p, ok := raw.(principal.Principal)
		if !ok {
			return mismatch(path, "principal", raw)
		}
		dst.Set(reflect.ValueOf(p))
		return nil
	case t.Kind() == reflect.Pointer:
		if raw == nil {
			dst.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if err := assign(p.Elem(), raw, path); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case raw == nil && t.Kind() == reflect.Struct:
		// agent-go decodes an empty record to nil; its required fields
		// are missing.
		return assignRecord(dst, map[string]any{}, path)
	case raw == nil:
		dst.SetZero() // null fed to a plain field
		return nil
	}
	return assignPlain(dst, raw, path)
}

// assignPlain handles text, bool, blobs, vectors and records.
func assignPlain(dst reflect.Value, raw any, path string) error {
	t := dst.Type()
	switch t.Kind() {
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return mismatch(path, "text", raw)
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return mismatch(path, "bool", raw)
		}
		dst.SetBool(b)
	case reflect.Slice:
		return assignSlice(dst, raw, path)
	case reflect.Struct:
		return assignRecord(dst, raw, path)
	default:
		return fmt.Errorf("%s: unsupported Go type %s", path, t)
	}
	return nil
}

func assignSlice(dst reflect.Value, raw any, path string) error {
	if b, ok := raw.([]byte); ok && dst.Type().Elem().Kind() == reflect.Uint8 {
		dst.SetBytes(append([]byte(nil), b...))
		return nil
	}
	items, ok := raw.([]any)
	if !ok {
		return mismatch(path, "vec", raw)
	}
	out := reflect.MakeSlice(dst.Type(), len(items), len(items))
	for i, it := range items {
		if dst.Type().Elem().Kind() == reflect.Uint8 {
			b, ok := it.(uint8)
			if !ok {
				return mismatch(fmt.Sprintf("%s[%d]", path, i), "nat8", it)
			}
			out.Index(i).SetUint(uint64(b))
			continue
		}
		if err := assign(out.Index(i), it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	dst.Set(out)
	return nil
}

func assignRecord(dst reflect.Value, raw any, path string) error {
	m, ok := raw.(map[string]any)
	if !ok {
		return mismatch(path, "record", raw)
	}
	t := dst.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := idl.ParseTags(f).Name
		if f.Tag.Get("ic") == "" {
			continue // not part of the Candid record
		}
		v, ok := m[idl.HashString(name)]
		if !ok {
			v, ok = m[name]
		}
		fpath := joinPath(path, name)
		if !ok {
			if f.Type.Kind() == reflect.Pointer {
				continue
			}
			return fmt.Errorf("%s: required field missing", fpath)
		}
		if err := assign(dst.Field(i), v, fpath); err != nil {
			return err
		}
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func mismatch(path, want string, got any) error {
	if path == "" {
		path = "payload"
	}
	return fmt.Errorf("%s: want %s, got %T", path, want, got)
}
