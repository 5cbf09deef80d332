package health_test

import (
	"context"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// Seed facts the tests rely on (governance/localnet/default_seed.yaml).
const (
	devNeuron   = 80
	oldVersion  = "2c4fdf9d2d53dffed97a40992b867120e89c9346"
	newVersion  = "cda7fcf954b6f77187d83136e455d993ef2fbbda" // elected, unused
	testSubnet  = "pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae"
	otherSubnet = "uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe"
)

// startLocal starts a local network and a client as its developer identity.
func startLocal(t *testing.T) (*localnet.Network, *governance.Client) {
	t.Helper()
	return governancetest.Start(t)
}

// testCtx ends with the test, or after two minutes.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// deploy submits (and, through following, adopts and executes) a deploy of
// version to subnet.
func deploy(t *testing.T, c *governance.Client, subnet, version string) {
	t.Helper()
	sp, err := proposals.ParsePrincipal(subnet)
	if err != nil {
		t.Fatal(err)
	}
	d, err := proposals.NewDeployGuestOS(proposals.DeployOptions{Mode: proposals.ModeSecurity, SubnetID: sp, Version: version})
	if err != nil {
		t.Fatal(err)
	}
	req, err := d.Request()
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.MakeProposal(testCtx(t), devNeuron, req)
	if err != nil {
		t.Fatalf("deploy %s to %s: %v", version, subnet, err)
	}
	p, err := c.GetProposal(testCtx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != governance.StatusExecuted {
		t.Fatalf("deploy proposal %d is %s, want executed", id, p.Status)
	}
}

// checksOf evaluates the gate of one subnet in a snapshot as name -> ok.
func checksOf(s *health.Snapshot, subnet, version string) map[string]health.Check {
	out := map[string]health.Check{}
	for _, c := range health.Evaluate(s.Subnets[subnet], version) {
		out[c.Name] = c
	}
	return out
}
