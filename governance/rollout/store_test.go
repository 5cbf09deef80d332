package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/internal/fsutil"
	"github.com/nnspatch/nnspatch/proposals"
)

const testVersion = "cda7fcf954b6f77187d83136e455d993ef2fbbda"

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newStore creates a release in a temp dir.
func newStore(t *testing.T) Store {
	t.Helper()
	s := Store{Dir: filepath.Join(t.TempDir(), "rel")}
	l := NewLedger(testVersion, proposals.ModeSecurity, Artifact{SHA256: "ab", URLs: []string{"https://x/y"}}, t0)
	if err := s.Create(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreRoundTripAndBackup(t *testing.T) {
	s := newStore(t)
	if err := s.Create(context.Background(), NewLedger(testVersion, proposals.ModeSecurity, Artifact{}, t0)); !errors.Is(err, ErrReleaseExists) {
		t.Fatalf("second Create: %v, want ErrReleaseExists", err)
	}
	first, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Update(context.Background(), func(l *Ledger) error {
		l.Record(t0, "p1", "submit", "one", 7)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Audit) != 1 || back.Audit[0].Proposal != 7 || back.Version != testVersion || len(l.Audit) != 1 {
		t.Fatalf("read back %+v", back)
	}
	bak, err := os.ReadFile(filepath.Join(s.Dir, BackupFile))
	if err != nil || string(bak) != string(first) {
		t.Fatalf("backup is not the previous good ledger (err %v)", err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(s.Dir, ".*tmp*")); len(tmps) > 0 {
		t.Fatalf("temporary files left behind: %v", tmps)
	}
}

func TestStoreCorruptLedgerIsNeverOverwritten(t *testing.T) {
	s := newStore(t)
	garbage := []byte("schema_version: 1\nversion: [unterminated\n")
	if err := os.WriteFile(s.Path(), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(context.Background(), func(l *Ledger) error { return nil })
	var ce *CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCorruptLedger) {
		t.Fatalf("Update on a corrupt ledger: %v, want *CorruptError", err)
	}
	lk, err := s.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock()
	if err := lk.Save(NewLedger(testVersion, proposals.ModeSecurity, Artifact{}, t0)); !errors.Is(err, ErrCorruptLedger) {
		t.Fatalf("Save over a corrupt ledger: %v, want ErrCorruptLedger", err)
	}
	if got, _ := os.ReadFile(s.Path()); string(got) != string(garbage) {
		t.Fatal("the corrupt ledger was overwritten")
	}
}

func TestStoreMissingAndUnknownKeys(t *testing.T) {
	if _, err := (Store{Dir: t.TempDir()}).Read(); !errors.Is(err, ErrNoRelease) {
		t.Fatalf("Read of an empty dir: %v, want ErrNoRelease", err)
	}
	if _, err := (Store{Dir: filepath.Join(t.TempDir(), "nosuch")}).Lock(context.Background()); !errors.Is(err, ErrNoRelease) {
		t.Fatalf("Lock of a missing dir: %v, want ErrNoRelease", err)
	}
	s := newStore(t)
	b, _ := os.ReadFile(s.Path())
	if err := os.WriteFile(s.Path(), append(b, []byte("surprise: 1\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(); !errors.Is(err, ErrCorruptLedger) {
		t.Fatalf("unknown key: %v, want ErrCorruptLedger", err)
	}
}

// TestStoreLockSerializesWriters runs concurrent read-modify-write cycles,
// each through its own lock file descriptor, as separate processes would:
// no update is lost.
func TestStoreLockSerializesWriters(t *testing.T) {
	s := newStore(t)
	const n = 12
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Store{Dir: s.Dir}.Update(context.Background(), func(l *Ledger) error {
				time.Sleep(time.Millisecond)
				l.Record(t0, "p", "advance", fmt.Sprint(i), 0)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	l, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Audit) != n {
		t.Fatalf("%d audit events, want %d: updates were lost", len(l.Audit), n)
	}
}

func TestStoreLockHonoursContext(t *testing.T) {
	s := newStore(t)
	lk, err := s.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock: %v, want a deadline error", err)
	}
}

// TestStoreLockRefusesSymlink: a release.lock that is a symbolic link is
// refused before anything is opened through it.
func TestStoreLockRefusesSymlink(t *testing.T) {
	s := newStore(t)
	lock := filepath.Join(s.Dir, LockFile)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.Remove(lock); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, lock); err != nil {
		if runtime.GOOS == "windows" {
			t.Skip("creating a symbolic link needs Windows developer mode or admin rights:", err)
		}
		t.Fatal(err)
	}
	if _, err := s.Update(context.Background(), func(*Ledger) error { return nil }); !errors.Is(err, fsutil.ErrSymlink) {
		t.Fatalf("Update through a symlinked lock: %v, want ErrSymlink", err)
	}
	if _, err := os.Lstat(victim); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the lock's link target was created: %v", err)
	}
}

// TestStoreCleansUpAfterAKilledWrite: the temporary file a process killed
// mid-write leaves next to the ledger is removed by the next locked open;
// the ledger and its backup are 0600.
func TestStoreCleansUpAfterAKilledWrite(t *testing.T) {
	s := newStore(t)
	if _, err := s.Update(context.Background(), func(*Ledger) error { return nil }); err != nil {
		t.Fatal(err)
	}
	left := []string{filepath.Join(s.Dir, ".release.yaml5577006791947779410"), filepath.Join(s.Dir, ".release.yaml.bak8674665223082153551")}
	for _, p := range left {
		if err := os.WriteFile(p, []byte("schema_version: 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Update(context.Background(), func(*Ledger) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, p := range left {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived the next open: %v", filepath.Base(p), err)
		}
	}
	for _, name := range []string{LedgerFile, BackupFile} {
		if fi, err := os.Stat(filepath.Join(s.Dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, err %v; want 0600", name, fi.Mode().Perm(), err)
		}
	}
}
