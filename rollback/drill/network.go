package drill

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
)

// env is the network a drill runs against.
type env struct {
	url   string
	admin localnet.Admin
	close func() error
}

// openEnv connects to url, or starts an embedded network for s in a
// temporary directory when url is empty.
func openEnv(ctx context.Context, s *Scenario, url string) (*env, error) {
	if url != "" {
		e := &env{url: url, admin: localnet.Admin{URL: url}, close: func() error { return nil }}
		if _, err := e.admin.Status(ctx); err != nil {
			return nil, fmt.Errorf("open drill network %s: %w", url, err)
		}
		return e, nil
	}
	dir, err := os.MkdirTemp("", "nnspatch-drill-")
	if err != nil {
		return nil, fmt.Errorf("create drill state directory: %w", err)
	}
	n, err := localnet.Start(ctx, NetworkConfig(s, dir, "127.0.0.1:0"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start the embedded network: %w", err)
	}
	return &env{url: n.URL(), admin: localnet.Admin{URL: n.URL()}, close: func() error {
		err := n.Close()
		if rerr := os.RemoveAll(dir); err == nil {
			err = rerr
		}
		return err
	}}, nil
}

// NetworkConfig is the local network a scenario describes, with its state
// in dir, listening on listen: the default seed's neurons with the
// scenario's versions, subnets and upgrade timing.
func NetworkConfig(s *Scenario, dir, listen string) localnet.Config {
	return localnet.Config{StateDir: dir, Listen: listen, Seed: seedOf(s),
		UpgradeDelay: s.Network.UpgradeDelay.D(), CatchUp: s.Network.CatchUp.D()}
}

// seedOf builds the scenario's seed.
func seedOf(s *Scenario) *localnet.Seed {
	seed := localnet.DefaultSeed()
	seed.Name = "nnspatch-drill-" + s.Name
	seed.GuestOSVersions = nil
	for _, v := range s.Network.Versions {
		seed.GuestOSVersions = append(seed.GuestOSVersions, localnet.VersionSeed{Version: Commit(v)})
	}
	seed.Subnets = []localnet.SubnetSeed{{ID: rollout.NNSSubnet, Type: "system", Nodes: s.Network.NNSNodes, Version: Commit(s.Network.NNSVersion)}}
	seed.NNSSubnet = rollout.NNSSubnet
	seed.Generated = nil
	for _, g := range s.Network.Subnets {
		nodes := max(g.Nodes, 1)
		seed.Generated = append(seed.Generated, localnet.GeneratedSubnets{Count: g.Count, Type: "application", Nodes: nodes, Version: Commit(g.Version)})
	}
	un := s.Network.UnassignedNodes
	if un.Version == "" {
		un.Version = s.Network.Versions[0]
	}
	seed.Unassigned = localnet.NodeGroupSeed{Count: max(un.Count, 1), Version: Commit(un.Version)}
	bn := s.Network.APIBoundaryNodes
	if bn.Version == "" {
		bn.Version = s.Network.Versions[0]
	}
	seed.APIBoundaryNodes = localnet.NodeGroupSeed{Count: max(bn.Count, 1), Version: Commit(bn.Version)}
	return seed
}

// network returns the governance network to connect to.
func (e *env) network() governance.Network {
	return governance.Network{Name: "drill", URL: e.url, FetchRootKey: true}
}

// now reads the virtual clock.
func (e *env) now(ctx context.Context) (time.Time, error) {
	st, err := e.admin.Status(ctx)
	return st.Now, err
}

// advance moves the virtual clock.
func (e *env) advance(ctx context.Context, d time.Duration) (time.Time, error) {
	st, err := e.admin.Advance(ctx, d)
	return st.Now, err
}
