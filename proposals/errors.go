package proposals

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. The CLI edge maps ErrDraftInvalid, ErrDraftFile and
// ErrObsoleteFunction to exit code 3 (draft invalid) and ErrChecksumMismatch
// to 6.
var (
	// ErrDraftInvalid means Validate found at least one error-severity
	// problem; the wrapping *InvalidError lists them.
	ErrDraftInvalid = errors.New("draft invalid")
	// ErrDraftFile means a draft file could not be read or parsed; the
	// wrapping *FileError names the file, line and key.
	ErrDraftFile = errors.New("draft file unreadable")
	// ErrNotNnsFunction means the draft's action is not executed through
	// ExecuteNnsFunction (upgrade-canister, motion), so it has no payload blob.
	ErrNotNnsFunction = errors.New("action is not an NNS function")
	// ErrUnknownFunction means an NnsFunction id has no payload codec here.
	ErrUnknownFunction = errors.New("no payload codec for this NNS function")
	// ErrObsoleteFunction means governance refuses the NNS function at
	// submission; the message names the replacement.
	ErrObsoleteFunction = errors.New("obsolete NNS function")
	// ErrDecodePayload means payload bytes are not the Candid record the NNS
	// function expects.
	ErrDecodePayload = errors.New("payload is not valid Candid for the function")
	// ErrChecksumMismatch means a file's SHA-256 differs from the one the
	// draft declares (e.g. the wasm module of a canister upgrade).
	ErrChecksumMismatch = errors.New("checksum mismatch")
	// ErrNoForumURL reports a security election without a forum post link
	// (RequireForumURL): the forum post is where the community asks about a
	// patch whose source is withheld.
	ErrNoForumURL = errors.New("security election without a forum URL")
)

// InvalidError carries every problem Validate found in a draft. It matches
// ErrDraftInvalid under errors.Is.
type InvalidError struct {
	Problems []Problem
}

// Error lists the error-severity problems, one per line.
func (e *InvalidError) Error() string {
	var lines []string
	for _, p := range e.Problems {
		if p.Severity == SeverityError {
			lines = append(lines, p.String())
		}
	}
	return fmt.Sprintf("draft invalid (%d problems):\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Is reports whether target is ErrDraftInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrDraftInvalid }

// FileError is a problem with a draft file, located by path and, when known,
// the line and key. It matches ErrDraftFile under errors.Is and unwraps to
// the underlying cause.
type FileError struct {
	Path string // file path as given
	Line int    // 1-based line, 0 when unknown
	Key  string // offending key (dotted path), "" when not about one key
	Err  error
}

// Error formats "draft file <path>:<line>: <key>: <cause>".
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString("draft file ")
	if e.Path == "" {
		b.WriteString("<input>")
	} else {
		b.WriteString(e.Path)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// Is reports whether target is ErrDraftFile.
func (e *FileError) Is(target error) bool { return target == ErrDraftFile }
