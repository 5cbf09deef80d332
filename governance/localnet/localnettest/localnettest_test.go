package localnettest_test

import (
	"net/url"
	"os"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

func query(t *testing.T, n *localnet.Network) error {
	t.Helper()
	u, err := url.Parse(n.URL())
	if err != nil {
		t.Fatal(err)
	}
	g, err := govdid.NewGovernanceAgent(localnet.GovernanceID, agent.Config{
		FetchRootKey: true, ClientConfig: []agent.ClientOption{agent.WithHostURL(u)},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.GetBuildMetadata()
	return err
}

func TestStart(t *testing.T) {
	n := localnettest.Start(t)
	if err := query(t, n); err != nil {
		t.Fatalf("verified query: %v", err)
	}
	if _, err := os.Stat(n.DeveloperIdentityPath()); err != nil {
		t.Fatal(err)
	}
}

func TestStartBadRootKey(t *testing.T) {
	n := localnettest.Start(t, localnettest.WithBadRootKey())
	if err := query(t, n); err == nil {
		t.Fatal("query verified against a bad root key")
	}
}
