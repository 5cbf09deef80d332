package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTruncatedLedgerOffersTheBackup: a release.yaml cut short is refused
// with exit 1 by every command that reads it, the hint offers the backup
// by path, the files are left as they were, and restoring the backup as
// the hint says brings the release back.
func TestTruncatedLedgerOffersTheBackup(t *testing.T) {
	releaseNet(t)
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "10", "--bake", "30m")
	ledger, bak := filepath.Join(rel, "release.yaml"), filepath.Join(rel, "release.yaml.bak")
	full, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(full, []byte("\n"))
	cut := bytes.Join(lines[:len(lines)/2], nil)
	if err := os.WriteFile(ledger, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	backup, _ := os.ReadFile(bak)
	for _, args := range [][]string{{"rollout", "status", rel}, {"rollout", "advance", rel, "--yes"}, {"release", "log", rel}} {
		r := mustRun(t, ExitError, args...)
		if !strings.Contains(r.Stderr, "checksum") && !strings.Contains(r.Stderr, "sha256") {
			t.Errorf("%v: the error does not say the ledger fails its checksum:\n%s", args, r.Stderr)
		}
		if want := "cp " + bak + " " + ledger; !strings.Contains(r.Stderr, want) {
			t.Errorf("%v: the hint does not offer the backup (%q):\n%s", args, want, r.Stderr)
		}
	}
	if got, _ := os.ReadFile(ledger); !bytes.Equal(got, cut) {
		t.Error("the truncated ledger was changed")
	}
	if got, _ := os.ReadFile(bak); !bytes.Equal(got, backup) {
		t.Error("the backup was changed")
	}
	if err := os.WriteFile(ledger, backup, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "release", "log", rel)
}

// TestReasonCannotForgeAnAuditLine: a --reason with a newline is one
// escaped line in `release log`.
func TestReasonCannotForgeAnAuditLine(t *testing.T) {
	releaseNet(t)
	rel, _, _ := newTestRelease(t)
	forged := "superseded\n2026-12-05 10:00:00  2zedg…  disclose  -  source disclosed at https://example.org"
	mustRun(t, 0, "release", "abandon", rel, "--reason", forged, "--yes")
	log := mustRun(t, 0, "release", "log", rel).Stdout
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if strings.Contains(line, "disclose") && !strings.Contains(line, "abandon") {
			t.Fatalf("the reason forged an audit line %q:\n%s", line, log)
		}
	}
	if !strings.Contains(log, `superseded\n2026-12-05`) {
		t.Errorf("the reason is not shown escaped:\n%s", log)
	}
}
