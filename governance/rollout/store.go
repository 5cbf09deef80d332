package rollout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// ErrLedgerChecksum reports a ledger whose bytes differ from the checksum
// nnspatch wrote with them: truncated, damaged or edited by hand. It comes
// wrapped in a *CorruptError.
var ErrLedgerChecksum = errors.New("release ledger fails its checksum")

// ChecksumError is a ledger that fails its checksum. It matches
// ErrLedgerChecksum.
type ChecksumError struct {
	// Want is the SHA-256 recorded in the file, Got the one of its content.
	Want, Got string
}

// Error implements error.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("its content has sha256 %s but nnspatch wrote it with sha256 %s (truncated, damaged or edited by hand)", e.Got, e.Want)
}

// Is reports whether target is ErrLedgerChecksum.
func (e *ChecksumError) Is(target error) bool { return target == ErrLedgerChecksum }

// CorruptError names the corrupt ledger and the problem (a parse error or
// a *ChecksumError). It matches ErrCorruptLedger.
type CorruptError struct {
	Path string
	Err  error
	// Backup is the path of release.yaml.bak when that file reads and
	// passes its checksum, so it can be restored; empty otherwise.
	Backup string
}

// Error implements error.
func (e *CorruptError) Error() string {
	if e.Backup != "" {
		return fmt.Sprintf("read ledger %s: %v; the file was left untouched; the previous version %s reads fine", e.Path, e.Err, e.Backup)
	}
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
	l, err := parseLedger(s.Path(), b)
	var ce *CorruptError
	if errors.As(err, &ce) {
		ce.Backup = s.goodBackup()
	}
	return l, err
}

// goodBackup returns the backup's path when it reads and passes its
// checksum, else "".
func (s Store) goodBackup() string {
	path := filepath.Join(s.Dir, BackupFile)
	b, err := readBounded(path)
	if err != nil {
		return ""
	}
	if _, err := parseLedger(path, b); err != nil {
		return ""
	}
	return path
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

// checksumPrefix starts the comment line that carries the SHA-256 of
// everything after it. It sits at the top of the file, so a truncated
// ledger keeps it and fails it. Ledgers written before it existed have no
// such line: they are read as they are and gain it on the next write.
const checksumPrefix = "# sha256: "

// verifyChecksum checks b against its checksum line, if it has one among
// its leading comment lines.
func verifyChecksum(b []byte) error {
	rest := b
	for bytes.HasPrefix(rest, []byte("#")) {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		if want, ok := bytes.CutPrefix(line, []byte(checksumPrefix)); ok {
			sum := sha256.Sum256(after)
			if got := hex.EncodeToString(sum[:]); got != string(want) {
				return &ChecksumError{Want: string(want), Got: got}
			}
			return nil
		}
		rest = after
	}
	return nil
}

// withChecksum is the file content of a ledger whose YAML is body.
func withChecksum(body []byte) []byte {
	sum := sha256.Sum256(body)
	out := make([]byte, 0, len(ledgerHeader)+len(checksumPrefix)+65+len(body))
	out = append(out, ledgerHeader...)
	out = append(out, checksumPrefix+hex.EncodeToString(sum[:])+"\n"...)
	return append(out, body...)
}

func parseLedger(path string, b []byte) (*Ledger, error) {
	if err := verifyChecksum(b); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
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
	// Under the lock no writer runs: a temporary file next to the ledger
	// was left by a process killed mid-write.
	for _, name := range []string{LedgerFile, BackupFile} {
		if _, err := fsutil.CleanTemp(filepath.Join(s.Dir, name)); err != nil {
			_ = unlock()
			return nil, fmt.Errorf("clean up after an interrupted write in %s: %w", s.Dir, err)
		}
	}
	return &Locked{s: s, unlock: unlock}, nil
}

// Unlock releases the lock.
func (lk *Locked) Unlock() error { return lk.unlock() }

// Read parses the ledger under the lock.
func (lk *Locked) Read() (*Ledger, error) { return lk.s.Read() }

// Save writes l atomically with its checksum, first copying the current
// ledger to release.yaml.bak. It refuses to replace a ledger that does not
// parse or fails its checksum, and never rotates into the backup a ledger
// whose audit log is shorter than the backup's (the log only grows: the
// file lost entries), so a damaged file never replaces the good backup.
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
		cur, err := parseLedger(path, old)
		if err != nil {
			var ce *CorruptError
			if errors.As(err, &ce) {
				ce.Backup = lk.s.goodBackup()
			}
			return err
		}
		if err := lk.checkAgainstBackup(cur); err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(lk.s.Dir, BackupFile), old); err != nil {
			return err
		}
	}
	return writeAtomic(path, withChecksum(data))
}

// checkAgainstBackup refuses cur, the ledger on disk, when its audit log is
// shorter than the backup's: entries were lost (a truncated ledger written
// before checksums existed still parses).
func (lk *Locked) checkAgainstBackup(cur *Ledger) error {
	bakPath := filepath.Join(lk.s.Dir, BackupFile)
	b, err := readBounded(bakPath)
	if err != nil {
		return nil // no backup yet, or unreadable: nothing to protect
	}
	bak, err := parseLedger(bakPath, b)
	if err != nil || len(cur.Audit) >= len(bak.Audit) {
		return nil
	}
	return &CorruptError{Path: lk.s.Path(), Backup: bakPath,
		Err: fmt.Errorf("its audit log has %d entries, the backup's %d: entries were lost", len(cur.Audit), len(bak.Audit))}
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
