package rollout

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestLockHolderProcess is not a test on its own: run by
// TestStoreLockAcrossProcesses as a child process, it takes the lock of
// the release in NNSPATCH_TEST_LOCK_DIR, says "locked" and holds the lock
// until its stdin closes.
func TestLockHolderProcess(t *testing.T) {
	dir := os.Getenv("NNSPATCH_TEST_LOCK_DIR")
	if dir == "" {
		return
	}
	lk, err := Store{Dir: dir}.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	_ = lk.Unlock()
}

// TestStoreLockAcrossProcesses holds a release's lock in another process:
// this process cannot take it until that one lets go.
func TestStoreLockAcrossProcesses(t *testing.T) {
	s := newStore(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderProcess$")
	cmd.Env = append(os.Environ(), "NNSPATCH_TEST_LOCK_DIR="+s.Dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "locked\n" {
		stdin.Close()
		t.Fatalf("child said %q, %v", line, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := s.Update(ctx, func(*Ledger) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("update while another process holds the lock: %v", err)
	}
	stdin.Close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if _, err := s.Update(ctx2, func(*Ledger) error { return nil }); err != nil {
		t.Fatalf("update after the other process let go: %v", err)
	}
}
