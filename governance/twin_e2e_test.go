package governance

import (
	"testing"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
)

// TestPreflightFindsExecutedTwin retries proposals that the developer's
// vote adopted and executed within the call: the retry must name them
// instead of submitting again, until the registry moves on.
func TestPreflightFindsExecutedTwin(t *testing.T) {
	net, c := startLocal(t)
	sub := net.Topology().Subnets[1]
	fresh := "5555555555555555555555555555555555555555"

	elect := electRequest(t, fresh)
	electID := mustExecute(t, c, elect)
	if got := preflightExisting(t, c, elect); got != electID {
		t.Errorf("retried election: existing = %d, want %d", got, electID)
	}

	deploy := deployRequest(t, sub.ID, fresh)
	deployID := mustExecute(t, c, deploy)
	if got := preflightExisting(t, c, deploy); got != deployID {
		t.Errorf("retried deployment: existing = %d, want %d", got, deployID)
	}

	mustExecute(t, c, deployRequest(t, sub.ID, sub.Version))
	if got := preflightExisting(t, c, deploy); got != 0 {
		t.Errorf("deployment after a rollback: existing = %d, want 0 (the executed twin is history)", got)
	}
}

func deployRequest(t *testing.T, subnet, version string) govdid.MakeProposalRequest {
	t.Helper()
	payload, err := proposals.EncodePayload(proposals.DeployGuestosToAllSubnetNodes{SubnetID: mustPrincipal(t, subnet), ReplicaVersionID: version})
	if err != nil {
		t.Fatal(err)
	}
	title := "Deploy " + version + " to " + subnet
	return govdid.MakeProposalRequest{Title: &title, Summary: "A deployment for testing.", Action: &govdid.ProposalActionRequest{
		ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 11, Payload: payload}}}
}

// mustExecute submits req as the developer neuron and checks that it was
// executed at once.
func mustExecute(t *testing.T, c *Client, req govdid.MakeProposalRequest) uint64 {
	t.Helper()
	ctx := testCtx(t)
	id, err := c.MakeProposal(ctx, devNeuron, req)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.GetProposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != StatusExecuted {
		t.Fatalf("proposal %d is %s, want executed", id, p.Status)
	}
	return id
}

func preflightExisting(t *testing.T, c *Client, req govdid.MakeProposalRequest) uint64 {
	t.Helper()
	p, err := c.Preflight(testCtx(t), devNeuron, req)
	if err != nil {
		t.Fatal(err)
	}
	return p.Existing
}
