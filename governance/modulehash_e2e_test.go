package governance_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
)

// TestInstallCodeRecordsModuleHash upgrades the root canister through an
// adopted InstallCode proposal and reads its module hash through a
// verified read_state of /canister/<id>/module_hash, before and after.
func TestInstallCodeRecordsModuleHash(t *testing.T) {
	n, c := governancetest.Start(t)
	ctx := context.Background()
	root := localnet.NNSCanisters[3]
	if root.Name != "root" {
		t.Fatalf("NNSCanisters[3] = %s", root.Name)
	}
	seed := sha256.Sum256(localnet.SeedWasm("root"))
	if got, err := c.ModuleHash(ctx, root.ID); err != nil || got != hex.EncodeToString(seed[:]) {
		t.Fatalf("seeded module hash = %q, %v; want %x", got, err, seed)
	}
	wasm := []byte("\x00asm\x01\x00\x00\x00patched root")
	mode := int32(3)
	title := "Upgrade root"
	req := govdid.MakeProposalRequest{Title: &title, Summary: "test", Action: &govdid.ProposalActionRequest{
		InstallCode: &govdid.InstallCodeRequest{CanisterId: &root.ID, InstallMode: &mode, WasmModule: &wasm}}}
	pid, err := c.MakeProposal(ctx, 80, req)
	if err != nil {
		t.Fatal(err)
	}
	// Topic 17 has no followers: the proposal is decided at its deadline.
	if _, err := n.Advance(5 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	p, err := c.GetProposal(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(wasm)
	got, err := c.ModuleHash(ctx, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status == governance.StatusExecuted && got != hex.EncodeToString(want[:]) {
		t.Fatalf("after executed proposal %d the module hash is %s; want %x", pid, got, want)
	}
	if p.Status != governance.StatusExecuted {
		t.Fatalf("proposal %d is %s (%s); want executed", pid, p.Status, p.FailureReason)
	}
}
