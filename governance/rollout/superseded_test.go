package rollout

import (
	"context"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

// propose submits a draft as the developer's neuron (which adopts IC OS
// proposals at once) and checks that it executed.
func propose(t *testing.T, c *governance.Client) func(proposals.Draft, error) {
	return func(d proposals.Draft, err error) {
		t.Helper()
		submit(t, c, d, err)
	}
}

func submit(t *testing.T, c *governance.Client, d proposals.Draft, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	req, err := d.Request()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, err := c.MakeProposal(ctx, 80, req)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.GetProposal(ctx, id); err != nil || p.Status != governance.StatusExecuted {
		t.Fatalf("proposal %d: %+v, %v", id, p, err)
	}
}

// deployByProposals deploys v to every subnet, the unassigned nodes and
// every API boundary node through executed deploy proposals.
func deployByProposals(t *testing.T, c *governance.Client, reg *governance.Registry, v string) {
	for _, s := range reg.Subnets {
		id, _ := principal.Decode(s.ID)
		propose(t, c)(proposals.NewDeployGuestOS(proposals.DeployOptions{Mode: proposals.ModeSecurity, SubnetID: id, Version: v}))
	}
	propose(t, c)(proposals.NewDeployUnassigned(proposals.UnassignedOptions{Mode: proposals.ModeSecurity, Version: v}))
	var bns []principal.Principal
	for _, b := range reg.APIBoundaryNodes {
		id, _ := principal.Decode(b.ID)
		bns = append(bns, id)
	}
	propose(t, c)(proposals.NewDeployAPIBoundaryNodes(proposals.APIBoundaryNodesOptions{Mode: proposals.ModeSecurity, Version: v, NodeIDs: bns}))
}

// Two consecutive security releases, the second deployed by proposals over
// the first everywhere: the first reads superseded, never rolled back, and
// nothing suggests re-deploying it.
func TestNewerReleaseSupersedesNotRollsBack(t *testing.T) {
	c, tr, _, _ := plannedTracker(t, 100)
	ctx := context.Background()
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081"
	second := "6b2f9a1d4e3c5b7a899eaf102b3c4d5e6f708192"
	deployByProposals(t, c, reg, first)
	propose(t, c)(proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: second,
		SHA256: strings.Repeat("ef", 32), MeasurementsWaiver: "test build"}))
	deployByProposals(t, c, reg, second)

	st, err := tr.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.State == RolloutRolledBack || st.State != RolloutComplete {
		t.Errorf("first release is %s, want complete", st.State)
	}
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			if s.State != StateSuperseded {
				t.Errorf("subnet %s: %s (%s), want superseded", s.Subnet, s.State, s.Detail)
			}
		}
	}
	if st.Unassigned.State != StateSuperseded {
		t.Errorf("unassigned: %s, want superseded", st.Unassigned.State)
	}
	if st.APIBoundary == nil || st.APIBoundary.State != StateSuperseded {
		t.Errorf("API boundary nodes: %+v, want superseded", st.APIBoundary)
	}
	for _, b := range st.Blockers {
		if strings.Contains(b, "redeploy") || strings.Contains(b, "rolled back") {
			t.Errorf("blocker suggests a downgrade: %s", b)
		}
	}
}
