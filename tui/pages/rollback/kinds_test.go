package rollback

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

// TestOtherKindsPointToTheCLI: the Releases and Rollback pages share the
// selected release; for a HostOS or NNS canister release (real ledgers made
// by rollout.NewHostOSRelease and NewCanisterRelease) the Rollback page
// loads without error and p says to plan the rollback with the CLI, never
// a GuestOS wrong-kind error (rollback.PlanRelease plans GuestOS only).
func TestOtherKindsPointToTheCLI(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	host := rollout.Store{Dir: filepath.Join(dir, "hostos")}
	if _, err := rollout.NewHostOSRelease(ctx, host, rollouttest.HostOSDraft(t), "tester", tuitest.Now); err != nil {
		t.Fatal(err)
	}
	can := rollout.Store{Dir: filepath.Join(dir, "canisters")}
	u := rollouttest.CanisterDraft(t, proposals.RootCanisterID, rollouttest.PatchedWasm("root"))
	if _, err := rollout.NewCanisterRelease(ctx, can, "nns-patch", proposals.ModeSecurity, []proposals.Draft{u}, "tester", tuitest.Now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		store       rollout.Store
		kind, flags string
	}{{host, "hostos", "--release DIR`"}, {can, "nns-canister", "--release DIR --wasm CANISTER=FILE`"}} {
		p := New(tuitest.Common(), []Release{{Name: c.kind, Source: &ReleaseSource{Tracker: &rollout.Tracker{Store: c.store}}}})
		p.SetSize(80, 21)
		for _, m := range run(p, p.Init()) {
			if e, ok := m.(common.ErrorMsg); ok {
				t.Errorf("%s: loading the page failed: %v", c.kind, e.Err)
			}
		}
		msgs := press(p, "p")
		if len(msgs) != 1 {
			t.Fatalf("%s: p gave %v", c.kind, msgs)
		}
		m, ok := msgs[0].(common.ErrorMsg)
		want := "rollback of " + c.kind + " releases: use the CLI `nnspatch rollback plan " + c.flags
		if !ok || m.Err.Error() != want || strings.Contains(m.Err.Error(), "not a guestos") {
			t.Errorf("%s: p gave %#v; want %q", c.kind, msgs[0], want)
		}
	}
}
