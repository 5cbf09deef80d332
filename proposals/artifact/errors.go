package artifact

import (
	"errors"
	"fmt"
	"strings"
)

// ErrChecksumMismatch is matched (errors.Is) by every error reporting that
// a digest differs from the expected one or that mirrors disagree.
var ErrChecksumMismatch = errors.New("checksum mismatch")

// ErrNotFound reports that a file or URL does not exist (HTTP 404 or 410).
var ErrNotFound = errors.New("not found")

// ErrHTTPStatus reports that a server answered with a non-200 status.
var ErrHTTPStatus = errors.New("unexpected HTTP status")

// ErrTruncated reports that a download ended before its announced length.
var ErrTruncated = errors.New("truncated download")

// ErrTLS reports that the TLS handshake or certificate verification failed.
var ErrTLS = errors.New("TLS failure")

// ErrNetwork reports that a server could not be reached.
var ErrNetwork = errors.New("network unreachable")

// ErrInsecureURL reports a plain http:// (or unsupported scheme) URL used
// without [Options.AllowHTTP].
var ErrInsecureURL = errors.New("insecure URL")

// ErrInvalidHex reports an expected checksum that is not 64 hex digits.
var ErrInvalidHex = errors.New("invalid SHA-256 hex")

// SourceError reports a failure to read one source (a file or a URL).
// errors.Is matches both its Kind and the underlying Err.
type SourceError struct {
	// Source is the file path or URL as given by the caller.
	Source string
	// Kind is one of the package sentinels (ErrNotFound, ErrTLS, ...) or nil.
	Kind error
	// Err is the underlying cause.
	Err error
	// Hint says what to do next, e.g. "check the path".
	Hint string
}

// Error implements error: "hash <source>: <cause>; <hint>".
func (e *SourceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hash %s: %v", e.Source, e.Err)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the kind sentinel and the cause for errors.Is/As.
func (e *SourceError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// MismatchError reports that a digest differs from the expected one.
type MismatchError struct {
	// Want is the expected lowercase hex digest.
	Want string
	// Got is the computed lowercase hex digest.
	Got string
	// Source is the file or URL that was hashed.
	Source string
	// WantFrom says where Want came from, e.g. "SHA256SUMS line 3"; may be empty.
	WantFrom string
}

// Error implements error and prints both digests.
func (e *MismatchError) Error() string {
	from := ""
	if e.WantFrom != "" {
		from = " (from " + e.WantFrom + ")"
	}
	return fmt.Sprintf("checksum mismatch for %s: want sha256 %s%s, got %s; do not use this file",
		e.Source, e.Want, from, e.Got)
}

// Is reports whether target is ErrChecksumMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrChecksumMismatch }

// MirrorMismatchError reports that copies of the same artifact (e.g. two
// download mirrors) hashed differently. Digests lists every source in the
// order given.
type MirrorMismatchError struct {
	// Digests holds one digest per source, in the order given.
	Digests []Digest
}

// Error implements error, listing each source with its digest.
func (e *MirrorMismatchError) Error() string {
	var b strings.Builder
	b.WriteString("sources disagree:")
	for _, d := range e.Digests {
		fmt.Fprintf(&b, " %s sha256 %s (%d bytes);", d.Source, d.Hex, d.Size)
	}
	b.WriteString(" do not use this artifact until every mirror serves the same bytes")
	return b.String()
}

// Is reports whether target is ErrChecksumMismatch.
func (e *MirrorMismatchError) Is(target error) bool { return target == ErrChecksumMismatch }
