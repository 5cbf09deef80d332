package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/proposals"
)

// TestLookHostOS: Look on a HostOS release holds the same status as
// HostOSStatus, its glance counts nodes and names the canary stage, and
// AdvanceRelease submits exactly what PreviewAdvance named (the nodes in
// the proposal governance holds). A halt shows in the view and stops the
// advance; resume lifts it.
func TestLookHostOS(t *testing.T) {
	_, c, tr := hostOSTracker(t, 20)
	ctx := context.Background()
	v, err := tr.Look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != ReleaseHostOS || v.HostOS == nil || v.GuestOS != nil || v.Canister != nil {
		t.Fatalf("view %+v; want only the HostOS status", v)
	}
	st, err := tr.HostOSStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The network's clock runs: compare as of one time.
	viewed := *v.HostOS
	viewed.Now = st.Now
	if a, b := mustJSON(t, &viewed), mustJSON(t, st); a != b {
		t.Fatalf("Look and HostOSStatus differ:\n%s\n%s", a, b)
	}
	g := v.Glance()
	if g.Targets != st.Nodes || g.Patched != 0 || g.Unit != "nodes" || g.StepName != "Stage" || !strings.HasPrefix(g.Step, "canary · batch 1 of ") {
		t.Errorf("glance %+v", g)
	}
	if !g.Ready || g.Command != "rollout advance" || !strings.Contains(g.Action, "stage canary batch 1: deploy to 1 nodes") {
		t.Errorf("next action %q %q ready=%v", g.Action, g.Command, g.Ready)
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	pv := v.PreviewAdvance()
	want := l.HostOS.Stages[0].Batches[0].Nodes
	if pv.Kind != ReleaseHostOS || pv.Function != DeployHostOSFunction || pv.Stage != StageCanary || pv.Batch != 1 || !slices.Equal(pv.Nodes, want) {
		t.Fatalf("preview %+v; want canary batch 1 with %v", pv, want)
	}
	if d := pv.Describe(); d != "1 DeployHostosToSomeNodes proposal: HostOS stage canary, batch 1, 1 node(s)" {
		t.Errorf("describe %q", d)
	}
	adv, err := tr.AdvanceRelease(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(adv.Submitted) != 1 || adv.Submitted[0].Kind != KindHostOSDeploy || adv.View == nil || adv.View.HostOS == nil {
		t.Fatalf("advanced %+v", adv)
	}
	p, err := c.GetProposal(ctx, adv.Submitted[0].Proposal)
	if err != nil {
		t.Fatal(err)
	}
	a, err := proposals.DecodePayload(p.Action.NNSFunction, p.Action.Payload)
	if err != nil {
		t.Fatal(err)
	}
	dep, ok := a.(proposals.DeployHostosToSomeNodes)
	if !ok || len(dep.NodeIDs) != len(want) || dep.NodeIDs[0].String() != want[0] {
		t.Fatalf("proposal %d deploys %+v; want the previewed nodes %v", p.ID, a, want)
	}
	if err := tr.Halt(ctx, "node fault under investigation", ""); err != nil {
		t.Fatal(err)
	}
	v, err = tr.Look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := v.Summary(); s.Halted == nil || s.State != RolloutHalted || v.Glance().Command != "rollout resume" {
		t.Fatalf("halted view: %+v", s)
	}
	if pv := v.PreviewAdvance(); pv.Function != "" || !strings.Contains(joinOr(pv.Wait, ""), "halted") {
		t.Errorf("preview while halted: %+v", pv)
	}
	if _, err := tr.AdvanceRelease(ctx); !errors.Is(err, ErrHalted) {
		t.Fatalf("advance while halted: %v; want ErrHalted", err)
	}
	if err := tr.Resume(ctx, "fault explained", ""); err != nil {
		t.Fatal(err)
	}
	if v, err = tr.Look(ctx); err != nil || v.Summary().Halted != nil {
		t.Fatalf("after resume: %v %+v", err, v)
	}
	if pl, err := tr.PlanRelease(ctx); err == nil || pl != nil {
		t.Errorf("re-plan after a deploy: %+v, %v; want refused", pl, err)
	}
}

// TestLookCanister: Look on an NNS canister release holds the canister
// status; the glance counts canisters and names root first; the preview
// names root's InstallCode and AdvanceRelease submits it; PlanRelease
// stores nothing and says no plan is needed.
func TestLookCanister(t *testing.T) {
	_, _, tr := canisterTracker(t)
	ctx := context.Background()
	v, err := tr.Look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != ReleaseCanister || v.Canister == nil || v.GuestOS != nil || v.HostOS != nil {
		t.Fatalf("view %+v", v)
	}
	g := v.Glance()
	if g.Targets != 2 || g.Patched != 0 || g.Unit != "canisters" || g.Step != "1 of 2 · root" || !g.Ready || g.Command != "rollout advance" {
		t.Errorf("glance %+v", g)
	}
	pv := v.PreviewAdvance()
	if pv.Kind != ReleaseCanister || pv.Function != InstallCodeFunction || pv.Canister != proposals.RootCanisterID || pv.WasmSHA256 != v.Canister.Canisters[0].WasmSHA256 {
		t.Fatalf("preview %+v", pv)
	}
	pl, err := tr.PlanRelease(ctx)
	if err != nil || pl.Stored || pl.Canisters == nil || !strings.HasPrefix(pl.Describe(), "no plan needed") {
		t.Fatalf("plan %+v %v", pl, err)
	}
	adv, err := tr.AdvanceRelease(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(adv.Submitted) != 1 || adv.Submitted[0].Kind != KindInstall || adv.Submitted[0].Subnet != pv.Canister {
		t.Fatalf("advanced %+v; want root's InstallCode", adv.Submitted)
	}
	v, err = tr.Look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g := v.Glance(); g.Ready || !strings.Contains(g.Gate, "waiting for adoption") {
		t.Errorf("after the advance: %+v", g)
	}
	if _, err := tr.AdvanceRelease(ctx); !errors.Is(err, ErrNotReady) {
		t.Errorf("second advance: %v; want a wait", err)
	}
}

// TestUnknownKind: a kind this nnspatch does not know is ErrReleaseKind.
func TestUnknownKind(t *testing.T) {
	if _, err := kindFor("sev-firmware"); !errors.Is(err, ErrReleaseKind) {
		t.Fatalf("kindFor: %v", err)
	}
	for _, k := range ReleaseKinds {
		if _, err := kindFor(k); err != nil {
			t.Errorf("kind %s: %v", k, err)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
