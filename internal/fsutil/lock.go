package fsutil

import (
	"context"
	"errors"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked reports a lock another process holds.
var ErrLocked = errors.New("locked by another process")

// retryDelay is how often Lock tries again while another process holds it.
const retryDelay = 20 * time.Millisecond

// Lock takes the exclusive lock on the file at path (created if missing,
// mode 0600), waiting until ctx ends; then it returns ctx's error wrapped
// with ErrLocked. unlock releases it.
func Lock(ctx context.Context, path string) (unlock func() error, err error) {
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, retryDelay)
	if err != nil && !ok {
		if ctx.Err() != nil {
			return nil, errors.Join(ErrLocked, ctx.Err())
		}
		return nil, err
	}
	return l.Unlock, nil
}

// TryLock takes the exclusive lock on the file at path without waiting;
// ErrLocked when another process holds it.
func TryLock(path string) (unlock func() error, err error) {
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrLocked
	}
	return l.Unlock, nil
}
