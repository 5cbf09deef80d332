package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/rollout"
)

// TestReleaseAttachSecondDirSameStatus: release manager A elects the patch,
// plans (writing the plan file) and deploys the first batch. Manager B,
// with a fresh releases directory, attaches the release by version and
// the shared plan file, and manager C runs `release new` + `release submit`
// on the same version: both record A's election (nothing is submitted
// again) and `release status` prints the same text for all three, at the
// same moment and after the bake.
func TestReleaseAttachSecondDirSameStatus(t *testing.T) {
	n := releaseNet(t)
	relA, pkg, election := newTestRelease(t)
	plan := filepath.Join(t.TempDir(), "plan.yaml")
	mustRun(t, 0, "rollout", "plan", relA, "--policy", "continuous", "--batch-size", "10", "--bake", "30m", "-o", plan)
	mustRun(t, 0, "rollout", "advance", relA, "--yes")

	relB := filepath.Join(t.TempDir(), "releases-b", patchVersion)
	r := mustRun(t, 0, "release", "attach", patchVersion, "--dir", relB, "--plan", plan, "--json")
	var doc jsonout.ReleaseAttach
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("decode attach JSON: %v\n%s", err, r.Stdout)
	}
	if doc.Attach.Election.ID != election || !doc.Attach.Created || doc.Attach.Deploys != 10 || doc.Attach.ModeFrom != "summary" {
		t.Fatalf("attach: %+v, want election %d and the first batch's 10 deploys", doc.Attach, election)
	}
	if !strings.Contains(r.Stderr, "Attached release "+patchVersion) || !strings.Contains(r.Stderr, "proposal "+strconv.FormatUint(election, 10)) {
		t.Errorf("attach progress:\n%s", r.Stderr)
	}

	relC := filepath.Join(t.TempDir(), "releases-c", patchVersion)
	r = mustRun(t, 0, "release", "new", "--security", "--version", patchVersion, "--artifact", pkg,
		"--measurements-waiver", "C's own words", "--forum-url", "https://forum.dfinity.org/t/security-patch/4", "--dir", relC)
	if !strings.Contains(r.Stderr, "governance already has its election: proposal "+strconv.FormatUint(election, 10)) {
		t.Errorf("release new on an elected version:\n%s", r.Stderr)
	}
	if r := mustRun(t, 0, "release", "submit", relC, "--yes"); strings.TrimSpace(r.Stdout) != strconv.FormatUint(election, 10) {
		t.Errorf("release submit in C printed %q, want %d", r.Stdout, election)
	}
	mustRun(t, 0, "rollout", "plan", relC, "--file", plan)

	// upgrading, then healthy (the bake starts), then baked
	for range 3 {
		sameStatus(t, relA, relB, relC)
		if _, err := n.Advance(31 * time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	out := sameStatus(t, relA, relB, relC)
	if !strings.Contains(out, "Batch 1 ") || !strings.Contains(out, "✓ complete") {
		t.Errorf("after the bake batch 1 is not complete:\n%s", out)
	}
	if _, err := n.Advance(2 * time.Hour); err != nil { // batch 2's start
		t.Fatal(err)
	}
	mustRun(t, 0, "rollout", "advance", relA, "--yes")
	// advance looked at the heights just now: compare them a minute later
	// in every directory (a look at the finalized height is local)
	if _, err := n.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	out = sameStatus(t, relA, relB, relC)
	if !strings.Contains(out, "[proposal 21]") {
		t.Errorf("A's second batch is not in view:\n%s", out)
	}
	for _, rel := range []string{relB, relC} {
		l, err := rollout.Store{Dir: rel}.Read()
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := l.Election(); !ok || e.ID != election || e.Status != "executed" {
			t.Errorf("%s records election %+v", rel, e)
		}
		if n := len(l.Proposals); n != 21 {
			t.Errorf("%s records %d proposals, want the election and 20 deploys", rel, n)
		}
	}
	r = mustRun(t, ExitRefused, "release", "attach", patchVersion, "--dir", filepath.Join(t.TempDir(), "d"), "--sha256", strings.Repeat("ef", 32))
	if !strings.Contains(r.Stderr, "no election of GuestOS") || !strings.Contains(r.Stderr, "proposal list --topic") {
		t.Errorf("attach with a wrong hash:\n%s", r.Stderr)
	}
	mustRun(t, ExitUsage, "release", "attach", strings.Repeat("ab", 20), "--dir", filepath.Join(t.TempDir(), "e"))
}

// durations matches the durations in status text ("in 26m57s"): the local
// network's clock runs on between two status commands.
var durations = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?s\b`)

// readAt matches the status header's reading time (minutes).
var readAt = regexp.MustCompile(`at \d{4}-\d\d-\d\d \d\d:\d\d UTC\n`)

// sameStatus runs `release status` on every release directory and fails
// unless all print the same text (up to the seconds the clock ran on
// meanwhile, and the reading time, which a minute may pass between); it
// returns that text.
func sameStatus(t *testing.T, rels ...string) string {
	t.Helper()
	status := func(rel string) string {
		out := durations.ReplaceAllString(mustRun(t, 0, "release", "status", rel).Stdout, "<duration>")
		return readAt.ReplaceAllString(out, "at <now>\n")
	}
	first := status(rels[0])
	for _, rel := range rels[1:] {
		if got := status(rel); got != first {
			t.Errorf("status of %s differs from %s:\n%s\n--- versus ---\n%s", rel, rels[0], got, first)
		}
	}
	return first
}
