package proposals

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecodePayload feeds arbitrary bytes to every payload decoder. No input
// may panic, and whatever decodes must survive a re-encode unchanged.
// Seeds: testdata/fuzz/FuzzDecodePayload (JS fixtures, own encodings and
// malformed variants).
func FuzzDecodePayload(f *testing.F) {
	f.Add(int32(38), []byte("DIDL\x00\x00"))
	f.Fuzz(func(t *testing.T, fn int32, data []byte) {
		a, err := DecodePayload(fn, data)
		if err != nil {
			return
		}
		if _, err := DescribePayload(fn, data); err != nil {
			t.Fatalf("DescribePayload fails where DecodePayload succeeded: %v", err)
		}
		b, err := EncodePayload(a)
		if err != nil {
			t.Fatalf("decoded %T does not re-encode: %v", a, err)
		}
		again, err := DecodePayload(fn, b)
		if err != nil {
			t.Fatalf("re-encoded %T does not decode: %v", a, err)
		}
		if diff := cmp.Diff(a, again, principalCmp, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("re-encode changed the payload:\n%s", diff)
		}
	})
}

// FuzzParseDraft feeds arbitrary bytes to the draft parser. No input may
// panic; a parsed draft must validate and render without panicking and
// survive MarshalDraft/ParseDraft unchanged. Seeds:
// testdata/fuzz/FuzzParseDraft (every kind, the example, broken files).
func FuzzParseDraft(f *testing.F) {
	f.Add([]byte("schema_version: 1\nkind: motion\nmotion:\n  motion_text: hi\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDraft(data)
		if err != nil {
			return
		}
		Validate(d)
		if _, err := d.Action(); err == nil {
			if _, err := Render(d); err != nil {
				// Only encoding failures may stop Render; those are
				// reported by Validate as well.
				return
			}
		}
		out, err := MarshalDraft(d)
		if err != nil {
			t.Fatalf("parsed draft does not marshal: %v", err)
		}
		again, err := ParseDraft(out)
		if err != nil {
			t.Fatalf("marshalled draft does not parse: %v\n%s", err, out)
		}
		if diff := cmp.Diff(d, again, principalCmp, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("draft changed through MarshalDraft:\n%s\n%s", diff, out)
		}
	})
}
