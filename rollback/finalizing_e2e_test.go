package rollback

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
)

// targetOf returns the health of subnet in st.
func targetOf(t *testing.T, st *Status, subnet string) TargetHealth {
	t.Helper()
	for _, th := range st.Targets {
		if th.Subnet == subnet {
			return th
		}
	}
	t.Fatalf("no target health for %s in %+v", subnet, st.Targets)
	return TargetHealth{}
}

// checkState returns the state of the named check.
func checkState(th TargetHealth, name string) CheckState {
	for _, c := range th.Checks {
		if c.Name == name {
			return c.State
		}
	}
	return ""
}

// stepOf returns the status of the deploy step to subnet.
func stepOf(t *testing.T, st *Status, subnet string) StepStatus {
	t.Helper()
	for _, s := range st.Steps {
		if s.Kind == StepDeploy && s.Subnet == subnet {
			return s
		}
	}
	t.Fatalf("no deploy step for %s", subnet)
	return StepStatus{}
}

// TestStepDoneNeedsTwoHeights runs a rollback of two subnets against the
// local network with its /metrics health source, which reports one height
// per scrape and no verdict: a target running its restored version is not
// done on its first height, is done once a later observation, one minute
// on, sees the height grow, and a target stalled on its restored version
// (a localnet fault) is never done and its finalizing check fails. Each
// call is a new executor (a new CLI run): the heights live in the state.
func TestStepDoneNeedsTwoHeights(t *testing.T) {
	n, c := governancetest.Start(t)
	ctx := context.Background()
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	healthy, stalled := reg.Subnets[1], reg.Subnets[2]
	if healthy.GuestOSVersion != stalled.GuestOSVersion {
		t.Fatalf("fixture: subnets on %s and %s; want one version", healthy.GuestOSVersion, stalled.GuestOSVersion)
	}
	restore := healthy.GuestOSVersion
	var patch string
	for _, v := range reg.GuestOS {
		if v.ID != restore {
			patch = v.ID
		}
	}
	for _, sub := range []governance.Subnet{healthy, stalled} {
		sid, _ := principal.Decode(sub.ID)
		d, err := proposals.NewDeployGuestOS(proposals.DeployOptions{Mode: proposals.ModeRegular, SubnetID: sid, Version: patch})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := d.Request()
		if _, err := c.MakeProposal(ctx, 80, req); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.Advance(localnet.DefaultUpgradeDelay + time.Minute); err != nil {
		t.Fatal(err)
	}
	h, err := ReadHistory(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if reg, err = h.Registry(); err != nil {
		t.Fatal(err)
	}
	p, err := Build(Input{Release: patch, Mode: proposals.ModeSecurity, Registry: reg, History: h,
		Subnets: []string{healthy.ID, stalled.ID}, Failing: []string{healthy.ID, stalled.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// The restored version stalls on one of the two subnets.
	if err := n.SetFault(localnet.Fault{Version: restore, Subnets: []string{stalled.ID}}); err != nil {
		t.Fatal(err)
	}
	// Each call runs in a new executor, as each CLI run does: the heights
	// are kept in the state file.
	path := filepath.Join(t.TempDir(), "rb.json")
	executor := func() *Executor {
		return &Executor{Gov: c, File: StateFile{Path: path}, Neuron: 80, Policy: proposals.DefaultPolicy(),
			Now: rollouttest.Clock(n), Health: rollouttest.Metrics(n)}
	}
	e := executor()
	if _, err := e.Start(ctx, p); err != nil {
		t.Fatal(err)
	}
	st, err := e.Submit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The deploys executed; the replicas switch at their next CUP.
	for _, sub := range []string{healthy.ID, stalled.ID} {
		th := targetOf(t, st, sub)
		if s := stepOf(t, st, sub); s.State != StateSubmitted || th.State() != CheckWaiting || checkState(th, health.CheckVersion) != CheckWaiting {
			t.Fatalf("%s before its replicas switched: step %+v, target %+v", sub, s, th)
		}
	}

	// Past the switch and the replicas' catch-up (IC_Replica_Behind fires
	// until then).
	if _, err := n.Advance(localnet.DefaultUpgradeDelay + localnet.DefaultCatchUp + time.Minute); err != nil {
		t.Fatal(err)
	}
	st, err = executor().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{healthy.ID, stalled.ID} {
		th := targetOf(t, st, sub)
		if s := stepOf(t, st, sub); s.State == StateDone || checkState(th, health.CheckVersion) != CheckOK || checkState(th, health.CheckFinalizing) != CheckWaiting {
			t.Fatalf("%s runs %s with one height seen: step %+v, target %+v", sub, restore, s, th)
		}
	}
	// Nothing but the missing second height holds the healthy one back.
	if th := targetOf(t, st, healthy.ID); th.State() != CheckWaiting || checkState(th, health.CheckAlerts) != CheckOK {
		t.Fatalf("%s with one height seen: %+v", healthy.ID, th)
	}

	if _, err := n.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	st, err = executor().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, th := stepOf(t, st, healthy.ID), targetOf(t, st, healthy.ID); s.State != StateDone || !th.Healthy() {
		t.Fatalf("%s after its height grew: step %+v, target %+v", healthy.ID, s, th)
	}
	th := targetOf(t, st, stalled.ID)
	if s := stepOf(t, st, stalled.ID); s.State == StateDone || st.Done || checkState(th, health.CheckFinalizing) != CheckFailed || th.State() != CheckFailed {
		t.Fatalf("%s stalled on %s: step %+v, target %+v", stalled.ID, restore, s, th)
	}
	if CountRecovery(st.Targets) != (Recovery{Healthy: 1, Total: 2}) {
		t.Fatalf("recovery = %+v", CountRecovery(st.Targets))
	}
}
