package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/nnspatch/nnspatch/governance"
)

// writeLockBase is the directory of the write locks that serialize
// identical writes of concurrent nnspatch processes (a proposal, a vote, a
// signed message): $XDG_STATE_HOME/nnspatch/locks, else
// ~/.local/state/nnspatch/locks; "" (no locks) without a home directory.
func writeLockBase() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "nnspatch", "locks")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "state", "nnspatch", "locks")
}

// lockWrite takes the write lock of key on c's network; the returned
// function releases it (errors releasing an advisory lock are moot: the
// process holding it ends soon after).
func lockWrite(ctx context.Context, c *governance.Client, key string) (func(), error) {
	unlock, err := c.LockWrite(ctx, key)
	if err != nil {
		return nil, err
	}
	return func() { _ = unlock() }, nil
}
