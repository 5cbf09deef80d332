package fsutil

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked reports a lock another process holds.
var ErrLocked = errors.New("locked by another process")

// ErrSymlink reports a lock file that is a symbolic link: locks never
// follow one (it could make nnspatch create or open a file elsewhere).
var ErrSymlink = errors.New("is a symbolic link")

// retryDelay is how often Lock tries again while another process holds it.
const retryDelay = 20 * time.Millisecond

// lockFlags opens a lock file for locking without following a symbolic
// link at its last component (noFollow is O_NOFOLLOW where it exists).
const lockFlags = os.O_CREATE | os.O_RDWR | noFollow

// newFlock returns the lock of path, refusing a symbolic link.
func newFlock(path string) (*flock.Flock, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("lock %s: %w; remove it, nnspatch does not follow links for its locks", path, ErrSymlink)
	}
	return flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(lockFlags)), nil
}

// symlinkErr names ErrSymlink when opening path failed because it became a
// link after the check (O_NOFOLLOW's ELOOP).
func symlinkErr(path string, err error) error {
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("lock %s: %w; remove it, nnspatch does not follow links for its locks", path, ErrSymlink)
	}
	return err
}

// Lock takes the exclusive lock on the file at path (created if missing,
// mode 0600, never through a symbolic link: ErrSymlink), waiting until ctx
// ends; then it returns ctx's error wrapped with ErrLocked. unlock
// releases it.
func Lock(ctx context.Context, path string) (unlock func() error, err error) {
	l, err := newFlock(path)
	if err != nil {
		return nil, err
	}
	ok, err := l.TryLockContext(ctx, retryDelay)
	if err != nil && !ok {
		if ctx.Err() != nil {
			return nil, errors.Join(ErrLocked, ctx.Err())
		}
		return nil, symlinkErr(path, err)
	}
	return l.Unlock, nil
}

// TryLock takes the exclusive lock on the file at path without waiting;
// ErrLocked when another process holds it, ErrSymlink when path is a
// symbolic link.
func TryLock(path string) (unlock func() error, err error) {
	l, err := newFlock(path)
	if err != nil {
		return nil, err
	}
	ok, err := l.TryLock()
	if err != nil {
		return nil, symlinkErr(path, err)
	}
	if !ok {
		return nil, ErrLocked
	}
	return l.Unlock, nil
}
