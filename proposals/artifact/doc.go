// Package artifact verifies IC OS release packages before anyone votes for
// or deploys them: it computes streaming SHA-256 digests of files and
// download URLs in constant memory (with progress reporting and context
// cancellation), parses and checks coreutils SHA256SUMS files, parses the
// build's launch-measurements.json into [proposals.GuestLaunchMeasurements],
// and compares the copies served by several download mirrors.
//
// The usual flow for `nnspatch artifact check` is:
//
//	sums, err := artifact.LoadSums(ctx, sumsURL, opts)    // or ParseSums(r)
//	ds, err := artifact.HashAll(ctx, opts, mirrorURLs...) // *MirrorMismatchError if they differ
//	err = sums.Check("update-img.tar.zst", ds[0])        // *MismatchError if it differs
//	err = artifact.Check(proposalSHA256Hex, ds[0])        // the same against a proposal payload
//	m, err := artifact.LoadLaunchMeasurements(ctx, measurementsURL, opts)
//
// Every checksum disagreement satisfies errors.Is(err, ErrChecksumMismatch),
// which the CLI maps to exit code 6. Failures to read a source are
// *SourceError values whose Kind (ErrNotFound, ErrHTTPStatus, ErrTruncated,
// ErrTLS, ErrNetwork, ErrInsecureURL) is reachable with errors.Is.
//
// The library never looks at the terminal: callers pass an
// [Options.Progress] callback, and the sibling package progress renders a
// text progress bar onto any io.Writer.
package artifact
