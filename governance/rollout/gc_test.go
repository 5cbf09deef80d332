package rollout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

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
