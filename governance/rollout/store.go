package rollout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nnspatch/nnspatch/internal/fsutil"
	"gopkg.in/yaml.v3"
)

// File names inside a release directory.
const (
	LedgerFile = "release.yaml"
	BackupFile = "release.yaml.bak"
	LockFile   = "release.lock"
)

// MaxLedgerBytes bounds the ledger file read.
const MaxLedgerBytes = 16 << 20

// ErrCorruptLedger reports a release.yaml that does not parse; it is never
// overwritten.
var ErrCorruptLedger = errors.New("release ledger is corrupt")

// ErrNoRelease reports a directory without a release.yaml.
var ErrNoRelease = errors.New("no release ledger")

// ErrReleaseExists reports that a release directory already has a ledger.
var ErrReleaseExists = errors.New("release already exists")

// CorruptError names the corrupt ledger and the parse problem. It matches
// ErrCorruptLedger.
type CorruptError struct {
	Path string
	Err  error
}

// Error implements error.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("read ledger %s: %v; the file was left untouched: repair it or restore %s", e.Path, e.Err, BackupFile)
}

// Unwrap returns the parse problem.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is reports whether target is ErrCorruptLedger.
func (e *CorruptError) Is(target error) bool { return target == ErrCorruptLedger }

// Store is a release directory.
type Store struct {
	// Dir is the release directory.
	Dir string
}

// Path returns the ledger's path.
func (s Store) Path() string { return filepath.Join(s.Dir, LedgerFile) }

// Create makes the directory and writes the first ledger; it refuses when a
// ledger already exists there.
func (s Store) Create(ctx context.Context, l *Ledger) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("create release directory: %w", err)
	}
	lk, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	if _, err := os.Stat(s.Path()); err == nil {
		return fmt.Errorf("create release %s: %w; open it instead or pick another directory", s.Dir, ErrReleaseExists)
	}
	return lk.Save(l)
}

// Read parses the ledger without taking the lock (a reader always sees a
// whole file thanks to the atomic rename).
func (s Store) Read() (*Ledger, error) {
	b, err := readBounded(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read ledger %s: %w", s.Path(), ErrNoRelease)
	}
	if err != nil {
		return nil, fmt.Errorf("read ledger %s: %w", s.Path(), err)
	}
	return parseLedger(s.Path(), b)
}

func readBounded(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(fh, MaxLedgerBytes+1))
	if err != nil {
		return nil, err
	}
	if n > MaxLedgerBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxLedgerBytes)
	}
	return buf.Bytes(), nil
}

func parseLedger(path string, b []byte) (*Ledger, error) {
	var l Ledger
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	if l.SchemaVersion != LedgerSchemaVersion {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("schema_version %d, this build reads %d", l.SchemaVersion, LedgerSchemaVersion)}
	}
	if l.Version == "" {
		return nil, &CorruptError{Path: path, Err: errors.New("version: missing")}
	}
	return &l, nil
}

// Locked is a release held under its exclusive lock.
type Locked struct {
	s      Store
	unlock func() error
}

// Lock waits (polling, until ctx ends) for the release's exclusive lock.
func (s Store) Lock(ctx context.Context) (*Locked, error) {
	if _, err := os.Stat(s.Dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open release %s: %w (no such directory)", s.Dir, ErrNoRelease)
	} else if err != nil {
		return nil, fmt.Errorf("open release %s: %w", s.Dir, err)
	}
	return s.lock(ctx)
}

func (s Store) lock(ctx context.Context) (*Locked, error) {
	unlock, err := fsutil.Lock(ctx, filepath.Join(s.Dir, LockFile))
	if errors.Is(err, fsutil.ErrLocked) {
		return nil, fmt.Errorf("lock release %s: another nnspatch process holds it: %w", s.Dir, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("lock release %s: %w", s.Dir, err)
	}
	return &Locked{s: s, unlock: unlock}, nil
}

// Unlock releases the lock.
func (lk *Locked) Unlock() error { return lk.unlock() }

// Read parses the ledger under the lock.
func (lk *Locked) Read() (*Ledger, error) { return lk.s.Read() }

// Save writes l atomically, first copying the current ledger to
// release.yaml.bak. It refuses to replace a ledger that does not parse.
func (lk *Locked) Save(l *Ledger) error {
	data, err := yaml.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode ledger: %w", err)
	}
	path := lk.s.Path()
	old, err := readBounded(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read ledger %s: %w", path, err)
	default:
		if _, err := parseLedger(path, old); err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(lk.s.Dir, BackupFile), old); err != nil {
			return err
		}
	}
	return writeAtomic(path, append([]byte(ledgerHeader), data...))
}

const ledgerHeader = "# nnspatch release ledger: written by nnspatch, read by `nnspatch release status|log`.\n"

// Update runs fn on the ledger under the lock and saves the result when fn
// succeeds.
func (s Store) Update(ctx context.Context, fn func(*Ledger) error) (*Ledger, error) {
	lk, err := s.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	l, err := lk.Read()
	if err != nil {
		return nil, err
	}
	if err := fn(l); err != nil {
		return nil, err
	}
	return l, lk.Save(l)
}

// writeAtomic writes a temporary file in the same directory, fsyncs it,
// renames it over path and fsyncs the directory, so a crash leaves the old
// file or the new one.
func writeAtomic(path string, data []byte) error {
	if err := fsutil.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
