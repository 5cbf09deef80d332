package rollback

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
	rb "github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

// TestCanisterPointsToTheCLI: the Releases and Rollback pages share the
// selected release; for an NNS canister release (a real ledger made by
// rollout.NewCanisterRelease) the Rollback page loads without error and p
// says to plan the rollback with the CLI, which takes the previous wasm
// files, never a GuestOS wrong-kind error.
func TestCanisterPointsToTheCLI(t *testing.T) {
	ctx := context.Background()
	can := rollout.Store{Dir: filepath.Join(t.TempDir(), "canisters")}
	u := rollouttest.CanisterDraft(t, proposals.RootCanisterID, rollouttest.PatchedWasm("root"))
	if _, err := rollout.NewCanisterRelease(ctx, can, "nns-patch", proposals.ModeSecurity, []proposals.Draft{u}, "tester", tuitest.Now); err != nil {
		t.Fatal(err)
	}
	p := New(tuitest.Common(), []Release{{Name: "canisters", Source: &ReleaseSource{Tracker: &rollout.Tracker{Store: can}}}})
	p.SetSize(80, 21)
	for _, m := range run(p, p.Init()) {
		if e, ok := m.(common.ErrorMsg); ok {
			t.Errorf("loading the page failed: %v", e.Err)
		}
	}
	msgs := press(p, "p")
	want := "rollback of nns-canister releases: use the CLI `nnspatch rollback plan --release DIR --wasm CANISTER=FILE`"
	if len(msgs) != 1 {
		t.Fatalf("p gave %v", msgs)
	}
	if m, ok := msgs[0].(common.ErrorMsg); !ok || m.Err.Error() != want || strings.Contains(m.Err.Error(), "not a guestos") {
		t.Errorf("p gave %#v; want %q", msgs[0], want)
	}
}

// TestHostOSRollbackFromThePage: a HostOS release on the local network
// whose canary node goes down on the patch; the Rollback page plans its
// rollback with rollback.PlanHostOSRelease (the CLI's function: halt, then
// the canary node back to its previous HostOS), submits it after the
// confirmation, and the registry moves the node back.
func TestHostOSRollbackFromThePage(t *testing.T) {
	n, c := governancetest.Start(t)
	ctx := context.Background()
	tr, plan := rollouttest.HostOSRelease(t, n, c, 0)
	canary := rollouttest.FaultCanary(t, n, tr)
	for range 10 {
		if _, err := tr.AdvanceHostOS(ctx); errors.Is(err, rollout.ErrGateFailed) {
			break
		}
		if _, err := n.Advance(time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	want, err := rb.PlanHostOSRelease(ctx, tr, "")
	if err != nil {
		t.Fatal(err)
	}
	p := New(tuitest.Common(), []Release{{Name: "hostos", Source: &ReleaseSource{Tracker: tr, Client: c, Neuron: governancetest.DevNeuron}}})
	p.SetSize(100, 30)
	run(p, p.Init())
	for _, m := range press(p, "p") {
		if e, ok := m.(common.ErrorMsg); ok {
			t.Fatalf("p: %v", e.Err)
		}
	}
	got := p.Plan()
	if got == nil || len(got.Steps) != 2 || got.Steps[1].Kind != rb.StepHostOS || got.Steps[1].Version != plan.Previous[canary] ||
		!slices.Equal(got.Steps[1].Nodes, []string{canary}) || got.Problem != want.Problem {
		t.Fatalf("the page's plan %+v; want the CLI's %+v", got, want)
	}
	press(p, "s")
	press(p, "y")
	for i := 0; i < 10 && (p.Status() == nil || !p.Status().Done); i++ {
		run(p, p.Refresh())
	}
	if p.Status() == nil || !p.Status().Done {
		t.Fatalf("the rollback submitted from the page is not done: %+v", p.Status())
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := reg.Nodes[canary].HostOSVersion; v != plan.Previous[canary] {
		t.Fatalf("canary node on HostOS %s after the rollback; want %s", v, plan.Previous[canary])
	}
}
