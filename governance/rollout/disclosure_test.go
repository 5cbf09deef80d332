package rollout

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

// electionOf is a proposal electing version, as governance returns it.
func electionOf(t *testing.T, version string) governance.Proposal {
	t.Helper()
	sum := "ab"
	payload, err := proposals.EncodePayload(proposals.ReviseElectedGuestosVersions{ReplicaVersionToElect: &version,
		ReleasePackageSHA256Hex: &sum, ReleasePackageURLs: []string{"https://x/y"}, ReplicaVersionsToUnelect: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return governance.Proposal{ID: 7, Action: governance.Action{Kind: "ExecuteNnsFunction", NNSFunction: 38, Payload: payload}}
}

// TestDisclosureOf reads a real ledger under a releases dir through its
// stages: nothing known, the deadline once the quiet period started, the
// disclosure once recorded.
func TestDisclosureOf(t *testing.T) {
	dir := t.TempDir()
	s := Store{Dir: filepath.Join(dir, testVersion)}
	ctx := context.Background()
	if err := s.Create(ctx, NewLedger(testVersion, proposals.ModeSecurity, Artifact{SHA256: "ab"}, t0)); err != nil {
		t.Fatal(err)
	}
	p := electionOf(t, testVersion)
	if v := DisclosureOf(dir, p); v.Due != nil || v.Disclosed != nil {
		t.Fatalf("before the rollout finished: %+v", v)
	}
	if _, err := s.Update(ctx, func(l *Ledger) error { l.QuietPeriod = QuietPeriod{Days: 3, Start: t0}; return nil }); err != nil {
		t.Fatal(err)
	}
	v := DisclosureOf(dir, p)
	if v.Due == nil || !v.Due.Equal(t0.AddDate(0, 0, 3)) || v.Disclosed != nil {
		t.Fatalf("in the quiet period: %+v", v)
	}
	tr := &Tracker{Store: s, Actor: "p1", Now: func(context.Context) (time.Time, error) { return t0.AddDate(0, 0, 3), nil }}
	if _, err := tr.Disclose(ctx, "https://github.com/dfinity/ic/commit/"+testVersion, false, ""); err != nil {
		t.Fatal(err)
	}
	v = DisclosureOf(dir, p)
	if v.Disclosed == nil || v.Disclosed.SourceURL != "https://github.com/dfinity/ic/commit/"+testVersion {
		t.Fatalf("after the disclosure: %+v", v)
	}
	for name, q := range map[string]governance.Proposal{
		"other version": electionOf(t, "1111111111111111111111111111111111111111"),
		"path escape":   electionOf(t, "../"+testVersion),
		"motion":        {ID: 8, Action: governance.Action{Kind: "Motion"}},
	} {
		if v := DisclosureOf(dir, q); v.Due != nil || v.Disclosed != nil {
			t.Errorf("%s: %+v", name, v)
		}
	}
}
