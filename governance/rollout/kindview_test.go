package rollout_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
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
	if v.Kind != rollout.ReleaseHostOS || v.HostOS == nil || v.GuestOS != nil || v.Canister != nil {
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
	if pv.Kind != rollout.ReleaseHostOS || pv.Function != rollout.DeployHostOSFunction || pv.Stage != rollout.StageCanary || pv.Batch != 1 || !slices.Equal(pv.Nodes, want) {
		t.Fatalf("preview %+v; want canary batch 1 with %v", pv, want)
	}
	if d := pv.Describe(); d != "1 DeployHostosToSomeNodes proposal: HostOS stage canary, batch 1, 1 node(s)" {
		t.Errorf("describe %q", d)
	}
	adv, err := tr.AdvanceRelease(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(adv.Submitted) != 1 || adv.Submitted[0].Kind != rollout.KindHostOSDeploy || adv.View == nil || adv.View.HostOS == nil {
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
	if s := v.Summary(); s.Halted == nil || s.State != rollout.RolloutHalted || v.Glance().Command != "rollout resume" {
		t.Fatalf("halted view: %+v", s)
	}
	if pv := v.PreviewAdvance(); pv.Function != "" || !strings.Contains(strings.Join(pv.Wait, "; "), "halted") {
		t.Errorf("preview while halted: %+v", pv)
	}
	if _, err := tr.AdvanceRelease(ctx); !errors.Is(err, rollout.ErrHalted) {
		t.Fatalf("advance while halted: %v; want ErrHalted", err)
	}
	if err := tr.Resume(ctx, "fault explained", ""); err != nil {
		t.Fatal(err)
	}
	if v, err = tr.Look(ctx); err != nil || v.Summary().Halted != nil {
		t.Fatalf("after resume: %v %+v", err, v)
	}
	if pl, err := tr.PlanRelease(ctx, rollout.PlanRequest{}); err == nil || pl != nil {
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
	if v.Kind != rollout.ReleaseCanister || v.Canister == nil || v.GuestOS != nil || v.HostOS != nil {
		t.Fatalf("view %+v", v)
	}
	g := v.Glance()
	if g.Targets != 2 || g.Patched != 0 || g.Unit != "canisters" || g.Step != "1 of 2 · root" || !g.Ready || g.Command != "rollout advance" {
		t.Errorf("glance %+v", g)
	}
	pv := v.PreviewAdvance()
	if pv.Kind != rollout.ReleaseCanister || pv.Function != rollout.InstallCodeFunction || pv.Canister != proposals.RootCanisterID || pv.WasmSHA256 != v.Canister.Canisters[0].WasmSHA256 {
		t.Fatalf("preview %+v", pv)
	}
	pl, err := tr.PlanRelease(ctx, rollout.PlanRequest{})
	if err != nil || pl.Stored || pl.Canisters == nil || !strings.HasPrefix(pl.Describe(), "no plan needed") {
		t.Fatalf("plan %+v %v", pl, err)
	}
	adv, err := tr.AdvanceRelease(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(adv.Submitted) != 1 || adv.Submitted[0].Kind != rollout.KindInstall || adv.Submitted[0].Subnet != pv.Canister {
		t.Fatalf("advanced %+v; want root's InstallCode", adv.Submitted)
	}
	v, err = tr.Look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g := v.Glance(); g.Ready || !strings.Contains(g.Gate, "waiting for adoption") {
		t.Errorf("after the advance: %+v", g)
	}
	if _, err := tr.AdvanceRelease(ctx); !errors.Is(err, rollout.ErrNotReady) {
		t.Errorf("second advance: %v; want a wait", err)
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

// TestFindReleasesEveryKind: FindReleases lists the GuestOS, HostOS and NNS
// canister releases of a releases dir alike (the TUI's picker shows them
// all), while BadVersions keeps only GuestOS versions: with all three
// halted, only the GuestOS one is never to be restored.
func TestFindReleasesEveryKind(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	guest, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: strings.Repeat("1", 40),
		SHA256: strings.Repeat("ab", 32), MeasurementsWaiver: "test build"})
	if err != nil {
		t.Fatal(err)
	}
	host, err := proposals.NewElectHostOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: strings.Repeat("2", 40), SHA256: strings.Repeat("cd", 32)})
	if err != nil {
		t.Fatal(err)
	}
	store := func(name string) rollout.Store { return rollout.Store{Dir: filepath.Join(dir, name)} }
	if _, err := rollout.NewRelease(ctx, store("a-guestos"), guest, "tester", now); err != nil {
		t.Fatal(err)
	}
	if _, err := rollout.NewHostOSRelease(ctx, store("b-hostos"), host, "tester", now); err != nil {
		t.Fatal(err)
	}
	if _, err := rollout.NewCanisterRelease(ctx, store("c-canister"), strings.Repeat("3", 40), proposals.ModeSecurity,
		[]proposals.Draft{rollouttest.CanisterDraft(t, proposals.RootCanisterID, rollouttest.PatchedWasm("root"))}, "tester", now); err != nil {
		t.Fatal(err)
	}
	found, err := rollout.FindReleases(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range found {
		l, err := s.Read()
		if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, l.ReleaseKind())
		tr := &rollout.Tracker{Store: s, Actor: "tester", Now: func(context.Context) (time.Time, error) { return now, nil }}
		if err := tr.Halt(ctx, "incident", ""); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{rollout.ReleaseGuestOS, rollout.ReleaseHostOS, rollout.ReleaseCanister}; !slices.Equal(kinds, want) {
		t.Fatalf("FindReleases kinds %v; want %v", kinds, want)
	}
	bad, err := rollout.BadVersions(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || bad[strings.Repeat("1", 40)] == "" {
		t.Fatalf("BadVersions %v; want only the GuestOS version", bad)
	}
}

// TestLookHostOSOverTolerance: the first canary node down on the version
// puts the canary stage over its tolerance of 0; the view's glance then
// names the stage as closed, alerts on the node, and says roll back or
// halt; the preview submits nothing and says why.
func TestLookHostOSOverTolerance(t *testing.T) {
	n, _, tr := hostOSTracker(t, 20)
	ctx := context.Background()
	canary := rollouttest.FaultCanary(t, n, tr)
	advanceUntil(t, n, tr, func(_ *rollout.HostOSAdvanceResult, err error) bool { return errors.Is(err, rollout.ErrGateFailed) })
	v, err := tr.Look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g := v.Glance()
	if v.Summary().State != rollout.RolloutFailed || g.Command != "rollback plan" || !strings.HasPrefix(g.Action, "roll back or halt: rollout stopped: HostOS stage canary") {
		t.Errorf("glance action %q %q in state %s", g.Action, g.Command, v.Summary().State)
	}
	if !strings.HasPrefix(g.Step, "canary") || !strings.Contains(g.Gate, "closed: 1 of 6 node(s) failed, over the stage's tolerance of 0%") {
		t.Errorf("glance step %q gate %q", g.Step, g.Gate)
	}
	if len(g.Alerts) != 1 || g.Alerts[0].Subnet != "node "+canary || g.Alerts[0].Since.IsZero() || g.Alerts[0].Since.After(n.Now()) {
		t.Fatalf("alerts %+v; want node %s, down since a time seen", g.Alerts, canary)
	}
	if pv := v.PreviewAdvance(); pv.Function != "" || !strings.Contains(strings.Join(pv.Wait, "; "), "over its tolerance") {
		t.Errorf("preview %+v", pv)
	}
	// A later look keeps when the node was first seen down: the alert ages.
	since := g.Alerts[0].Since
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, err = tr.Look(ctx); err != nil {
		t.Fatal(err)
	}
	if a := v.Glance().Alerts; len(a) != 1 || !a[0].Since.Equal(since) {
		t.Errorf("alerts an hour later %+v; want down since %s", a, since)
	}
}
