package candidguard

import (
	"errors"
	"fmt"
)

// ErrUnsafe is matched (errors.Is) by every *UnsafeError.
var ErrUnsafe = errors.New("unsafe candid message")

// UnsafeError reports why Check refused a message.
type UnsafeError struct {
	// Part is the part of the message at fault: "header", "type table",
	// "argument types" or "value".
	Part string
	// Offset is the byte offset at which the problem was found.
	Offset int
	// Reason says what was wrong.
	Reason string
}

// Error returns the part, offset and reason.
func (e *UnsafeError) Error() string {
	return fmt.Sprintf("unsafe candid message: %s at byte %d: %s", e.Part, e.Offset, e.Reason)
}

// Is reports whether target is ErrUnsafe.
func (e *UnsafeError) Is(target error) bool { return target == ErrUnsafe }

// Parts of a message, for UnsafeError.Part.
const (
	partHeader = "header"
	partTable  = "type table"
	partArgs   = "argument types"
	partValue  = "value"
)
