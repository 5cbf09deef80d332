package candidguard

import (
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
)

// recursiveMismatch is a well-formed message whose type is recursive:
// variant { 0: record { 0: opt <the variant> } }, holding the innermost
// value. Check accepts it, but agent-go's UnmarshalGoError for it prints
// the variant's arm type, which never ends: unmarshalling it into a nat64
// and formatting the error overflows the stack (a fatal error), which is
// how a 19-byte get_proposal_info argument crashed govmodel.
const recursiveMismatch = "DIDL\x03\x6b\x01\x00\x01\x6c\x01\x00\x02\x6e\x00\x01\x00\x00\x00"

func TestUnmarshalErrorsNeverFormatTypes(t *testing.T) {
	if err := Check([]byte(recursiveMismatch)); err != nil {
		t.Fatalf("Check() = %v; the message is well formed", err)
	}
	var id uint64
	err := Unmarshal([]byte(recursiveMismatch), []any{&id})
	if err == nil {
		t.Fatal("a variant unmarshalled into a nat64")
	}
	want := "cannot unmarshal a candid *idl.Variant into Go value of type *uint64"
	if err.Error() != want {
		t.Fatalf("Unmarshal() = %q; want %q", err, want)
	}
	var ue *idl.UnmarshalGoError
	if errors.As(err, &ue) {
		t.Fatal("the unsafe agent-go error is still in the chain")
	}
}

func TestSafeErrorPassesOtherErrors(t *testing.T) {
	if SafeError(nil) != nil {
		t.Fatal("SafeError(nil) != nil")
	}
	other := errors.New("invalid utf8 text")
	if SafeError(other) != other {
		t.Fatal("SafeError changed an unrelated error")
	}
	v := idl.UnmarshalGoError{Raw: true, V: new(string)}
	if got := SafeError(v).Error(); got != "cannot unmarshal a candid bool into Go value of type *string" {
		t.Fatalf("SafeError(value error) = %q", got)
	}
}

func TestUnmarshalRefusesBeforeDecoding(t *testing.T) {
	var s string
	err := Unmarshal([]byte("DIDL\x00\x01\x71\xff\xff\xff\xff\x0f"), []any{&s})
	if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), "text length") {
		t.Fatalf("Unmarshal() = %v; want ErrUnsafe about the text length", err)
	}
	_, _, err = PayloadLimits.Decode([]byte("DIDL\x01\x6c\x01\x00\x00\x01\x00"))
	if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), "recursive") {
		t.Fatalf("Decode() = %v; want ErrUnsafe about recursion", err)
	}
}

func TestUnmarshalDecodesAcceptedMessages(t *testing.T) {
	type pair struct {
		A string `ic:"a"`
		B uint64 `ic:"b"`
	}
	in := pair{A: "x", B: 7}
	raw, err := candid.Marshal([]any{in})
	if err != nil {
		t.Fatal(err)
	}
	var out pair
	if err := Unmarshal(raw, []any{&out}); err != nil || out != in {
		t.Fatalf("Unmarshal() = %v, %+v; want %+v", err, out, in)
	}
	types, values, err := PayloadLimits.Decode(raw)
	if err != nil || len(types) != 1 || len(values) != 1 {
		t.Fatalf("Decode() = %v, %v, %v", types, values, err)
	}
}
