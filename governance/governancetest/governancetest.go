// Package governancetest connects governance clients to the embedded local
// network for tests, as its developer identity (the controller of the
// seed's DevNeuron).
//
// It imports governance, so governance's own in-package tests cannot use
// it; its external tests (package governance_test) and every other
// package's tests can.
package governancetest

import (
	"context"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// DevNeuron is the neuron of the local network's default seed that the
// developer identity controls.
const DevNeuron = 80

// Start starts a local network with opts (see localnettest.Start) and
// connects to it as the developer identity.
func Start(t testing.TB, opts ...localnettest.Option) (*localnet.Network, *governance.Client) {
	t.Helper()
	n := localnettest.Start(t, opts...)
	return n, DevClient(t, n)
}

// DevClient connects to n as its developer identity, fetching the
// network's root key as for any local network. It fails the test if the
// identity cannot be loaded or the client cannot connect within a minute.
func DevClient(t testing.TB, n *localnet.Network) *governance.Client {
	t.Helper()
	id, err := governance.LoadIdentity(n.DeveloperIdentityPath(), governance.IdentityEnv{})
	if err != nil {
		t.Fatalf("load the developer identity: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := governance.New(ctx, governance.Network{Name: "local", URL: n.URL(), FetchRootKey: true}, id, governance.Options{})
	if err != nil {
		t.Fatalf("connect to the local network: %v", err)
	}
	return c
}
