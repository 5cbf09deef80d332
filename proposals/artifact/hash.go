package artifact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

// DefaultBufferSize is the read size used when [Options.BufferSize] is zero.
// 1 MiB was the fastest size measured with BenchmarkHashFileBuffer (smaller
// reads pay per-syscall overhead, larger ones only grow memory).
const DefaultBufferSize = 1 << 20

// Digest is the SHA-256 of one source.
type Digest struct {
	// Hex is the lowercase hex SHA-256 (64 characters).
	Hex string `json:"sha256"`
	// Size is the number of bytes hashed.
	Size int64 `json:"size"`
	// Source is the file path or URL as given by the caller.
	Source string `json:"source"`
}

// Progress is one progress report of a running hash.
type Progress struct {
	// Source is the file path or URL being hashed.
	Source string
	// Done is the number of bytes hashed so far.
	Done int64
	// Total is the expected size in bytes, or -1 when unknown.
	Total int64
}

// ProgressFunc receives progress reports. For one source, Done never
// decreases; the first report has Done == 0 and the last one of a
// successful hash has Done equal to the final size.
type ProgressFunc func(Progress)

// Options tunes hashing. The zero value hashes files and https URLs with
// http.DefaultTransport settings and no progress reporting.
type Options struct {
	// Progress, if set, is called as bytes are hashed. HashAll serializes
	// its calls, so it need not be safe for concurrent use.
	Progress ProgressFunc
	// AllowHTTP permits plain http:// URLs. Meant for loopback test servers;
	// release packages are fetched over https.
	AllowHTTP bool
	// Client is the HTTP client for URLs; nil means a client with
	// handshake and response-header timeouts but no overall deadline.
	Client *http.Client
	// BufferSize is the read size in bytes; zero means DefaultBufferSize.
	BufferSize int

	// tee, if set, receives a copy of every byte hashed (ReadSource).
	tee io.Writer
}

func (o Options) bufferSize() int {
	if o.BufferSize > 0 {
		return o.BufferSize
	}
	return DefaultBufferSize
}

// Hash hashes source, which is an http(s) URL or a file path.
func Hash(ctx context.Context, source string, opts Options) (Digest, error) {
	if IsURL(source) {
		return HashURL(ctx, source, opts)
	}
	return HashFile(ctx, source, opts)
}

// IsURL reports whether source looks like a URL (has a "scheme://" prefix)
// rather than a file path.
func IsURL(source string) bool {
	scheme, _, ok := strings.Cut(source, "://")
	if !ok || scheme == "" {
		return false
	}
	for _, r := range scheme {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// HashFile hashes the file at path in constant memory.
func HashFile(ctx context.Context, path string, opts Options) (Digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return Digest{}, fileError(path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Digest{}, fileError(path, err)
	}
	if info.IsDir() {
		return Digest{}, &SourceError{Source: path, Err: errors.New("is a directory"), Hint: "pass the release package file itself"}
	}
	total := info.Size()
	if !info.Mode().IsRegular() {
		total = -1
	}
	d, err := HashReader(ctx, f, path, total, opts)
	if err != nil && !isContextErr(err) {
		return Digest{}, &SourceError{Source: path, Err: err, Hint: "check that the file is readable"}
	}
	return d, err
}

func fileError(path string, err error) error {
	var pe *fs.PathError
	cause := err
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &SourceError{Source: path, Kind: ErrNotFound, Err: cause, Hint: "check the path"}
	case errors.Is(err, fs.ErrPermission):
		return &SourceError{Source: path, Err: cause, Hint: "check the file's permissions"}
	}
	return &SourceError{Source: path, Err: cause, Hint: "check the path"}
}

// HashReader hashes r in constant memory, reporting progress for source
// with the given total (-1 if unknown). It stops with ctx.Err() when ctx
// is cancelled between reads.
func HashReader(ctx context.Context, r io.Reader, source string, total int64, opts Options) (Digest, error) {
	h := sha256.New()
	buf := make([]byte, opts.bufferSize())
	report := opts.Progress
	if report == nil {
		report = func(Progress) {}
	}
	var done int64
	report(Progress{Source: source, Done: 0, Total: total})
	for {
		if err := ctx.Err(); err != nil {
			return Digest{}, fmt.Errorf("hash %s: %w", source, err)
		}
		n, err := r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if opts.tee != nil {
				if _, err := opts.tee.Write(buf[:n]); err != nil {
					return Digest{}, err
				}
			}
			done += int64(n)
			report(Progress{Source: source, Done: done, Total: total})
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return Digest{}, fmt.Errorf("hash %s: %w", source, ctxErr)
			}
			return Digest{}, err
		}
	}
	return Digest{Hex: hex.EncodeToString(h.Sum(nil)), Size: done, Source: source}, nil
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// NormalizeHex trims s, lowercases it and checks that it is a SHA-256 hex
// digest (64 hex digits); the error wraps ErrInvalidHex.
func NormalizeHex(s string) (string, error) {
	given := strings.TrimSpace(s)
	s = strings.ToLower(given)
	if len(s) != sha256.Size*2 {
		return "", fmt.Errorf("%w: %q has %d characters, want 64 hex digits", ErrInvalidHex, given, len(s))
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", fmt.Errorf("%w: %q is not hex", ErrInvalidHex, given)
	}
	return s, nil
}

// Check compares d with the expected hex digest want (any case, surrounding
// space ignored). It returns a *MismatchError if they differ, or an error
// wrapping ErrInvalidHex if want is malformed.
func Check(want string, d Digest) error {
	return check(want, "", d)
}

func check(want, wantFrom string, d Digest) error {
	w, err := NormalizeHex(want)
	if err != nil {
		return fmt.Errorf("check %s: %w", d.Source, err)
	}
	if w != d.Hex {
		return &MismatchError{Want: w, Got: d.Hex, Source: d.Source, WantFrom: wantFrom}
	}
	return nil
}
