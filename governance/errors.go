package governance

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUntrusted reports that a response failed verification: a certificate
// or a query signature did not check out against the network's root key.
var ErrUntrusted = errors.New("untrusted response")

// ErrUnreachable reports that the network could not be reached at all.
var ErrUnreachable = errors.New("network unreachable")

// ErrIdentity reports that an identity could not be found or loaded.
var ErrIdentity = errors.New("identity unavailable")

// ErrEncryptedKey reports that a key file is password-protected; nnspatch
// reads plaintext PEM files only.
var ErrEncryptedKey = errors.New("key file is encrypted")

// ErrProposalNotFound reports that governance has no proposal with the id.
var ErrProposalNotFound = errors.New("proposal not found")

// ErrNeuronNotControlled reports that the identity is neither the
// controller nor a hotkey of the neuron.
var ErrNeuronNotControlled = errors.New("neuron not controlled by identity")

// ErrProposalClosed reports that a proposal no longer accepts the action.
var ErrProposalClosed = errors.New("proposal closed")

// ErrAlreadyVoted reports that the neuron had already voted on the proposal.
var ErrAlreadyVoted = errors.New("neuron already voted")

// ErrMalformedReply reports a verified reply that breaks the interface's
// contract (for example a proposal page that does not move backwards).
var ErrMalformedReply = errors.New("malformed reply")

// ErrNotFound reports that a registry record does not exist.
var ErrNotFound = errors.New("record not found")

// UntrustedError carries the network and the verification failure. It
// matches ErrUntrusted with errors.Is.
type UntrustedError struct {
	Network string
	Err     error
}

// Error implements error.
func (e *UntrustedError) Error() string {
	return fmt.Sprintf("untrusted response from network %s: %v", e.Network, e.Err)
}

// Unwrap returns the verification failure.
func (e *UntrustedError) Unwrap() error { return e.Err }

// Is reports whether target is ErrUntrusted.
func (e *UntrustedError) Is(target error) bool { return target == ErrUntrusted }

// UnreachableError carries the network and the transport failure. It
// matches ErrUnreachable with errors.Is.
type UnreachableError struct {
	Network string
	URL     string
	Err     error
}

// Error implements error.
func (e *UnreachableError) Error() string {
	if e.Network == e.URL || e.URL == "" {
		return fmt.Sprintf("network %s unreachable: %v", e.Network, e.Err)
	}
	return fmt.Sprintf("network %s at %s unreachable: %v", e.Network, e.URL, e.Err)
}

// Unwrap returns the transport failure.
func (e *UnreachableError) Unwrap() error { return e.Err }

// Is reports whether target is ErrUnreachable.
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

// RejectedError is a refusal by the network or a canister: a reject code
// from the replica, or a GovernanceError returned by the governance canister.
type RejectedError struct {
	// Code is the IC reject code (0 when the canister answered with a
	// GovernanceError instead).
	Code uint64
	// ErrorType is the GovernanceError error_type (0 for replica rejects).
	ErrorType int32
	// Message is the service's reason, verbatim.
	Message string
}

// Error implements error.
func (e *RejectedError) Error() string {
	if e.ErrorType != 0 {
		return fmt.Sprintf("governance rejected the command (%s): %s", governanceErrorName(e.ErrorType), e.Message)
	}
	return fmt.Sprintf("rejected (code %d): %s", e.Code, e.Message)
}

// Is lets errors.Is match the sentinels that a governance error type implies.
func (e *RejectedError) Is(target error) bool {
	switch target {
	case ErrNeuronNotControlled:
		return e.ErrorType == 3
	case ErrAlreadyVoted:
		return isAlreadyVoted(e.Message)
	case ErrProposalNotFound:
		return e.ErrorType == 4 && strings.Contains(strings.ToLower(e.Message), "proposal")
	case ErrProposalClosed:
		return strings.Contains(strings.ToLower(e.Message), "voting is closed") || strings.Contains(strings.ToLower(e.Message), "no longer open")
	}
	return false
}

// IsRejected reports whether err is a refusal by the network or a canister.
func IsRejected(err error) bool {
	var r *RejectedError
	return errors.As(err, &r)
}

func isAlreadyVoted(msg string) bool {
	return strings.Contains(strings.ToLower(msg), "already voted")
}

func governanceErrorName(t int32) string {
	names := []string{"Unspecified", "Ok", "Unavailable", "NotAuthorized", "NotFound",
		"InvalidCommand", "RequiresNotDissolving", "RequiresDissolving", "RequiresDissolved",
		"HotKey", "ResourceExhausted", "PreconditionFailed", "External", "LedgerUpdateOngoing",
		"InsufficientFunds", "InvalidPrincipal", "InvalidProposal", "AlreadyJoinedCommunityFund",
		"NotInTheCommunityFund"}
	if t >= 0 && int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprintf("error type %d", t)
}
