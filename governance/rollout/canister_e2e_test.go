package rollout_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
)

// canisterTracker starts a network and an NNS canister release upgrading
// root, then lifeline.
func canisterTracker(t *testing.T) (*localnet.Network, *governance.Client, *rollout.Tracker) {
	t.Helper()
	n, c := governancetest.Start(t)
	tr := rollouttest.Tracker(n, c, rollout.Store{Dir: filepath.Join(t.TempDir(), "canisters")}, nil)
	rollouttest.CanisterRelease(t, tr, "",
		rollouttest.CanisterDraft(t, proposals.RootCanisterID, rollouttest.PatchedWasm("root")),
		rollouttest.CanisterDraft(t, proposals.LifelineCanisterID, rollouttest.PatchedWasm("lifeline")))
	return n, c, tr
}

// advanceCanistersUntilComplete advances, moving the clock a day whenever
// the release waits (InstallCode proposals are decided at their deadline).
func advanceCanistersUntilComplete(t *testing.T, n *localnet.Network, tr *rollout.Tracker) (order []string) {
	t.Helper()
	ctx := context.Background()
	for range 20 {
		res, err := tr.AdvanceCanisters(ctx)
		for _, s := range res.Submitted {
			order = append(order, s.Subnet)
		}
		if res != nil && res.Status.State == rollout.RolloutComplete {
			return order
		}
		if err != nil && !errors.Is(err, rollout.ErrNotReady) {
			t.Fatalf("advance: %v", err)
		}
		if err != nil {
			if _, err := n.Advance(24 * time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatal("the canister release did not complete in 20 steps")
	return nil
}

// TestCanisterReleaseEndToEnd upgrades two NNS canisters through InstallCode
// proposals one after the other (the second only once the first runs its
// module per the certified module hash), records each canister's previous
// module hash, starts the quiet period at the last execution, and discloses
// only once it is over.
func TestCanisterReleaseEndToEnd(t *testing.T) {
	n, _, tr := canisterTracker(t)
	ctx := context.Background()
	order := advanceCanistersUntilComplete(t, n, tr)
	if len(order) != 2 || order[0] != proposals.RootCanisterID || order[1] != proposals.LifelineCanisterID {
		t.Fatalf("submission order %v; want root, then lifeline", order)
	}
	st, err := tr.CanisterStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range st.Canisters {
		if cs.State != rollout.StateComplete || cs.ModuleHash != cs.WasmSHA256 {
			t.Fatalf("canister %s: %s with module %s; want complete on %s", cs.Name, cs.State, cs.ModuleHash, cs.WasmSHA256)
		}
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	seed := sha256Hex(localnet.SeedWasm("root"))
	if l.Canisters.Upgrades[0].Previous != seed {
		t.Fatalf("recorded previous module of root %q; want the seeded %s", l.Canisters.Upgrades[0].Previous, seed)
	}
	if !st.Quiet.Started || !st.Quiet.Start.Equal(st.Canisters[1].Proposal.Executed) {
		t.Fatalf("quiet period %+v; want it started at lifeline's execution %s", st.Quiet, st.Canisters[1].Proposal.Executed)
	}
	if _, err := tr.Disclose(ctx, "https://github.com/dfinity/ic/commit/y", false, ""); !errors.Is(err, rollout.ErrQuietPeriod) {
		t.Fatalf("early disclosure: %v; want ErrQuietPeriod", err)
	}
	if _, err := n.Advance(10 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Disclose(ctx, "https://github.com/dfinity/ic/commit/y", false, ""); err != nil {
		t.Fatalf("disclosure after the quiet period: %v", err)
	}
}

// sha256Hex is the hex SHA-256 of b, as module hashes are shown.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
