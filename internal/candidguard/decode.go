package candidguard

import (
	"errors"
	"fmt"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
)

// Unmarshal checks data under DefaultLimits and then decodes it with
// candid.Unmarshal into values (pointers, one per argument).
func Unmarshal(data []byte, values []any) error { return DefaultLimits.Unmarshal(data, values) }

// Unmarshal checks data under l and then decodes it with candid.Unmarshal
// into values. A decode error is passed through SafeError.
func (l Limits) Unmarshal(data []byte, values []any) error {
	if err := l.Check(data); err != nil {
		return err
	}
	return SafeError(candid.Unmarshal(data, values))
}

// Decode checks data under l and then decodes it with candid.Decode. A
// decode error is passed through SafeError.
func (l Limits) Decode(data []byte) ([]idl.Type, []any, error) {
	if err := l.Check(data); err != nil {
		return nil, nil, err
	}
	types, values, err := candid.Decode(data)
	return types, values, SafeError(err)
}

// SafeError returns err, except that agent-go's UnmarshalGoError is
// replaced by an error naming only Go types: its text prints the decoded
// value, which holds the types of variant arms, and formatting a recursive
// type never ends. Call it on every error of idl.UnmarshalGo before
// formatting it.
func SafeError(err error) error {
	var p *idl.UnmarshalGoError
	if errors.As(err, &p) {
		return fmt.Errorf("cannot unmarshal a candid %T into Go value of type %T", p.Raw, p.V)
	}
	var v idl.UnmarshalGoError
	if errors.As(err, &v) {
		return fmt.Errorf("cannot unmarshal a candid %T into Go value of type %T", v.Raw, v.V)
	}
	return err
}
