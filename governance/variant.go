package governance

import (
	"reflect"
	"strings"
)

// variantName returns the Candid tag of the one non-nil field of a
// generated variant struct.
func variantName(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return "Unknown"
	}
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			tag, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("ic"), ",")
			return tag
		}
	}
	return "Unknown"
}
