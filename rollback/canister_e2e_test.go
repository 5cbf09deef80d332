package rollback

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
)

// TestCanisterRollbackEndToEnd upgrades the root canister in an NNS canister
// release, then rolls it back: a wasm that is not root's previous module is
// refused, the right one (the module hash recorded on chain before the
// upgrade) is installed again by an InstallCode proposal, and the release
// reports the canister rolled back.
func TestCanisterRollbackEndToEnd(t *testing.T) {
	n, c := governancetest.Start(t)
	ctx := context.Background()
	tr := rollouttest.Tracker(n, c, rollout.Store{Dir: filepath.Join(t.TempDir(), "canister")}, nil)
	rollouttest.CanisterRelease(t, tr, "", rollouttest.CanisterDraft(t, proposals.RootCanisterID, rollouttest.PatchedWasm("root")))
	if _, err := tr.AdvanceCanisters(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(5 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if st, err := tr.CanisterStatus(ctx); err != nil || st.State != rollout.RolloutComplete {
		t.Fatalf("release after the upgrade: %+v, %v; want complete", st, err)
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wrong, right := filepath.Join(dir, "wrong.wasm"), filepath.Join(dir, "root-before.wasm")
	if err := os.WriteFile(wrong, []byte("\x00asm\x01\x00\x00\x00some other build"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(right, localnet.SeedWasm("root"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildCanister(l, []CanisterRollback{{Canister: "root", WasmPath: wrong}}, "root misbehaves", n.Now()); !errors.Is(err, ErrPreviousWasm) {
		t.Fatalf("plan with the wrong wasm: %v; want ErrPreviousWasm", err)
	}
	p, err := BuildCanister(l, []CanisterRollback{{Canister: "root", WasmPath: right}}, "root misbehaves", n.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := &Executor{Gov: c, File: StateFile{Path: filepath.Join(t.TempDir(), "rb.json")}, Ledger: ReleaseLedger{Tracker: tr},
		Neuron: 80, Policy: proposals.DefaultPolicy(), Now: tr.Now}
	if _, err := e.Start(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(5 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	// A second executor run reads the state file: the wasm is read again
	// from its path.
	st, err := e.Submit(ctx)
	if err != nil || !st.Done {
		t.Fatalf("rollback: %+v, %v; want done", st, err)
	}
	cs, err := tr.CanisterStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cs.State != rollout.RolloutHalted || cs.Canisters[0].State != rollout.StateRolledBack || cs.Canisters[0].ModuleHash != l.Canisters.Upgrades[0].Previous {
		t.Fatalf("release after the rollback: %s, root %s on %s; want halted, root rolled back to %s", cs.State, cs.Canisters[0].State, cs.Canisters[0].ModuleHash, l.Canisters.Upgrades[0].Previous)
	}
}
