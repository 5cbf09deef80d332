package rollout

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/proposals"
)

// execOn executes a payload on the local network's registry as governance
// would after adoption, at the network's clock.
func execOn(t *testing.T, n *localnet.Network, p proposals.FunctionPayload) {
	t.Helper()
	b, err := proposals.EncodePayload(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := n.Registry().ExecuteNnsFunction(int32(p.NnsFunction()), b, n.Now()); err != nil {
		t.Fatal(err)
	}
}

// deployEverywhere deploys v to every subnet, the unassigned nodes and all
// API boundary nodes but the first skipBNs.
func deployEverywhere(t *testing.T, n *localnet.Network, v string, skipBNs int) {
	for _, s := range n.Registry().Subnets() {
		execOn(t, n, proposals.DeployGuestosToAllSubnetNodes{SubnetID: s.ID, ReplicaVersionID: v})
	}
	execOn(t, n, proposals.DeployGuestosToAllUnassignedNodes{ElectedReplicaVersion: v})
	var ids []principal.Principal
	for _, b := range n.Registry().APIBoundaryNodes()[skipBNs:] {
		ids = append(ids, b.ID)
	}
	execOn(t, n, proposals.DeployGuestosToSomeAPIBoundaryNodes{NodeIDs: ids, Version: v})
}

// The quiet period needs every API boundary node; a rollback during it
// voids it and disclose refuses naming the unpatched target; it restarts
// when 100% holds again and disclose succeeds after the full period.
func TestQuietPeriodFollowsTheTimeline(t *testing.T) {
	n, _, tr := localTracker(t)
	ctx := context.Background()
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	v := l.Version
	sub := n.Registry().Subnets()[0].ID
	old, _ := n.Registry().SubnetVersion(sub)
	deployEverywhere(t, n, v, 1)
	bn := "api_boundary_node " + n.Registry().APIBoundaryNodes()[0].ID.Encode()

	st, err := tr.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Quiet.Started || !slices.Equal(st.Quiet.Unpatched, []string{bn}) {
		t.Fatalf("one API boundary node unpatched: quiet %+v", st.Quiet)
	}
	var refused *DiscloseRefusedError
	if _, err := tr.Disclose(ctx, "https://src", false, ""); !errors.As(err, &refused) || !errors.Is(err, ErrQuietPeriod) || !slices.Equal(refused.Unpatched, []string{bn}) {
		t.Fatalf("disclose with an unpatched API boundary node: %v", err)
	}

	execOn(t, n, proposals.DeployGuestosToSomeAPIBoundaryNodes{NodeIDs: []principal.Principal{n.Registry().APIBoundaryNodes()[0].ID}, Version: v})
	if st, err = tr.Status(ctx); err != nil || !st.Quiet.Started || st.Quiet.Void {
		t.Fatalf("100%% patched: quiet %+v, %v", st.Quiet, err)
	}
	firstStart := st.Quiet.Start

	if _, err := n.Advance(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	execOn(t, n, proposals.DeployGuestosToAllSubnetNodes{SubnetID: sub, ReplicaVersionID: old})
	if st, err = tr.Status(ctx); err != nil || !st.Quiet.Void || st.Quiet.Started {
		t.Fatalf("after a rollback: quiet %+v, %v", st.Quiet, err)
	}
	if _, err := n.Advance(10 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	_, err = tr.Disclose(ctx, "https://src", false, "")
	if !errors.As(err, &refused) || !refused.Void || !slices.Equal(refused.Unpatched, []string{"subnet " + sub.Encode()}) {
		t.Fatalf("disclose while a subnet is rolled back: %v", err)
	}

	execOn(t, n, proposals.DeployGuestosToAllSubnetNodes{SubnetID: sub, ReplicaVersionID: v})
	if st, err = tr.Status(ctx); err != nil || !st.Quiet.Started || !st.Quiet.Start.After(firstStart) || st.Quiet.Voided != 1 {
		t.Fatalf("restarted: quiet %+v (first start %v), %v", st.Quiet, firstStart, err)
	}
	if _, err := tr.Disclose(ctx, "https://src", false, ""); !errors.As(err, &refused) {
		t.Fatalf("disclose right after the restart: %v", err)
	}
	if _, err := n.Advance(10 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if d, err := tr.Disclose(ctx, "https://src", false, ""); err != nil || d.Forced {
		t.Fatalf("disclose after 10 days of 100%%: %+v, %v", d, err)
	}
}

// A forced disclosure while unpatched is recorded as an override.
func TestForcedDisclosureWhileUnpatchedIsAudited(t *testing.T) {
	_, _, tr := localTracker(t)
	ctx := context.Background()
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := tr.Disclose(ctx, "https://src", true, "exploit in the wild")
	if err != nil || !d.Forced {
		t.Fatalf("forced: %+v, %v", d, err)
	}
	l, _ := tr.Store.Read()
	i := slices.IndexFunc(l.Audit, func(e Event) bool { return e.Action == "force" })
	if i < 0 {
		t.Fatalf("no force entry in %+v", l.Audit)
	}
}
