package governance

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
)

func TestPreflightAgainstLocalnet(t *testing.T) {
	net, c := startLocal(t)
	ctx := testCtx(t)
	topo := net.Topology()
	nnsVersion := topo.Subnets[0].Version
	fresh := "2222222222222222222222222222222222222222"

	p, err := c.Preflight(ctx, devNeuron, electRequest(t, fresh))
	if err != nil {
		t.Fatal(err)
	}
	if p.Err() != nil || p.Existing != 0 || len(p.PayloadSHA256) != 64 {
		t.Fatalf("clean election: %+v, %v", p, p.Err())
	}

	id, err := c.MakeProposal(ctx, devNeuron, motionRequest("retry me"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Preflight(ctx, devNeuron, motionRequest("retry me"))
	if err != nil || again.Existing != id {
		t.Errorf("retry: existing = %d, want %d (%v)", again.Existing, id, err)
	}

	bad, err := c.Preflight(ctx, 27, electRequest(t, topo.GuestOSVersions[0].ID, nnsVersion, "3333333333333333333333333333333333333333"))
	if err != nil {
		t.Fatal(err)
	}
	var pe *PreflightError
	if !errors.As(bad.Err(), &pe) || !errors.Is(bad.Err(), ErrPreflight) || !errors.Is(bad.Err(), ErrNeuronNotControlled) {
		t.Fatalf("err = %v, want a PreflightError that names the neuron", bad.Err())
	}
	msg := pe.Error()
	for _, want := range []string{"neuron: identity", "not yet elected", topo.Subnets[0].ID, "3333333333333333333333333333333333333333 is not elected"} {
		if !strings.Contains(msg, want) {
			t.Errorf("preflight error lacks %q:\n%s", want, msg)
		}
	}
	if len(pe.Failed) != 4 {
		t.Errorf("failed checks = %d, want 4:\n%s", len(pe.Failed), msg)
	}
}

func TestPreflightDeployNeedsElectedVersion(t *testing.T) {
	net, c := startLocal(t)
	sub := net.Topology().Subnets[1]
	payload, err := proposals.EncodePayload(proposals.DeployGuestosToAllSubnetNodes{SubnetID: mustPrincipal(t, sub.ID), ReplicaVersionID: "4444444444444444444444444444444444444444"})
	if err != nil {
		t.Fatal(err)
	}
	title := "Deploy a version nobody elected"
	req := govdid.MakeProposalRequest{Title: &title, Action: &govdid.ProposalActionRequest{
		ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 11, Payload: payload}}}
	p, err := c.Preflight(testCtx(t), devNeuron, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err == nil || !strings.Contains(err.Error(), "must be elected") {
		t.Errorf("err = %v", err)
	}
}

func TestSendSignedVote(t *testing.T) {
	_, c := startLocal(t)
	ctx := testCtx(t)
	id, err := c.MakeProposal(ctx, 81, motionRequest("sign offline"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := SignManageNeuron(c.Identity, c.Network, VoteCommand(devNeuron, id, VoteNo), time.Now().Add(4*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendSigned(ctx, sc, time.Now()); err != nil {
		t.Fatal(err)
	}
	p, err := c.GetProposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range p.Ballots {
		if b.Neuron == devNeuron && b.Vote != VoteNo {
			t.Errorf("ballot of %d = %s, want no", devNeuron, b.Vote)
		}
	}
	// Sending the same message again is answered from the replica's
	// request_status: the original result, not a second vote.
	if _, err := c.SendSigned(ctx, sc, time.Now()); err != nil {
		t.Errorf("resend: %v", err)
	}
}

// TestPreflightFlagsUnelectionOfAnOpenDeploysVersion: unelecting a version
// that an open deploy proposal targets fails preflight, naming the
// proposal; the same unelection passes once nothing open targets it.
func TestPreflightFlagsUnelectionOfAnOpenDeploysVersion(t *testing.T) {
	net, c := startLocal(t)
	ctx := testCtx(t)
	fresh := "5555555555555555555555555555555555555555"
	if _, err := c.MakeProposal(ctx, devNeuron, electRequest(t, fresh)); err != nil {
		t.Fatal(err)
	}
	unelect := electRequest(t, "6666666666666666666666666666666666666666", fresh)
	p, err := c.Preflight(ctx, devNeuron, unelect)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("unelecting an unused version with nothing open: %v", err)
	}

	sub := net.Topology().Subnets[1]
	payload, err := proposals.EncodePayload(proposals.DeployGuestosToAllSubnetNodes{SubnetID: mustPrincipal(t, sub.ID), ReplicaVersionID: fresh})
	if err != nil {
		t.Fatal(err)
	}
	title := "Deploy the fresh version"
	// neuron 81 is nobody's followee: its proposal stays open
	deploy, err := c.MakeProposal(ctx, 81, govdid.MakeProposalRequest{Title: &title, Action: &govdid.ProposalActionRequest{
		ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 11, Payload: payload}}})
	if err != nil {
		t.Fatal(err)
	}
	if info, err := c.GetProposal(ctx, deploy); err != nil || info.Status != StatusOpen {
		t.Fatalf("deploy proposal %d: %v, %v; want it open", deploy, info, err)
	}
	p, err = c.Preflight(ctx, devNeuron, unelect)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Err()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("open deploy proposal %d", deploy)) || !strings.Contains(err.Error(), sub.ID) {
		t.Fatalf("unelecting the target of open deploy %d: %v", deploy, err)
	}
}
