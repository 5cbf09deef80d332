package regmodel

import (
	"errors"
	"fmt"
)

// Sentinel errors classify why the registry refused an NNS function or a seed.
// A refused function is always an *ExecError that unwraps to ErrRejected and
// to one of the more specific sentinels below.
var (
	// ErrRejected is matched by every refusal of an NNS function or an
	// install: the registry trapped and nothing changed.
	ErrRejected = errors.New("registry rejected the call")
	// ErrUnsupportedFunction means the NNS function id is not one the model
	// executes.
	ErrUnsupportedFunction = errors.New("unsupported nns function")
	// ErrInvalidPayload means the Candid payload did not decode or failed the
	// payload's own validation.
	ErrInvalidPayload = errors.New("invalid payload")
	// ErrNotElected means a deploy named a version that is not elected.
	ErrNotElected = errors.New("version not elected")
	// ErrAlreadyElected means an election named a version that is already
	// elected.
	ErrAlreadyElected = errors.New("version already elected")
	// ErrVersionInUse means an unelection named a version still deployed to a
	// subnet, the unassigned nodes, an API boundary node or a node's HostOS.
	ErrVersionInUse = errors.New("version in use")
	// ErrUnknownVersion means an unelection named a version the registry does
	// not hold.
	ErrUnknownVersion = errors.New("unknown version")
	// ErrUnknownSubnet means a subnet id has no subnet record.
	ErrUnknownSubnet = errors.New("unknown subnet")
	// ErrUnknownNode means a node id has no node or API boundary node record.
	ErrUnknownNode = errors.New("unknown node")
	// ErrInvariant means the mutation would break a registry invariant
	// (malformed hash or URL, empty measurements, ...).
	ErrInvariant = errors.New("registry invariant violated")
	// ErrInvalidInstallMode means InstallCode got a mode other than install,
	// reinstall or upgrade, or an install over an existing module.
	ErrInvalidInstallMode = errors.New("invalid install mode")
	// ErrInvalidSeed means New was given a topology that breaks a registry
	// invariant.
	ErrInvalidSeed = errors.New("invalid registry seed")
)

// ExecError is the registry's refusal of one NNS function. Message is the
// text the registry canister traps with (for example "[Registry] Cannot
// retire versions {\"abc\"}, because they are currently deployed to a
// subnet!"); governance shows it in the proposal's failure reason.
type ExecError struct {
	// Function is the NnsFunction id that was refused.
	Function int32
	// Message is the registry's panic message.
	Message string
	// Kind is the sentinel classifying the refusal.
	Kind error
}

// Error returns the registry's panic message.
func (e *ExecError) Error() string { return e.Message }

// Unwrap returns ErrRejected and the specific sentinel, for errors.Is.
func (e *ExecError) Unwrap() []error { return []error{ErrRejected, e.Kind} }

// trap is a registry panic raised while computing a mutation; execute turns
// it into an *ExecError for the calling function.
type trap struct {
	kind error
	msg  string
}

// trapf builds a trap with a formatted registry message.
func trapf(kind error, format string, args ...any) *trap {
	return &trap{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// logPrefix is the prefix the registry canister puts on its own messages.
const logPrefix = "[Registry] "
