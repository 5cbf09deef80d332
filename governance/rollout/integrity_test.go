package rollout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// growLedger records n audit events, one write each, so release.yaml.bak
// holds the previous version.
func growLedger(t *testing.T, s Store, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.Update(context.Background(), func(l *Ledger) error {
			l.Record(t0, "p", "advance", fmt.Sprint("step ", i), 0)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// truncateAtLine keeps the first keep lines of path.
func truncateAtLine(t *testing.T, path string, keep int) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	cut := bytes.Join(lines[:keep], nil)
	if err := os.WriteFile(path, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	return cut
}

// TestStoreRefusesTruncatedLedger: a release.yaml cut at a line boundary
// (still valid YAML) fails its checksum; reading names the good backup,
// and no write replaces the ledger or rotates it into the backup.
func TestStoreRefusesTruncatedLedger(t *testing.T) {
	s := newStore(t)
	growLedger(t, s, 20)
	bakPath := filepath.Join(s.Dir, BackupFile)
	bak, _ := os.ReadFile(bakPath)
	cut := truncateAtLine(t, s.Path(), 20)

	_, err := s.Read()
	var ce *CorruptError
	if !errors.Is(err, ErrLedgerChecksum) || !errors.Is(err, ErrCorruptLedger) || !errors.As(err, &ce) {
		t.Fatalf("Read of a truncated ledger: %v, want a checksum *CorruptError", err)
	}
	if ce.Backup != bakPath {
		t.Errorf("the error offers backup %q, want %q", ce.Backup, bakPath)
	}
	if _, err := s.Update(context.Background(), func(*Ledger) error { return nil }); !errors.Is(err, ErrLedgerChecksum) {
		t.Fatalf("Update of a truncated ledger: %v", err)
	}
	lk, err := s.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := lk.Save(NewLedger(testVersion, "security", Artifact{}, t0)); !errors.Is(err, ErrLedgerChecksum) {
		t.Fatalf("Save over a truncated ledger: %v", err)
	}
	lk.Unlock()
	if got, _ := os.ReadFile(s.Path()); !bytes.Equal(got, cut) {
		t.Error("the truncated ledger was overwritten")
	}
	if got, _ := os.ReadFile(bakPath); !bytes.Equal(got, bak) {
		t.Error("the backup was replaced")
	}
	// Restoring the backup, as the hint says, brings the release back.
	if err := os.WriteFile(s.Path(), bak, 0o600); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Read(); err != nil || len(l.Audit) != 19 {
		t.Fatalf("restored backup: %v", err)
	}
}

// TestStoreDetectsHandEdit: changing one character of a recorded value
// (a proposal id) fails the checksum.
func TestStoreDetectsHandEdit(t *testing.T) {
	s := newStore(t)
	if _, err := s.Update(context.Background(), func(l *Ledger) error {
		l.Proposals = append(l.Proposals, ProposalRecord{ID: 41, Kind: KindElect, PayloadSHA256: "ab", Neuron: 80, Intended: t0})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(s.Path())
	edited := bytes.Replace(b, []byte("id: 41"), []byte("id: 42"), 1)
	if bytes.Equal(edited, b) {
		t.Fatal("the ledger has no `id: 41`")
	}
	if err := os.WriteFile(s.Path(), edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(); !errors.Is(err, ErrLedgerChecksum) {
		t.Fatalf("Read of an edited ledger: %v, want ErrLedgerChecksum", err)
	}
}

// TestStoreOldLedgerGainsChecksum: a ledger written before checksums (no
// checksum line) reads, and the next write adds the line.
func TestStoreOldLedgerGainsChecksum(t *testing.T) {
	s := newStore(t)
	b, _ := os.ReadFile(s.Path())
	var legacy []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(checksumPrefix)) {
			legacy = append(legacy, line...)
		}
	}
	if err := os.WriteFile(s.Path(), legacy, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(); err != nil {
		t.Fatalf("old ledger without a checksum: %v", err)
	}
	growLedger(t, s, 1)
	b, _ = os.ReadFile(s.Path())
	if !bytes.Contains(b, []byte("\n"+checksumPrefix)) {
		t.Fatalf("the rewritten ledger has no checksum line:\n%s", b)
	}
}

// TestStoreOldTruncatedLedgerNeverRotatesIntoBackup: an old ledger (no
// checksum) truncated so that it still parses is not copied over a longer
// backup: the audit log only grows.
func TestStoreOldTruncatedLedgerNeverRotatesIntoBackup(t *testing.T) {
	s := newStore(t)
	growLedger(t, s, 30)
	bakPath := filepath.Join(s.Dir, BackupFile)
	bak, _ := os.ReadFile(bakPath)
	b, _ := os.ReadFile(s.Path())
	var legacy []byte
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if i > 40 {
			break
		}
		if !bytes.HasPrefix(line, []byte(checksumPrefix)) {
			legacy = append(legacy, line...)
		}
	}
	if err := os.WriteFile(s.Path(), legacy, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(); err != nil {
		t.Fatalf("the truncated old ledger should still parse: %v", err)
	}
	_, err := s.Update(context.Background(), func(*Ledger) error { return nil })
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "entries were lost") || ce.Backup != bakPath {
		t.Fatalf("Update of a truncated old ledger: %v", err)
	}
	if got, _ := os.ReadFile(bakPath); !bytes.Equal(got, bak) {
		t.Error("the truncated ledger was rotated into the backup")
	}
}

// TestAuditDetailIsOneEscapedLine: a newline in free text (a reason)
// cannot forge an audit line: it is stored escaped, on one line.
func TestAuditDetailIsOneEscapedLine(t *testing.T) {
	s := newStore(t)
	tr := &Tracker{Store: s, Now: func(context.Context) (time.Time, error) { return t0, nil }, Actor: "me"}
	forged := "ok\n2026-11-23 09:00:00  someone  disclose  -  source disclosed"
	if err := tr.Abandon(context.Background(), forged); err != nil {
		t.Fatal(err)
	}
	l, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	last := l.Audit[len(l.Audit)-1]
	if strings.ContainsAny(last.Detail, "\n\r") || !strings.Contains(last.Detail, `ok\n2026-11-23`) {
		t.Fatalf("audit detail %q, want one escaped line", last.Detail)
	}
	if strings.Contains(l.Abandoned.Reason, "\n") {
		t.Errorf("abandon reason stored with a newline: %q", l.Abandoned.Reason)
	}
}
