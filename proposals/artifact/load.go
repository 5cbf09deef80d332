package artifact

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/nnspatch/nnspatch/proposals"
)

// MaxSmallFile bounds ReadSource for the small companion files of a
// release (SHA256SUMS, launch-measurements.json).
const MaxSmallFile = 4 << 20

// ReadSource reads a small file or http(s) URL (e.g. a SHA256SUMS next to
// a release package) into memory, refusing more than limit bytes. URL
// fetches follow the same rules and errors as HashURL; opts.Progress is
// not used.
func ReadSource(ctx context.Context, source string, limit int64, opts Options) ([]byte, error) {
	var buf bytes.Buffer
	w := &limitWriter{w: &buf, limit: limit}
	if err := copySource(ctx, source, w, opts); err != nil {
		if w.over {
			return nil, &SourceError{Source: source, Err: fmt.Errorf("larger than %d bytes", limit),
				Hint: "is this the right file?"}
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

// copySource streams source into w, checking that files exist and that
// downloads are complete.
func copySource(ctx context.Context, source string, w io.Writer, opts Options) error {
	opts.Progress = nil
	if !IsURL(source) {
		f, err := os.Open(source)
		if err != nil {
			return fileError(source, err)
		}
		defer f.Close()
		if _, err := io.Copy(w, f); err != nil {
			return &SourceError{Source: source, Err: err, Hint: "check that the file is readable"}
		}
		return nil
	}
	// HashURL already streams with every check; tee the body into w.
	opts.tee = w
	_, err := HashURL(ctx, source, opts)
	return err
}

// limitWriter fails once more than limit bytes are written.
type limitWriter struct {
	w     io.Writer
	limit int64
	n     int64
	over  bool
}

func (l *limitWriter) Write(p []byte) (int, error) {
	l.n += int64(len(p))
	if l.n > l.limit {
		l.over = true
		return 0, fmt.Errorf("larger than %d bytes", l.limit)
	}
	return l.w.Write(p)
}

// LoadSums reads and parses a SHA256SUMS file or URL; parse errors name
// the source.
func LoadSums(ctx context.Context, source string, opts Options) (Sums, error) {
	data, err := ReadSource(ctx, source, MaxSmallFile, opts)
	if err != nil {
		return Sums{}, err
	}
	sums, err := ParseSums(bytes.NewReader(data))
	if err != nil {
		return sums, fmt.Errorf("parse %s: %w", source, err)
	}
	return sums, nil
}

// LoadLaunchMeasurements reads and parses a launch-measurements.json file
// or URL; parse errors name the source.
func LoadLaunchMeasurements(ctx context.Context, source string, opts Options) (proposals.GuestLaunchMeasurements, error) {
	data, err := ReadSource(ctx, source, MaxSmallFile, opts)
	if err != nil {
		return proposals.GuestLaunchMeasurements{}, err
	}
	m, err := ParseLaunchMeasurements(bytes.NewReader(data))
	if err != nil {
		return m, fmt.Errorf("parse %s: %w", source, err)
	}
	return m, nil
}
