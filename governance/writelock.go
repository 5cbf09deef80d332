package governance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/internal/fsutil"
)

// ErrWriteBusy reports that another process held the lock of the same
// write (the same proposal, vote or signed message on the same network)
// for longer than WriteLockWait.
var ErrWriteBusy = errors.New("another nnspatch process is making the same write")

// WriteLockWait bounds how long LockWrite waits for another process.
const WriteLockWait = 10 * time.Minute

// WriteLocker serializes identical writes across processes: the
// check-then-write of a proposal (preflight's twin search, then
// MakeProposal), a vote, a signed message. *Client is one when
// Options.WriteLocks is set; the rollout and rollback executors use it
// when their Governance is one.
type WriteLocker interface {
	// LockWrite takes the lock of key on this network, waiting for
	// another process that holds it; unlock releases it.
	LockWrite(ctx context.Context, key string) (unlock func() error, err error)
}

// ProposalKey names the submission of req for LockWrite: two requests with
// the same action (what preflight's twin search compares) share it,
// whoever proposes them.
func ProposalKey(req govdid.MakeProposalRequest) string {
	a := req.Action
	switch {
	case a == nil:
		return "proposal none"
	case a.ExecuteNnsFunction != nil:
		return fmt.Sprintf("proposal function %d payload %s", a.ExecuteNnsFunction.NnsFunction, sha(a.ExecuteNnsFunction.Payload))
	case a.Motion != nil:
		return "proposal motion " + sha([]byte(a.Motion.MotionText))
	}
	title := ""
	if req.Title != nil {
		title = *req.Title
	}
	return fmt.Sprintf("proposal %s %s", variantName(a), sha([]byte(title+"\x00"+req.Summary)))
}

// VoteKey names the votes on proposal for LockWrite.
func VoteKey(proposal uint64) string { return fmt.Sprintf("vote proposal %d", proposal) }

// SendKey names the sending of a signed message for LockWrite.
func SendKey(requestID string) string { return "send request " + requestID }

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// LockWrite implements WriteLocker: an exclusive file lock under
// Options.WriteLocks named by the network (root key and URL) and key,
// waited for at most WriteLockWait (then ErrWriteBusy). Without
// Options.WriteLocks it locks nothing.
func (c *Client) LockWrite(ctx context.Context, key string) (func() error, error) {
	if c.locks == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(c.locks, 0o700); err != nil {
		return nil, fmt.Errorf("create the write lock directory: %w", err)
	}
	rootKey := c.Network.RootKey
	if c.at != nil {
		rootKey = c.at.rootKey
	}
	name := sha([]byte(hex.EncodeToString(rootKey) + "\x00" + c.Network.URL + "\x00" + key))
	wctx, cancel := context.WithTimeout(ctx, WriteLockWait)
	defer cancel()
	unlock, err := fsutil.Lock(wctx, filepath.Join(c.locks, name[:32]+".lock"))
	switch {
	case errors.Is(err, fsutil.ErrLocked) && ctx.Err() == nil:
		return nil, fmt.Errorf("%w (%s) for over %s; wait for it to finish, then run the command again", ErrWriteBusy, key, WriteLockWait)
	case err != nil:
		return nil, fmt.Errorf("lock %s: %w", key, err)
	}
	return unlock, nil
}
