package rollout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/proposals"
)

// churnElections makes governance settle n elections of other versions
// (adopted and executed at once on the local network), pushing older
// election proposals out once more than the kept number are settled.
func churnElections(t *testing.T, c *governance.Client, n int) {
	t.Helper()
	for i := range n {
		sum := sha256.Sum256(fmt.Appendf(nil, "churn election %d", i))
		version := hex.EncodeToString(sum[:20])
		d, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeRegular, Version: version,
			SHA256: hex.EncodeToString(sum[:]), MeasurementsWaiver: "churn", ReleaseTag: "release-churn", ReleaseNotes: "churn"})
		submit(t, c, d, err)
	}
}

// churnDeploys makes governance settle n HostOS deployments (same topic as
// GuestOS deployments) of the first elected HostOS version to one node,
// leaving every GuestOS target alone.
func churnDeploys(t *testing.T, n *localnet.Network, c *governance.Client, count int) {
	t.Helper()
	hv := n.Registry().HostOSVersions()[0].ID
	node := n.Registry().Nodes()[0].ID
	for range count {
		d, err := proposals.NewDeployHostOS(proposals.DeployHostOSOptions{Mode: proposals.ModeRegular, Version: hv, NodeIDs: []principal.Principal{node}})
		submit(t, c, d, err)
	}
}

// requireGone fails unless governance answers "not found" for id.
func requireGone(t *testing.T, c *governance.Client, id uint64) {
	t.Helper()
	if _, err := c.GetProposal(context.Background(), id); !errors.Is(err, governance.ErrProposalNotFound) {
		t.Fatalf("proposal %d: %v, want it garbage-collected (ErrProposalNotFound)", id, err)
	}
}

// TestReleaseAcrossGarbageCollection: after governance has garbage
// collected the release's election and first-batch deploys (over 100
// newer settled proposals on each topic, their rewards settled days
// later), the release reports the same status as before from the facts
// its ledger kept, and nothing is an error.
func TestReleaseAcrossGarbageCollection(t *testing.T) {
	n, c, tr := localTracker(t)
	ctx := context.Background()
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := BuildPlan(reg, PlanOptions{Version: "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081", Start: n.Now(), BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	res, err := tr.Advance(ctx)
	if err != nil || len(res.Submitted) == 0 {
		t.Fatalf("advance: %v, %v", res, err)
	}
	before, err := tr.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}

	churnElections(t, c, 101)
	churnDeploys(t, n, c, 101)
	if _, err := n.Advance(6 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	requireGone(t, c, mustElection(t, tr).ID)
	for _, s := range res.Submitted {
		requireGone(t, c, s.Proposal)
	}

	after, err := tr.Status(ctx)
	if err != nil {
		t.Fatalf("status once governance forgot the release's proposals: %v", err)
	}
	samePicture(t, before, after)
	if after.Election.Status != "executed" {
		t.Errorf("election status %q after garbage collection, want executed (from the ledger)", after.Election.Status)
	}
}
