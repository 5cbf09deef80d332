package rollback

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

// TestCanisterRollbackEndToEnd upgrades the root canister in an NNS canister
// release, then rolls it back: a wasm that is not root's previous module is
// refused, the right one (the module hash recorded on chain before the
// upgrade) is installed again by an InstallCode proposal, and the release
// reports the canister rolled back.
func TestCanisterRollbackEndToEnd(t *testing.T) {
	n := localnettest.Start(t)
	ctx := context.Background()
	id, err := governance.LoadIdentity(n.DeveloperIdentityPath(), governance.IdentityEnv{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := governance.New(ctx, governance.Network{Name: "local", URL: n.URL(), FetchRootKey: true}, id, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := proposals.NewUpgradeCanister(proposals.UpgradeCanisterOptions{Mode: proposals.ModeSecurity,
		Code: proposals.InstallCode{CanisterID: proposals.RootCanisterID, Wasm: []byte("\x00asm\x01\x00\x00\x00patched root")}})
	if err != nil {
		t.Fatal(err)
	}
	s := rollout.Store{Dir: filepath.Join(t.TempDir(), "canister")}
	if _, err := rollout.NewCanisterRelease(ctx, s, "", proposals.ModeSecurity, []proposals.Draft{d}, c.Sender().Encode(), n.Now()); err != nil {
		t.Fatal(err)
	}
	now := func(context.Context) (time.Time, error) { return n.Now(), nil }
	tr := &rollout.Tracker{Store: s, Gov: c, Now: now, Actor: c.Sender().Encode(), Neuron: 80, Policy: proposals.DefaultPolicy()}
	if _, err := tr.AdvanceCanisters(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(5 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if st, err := tr.CanisterStatus(ctx); err != nil || st.State != rollout.RolloutComplete {
		t.Fatalf("release after the upgrade: %+v, %v; want complete", st, err)
	}
	l, err := s.Read()
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
		Neuron: 80, Policy: proposals.DefaultPolicy(), Now: now}
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
