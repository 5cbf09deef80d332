package regmodel_test

import (
	"errors"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
)

func TestNewWritesSeedAsVersionOne(t *testing.T) {
	r := newRegistry(t, testSeed())
	if got := r.Version(); got != 1 {
		t.Fatalf("Version() = %d; want 1", got)
	}
	wantSubnets := []regmodel.Subnet{
		{ID: nnsSubnet, Type: regmodel.SubnetSystem, Nodes: []principal.Principal{node1}, Version: verCur},
		{ID: appSubnet, Type: regmodel.SubnetApplication, Nodes: []principal.Principal{node2}, Version: verOld},
	}
	if diff := cmp.Diff(wantSubnets, r.Subnets(), cmp.Comparer(principal.Principal.Equal)); diff != "" {
		t.Errorf("Subnets() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{verOld, verCur, verUnused, verAPI}, r.ElectedVersions()); diff != "" {
		t.Errorf("ElectedVersions() mismatch (-want +got):\n%s", diff)
	}
	if v, ok := r.UnassignedVersion(); !ok || v != verOld {
		t.Errorf("UnassignedVersion() = %q, %v; want %q", v, ok, verOld)
	}
	if id, ok := r.NNSSubnetID(); !ok || !id.Equal(nnsSubnet) {
		t.Errorf("NNSSubnetID() = %v, %v", id, ok)
	}
	if v, ok := r.SubnetVersion(appSubnet); !ok || v != verOld {
		t.Errorf("SubnetVersion(app) = %q, %v", v, ok)
	}
	if _, ok := r.SubnetVersion(testPrincipal(0xEE)); ok {
		t.Errorf("SubnetVersion(unknown) reported ok")
	}
	if got := r.APIBoundaryNodes(); len(got) != 1 || !got[0].ID.Equal(apiNode) || got[0].Version != verAPI {
		t.Errorf("APIBoundaryNodes() = %+v", got)
	}
	if got := r.HostOSVersions(); len(got) != 2 || got[0].ID != hostA || got[1].ID != hostB {
		t.Errorf("HostOSVersions() = %+v", got)
	}
}

func TestNewRejectsInvalidSeed(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*regmodel.Seed)
	}{
		{"subnet on unelected version", func(s *regmodel.Seed) { s.Subnets[1].Version = verNew }},
		{"unassigned on unelected version", func(s *regmodel.Seed) { s.UnassignedVersion = verNew }},
		{"api boundary node on unelected version", func(s *regmodel.Seed) { s.APIBoundaryNodes[0].Version = verNew }},
		{"node on unelected hostos", func(s *regmodel.Seed) { s.Nodes[2].HostOSVersion = "cccc" }},
		{"nns subnet not a subnet", func(s *regmodel.Seed) { s.NNSSubnetID = testPrincipal(0xEE) }},
		{"unknown subnet type", func(s *regmodel.Seed) { s.Subnets[0].Type = "premium" }},
		{"duplicate subnet", func(s *regmodel.Seed) { s.Subnets = append(s.Subnets, s.Subnets[1]) }},
		{"bad hash", func(s *regmodel.Seed) { s.GuestOSVersions[0].SHA256Hex = "xyz" }},
		{"url without hash", func(s *regmodel.Seed) { s.GuestOSVersions[0].SHA256Hex = "" }},
		{"file url", func(s *regmodel.Seed) { s.GuestOSVersions[0].URLs = []string{"file:///tmp/x"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed := testSeed()
			tt.mutate(&seed)
			_, err := regmodel.New(seed)
			if !errors.Is(err, regmodel.ErrInvalidSeed) {
				t.Fatalf("New() error = %v; want ErrInvalidSeed", err)
			}
		})
	}
}

func TestNewEmptySeed(t *testing.T) {
	r := newRegistry(t, regmodel.Seed{})
	if r.Version() != 1 || len(r.Subnets()) != 0 || len(r.ElectedVersions()) != 0 {
		t.Fatalf("empty seed: version %d, subnets %v, elected %v", r.Version(), r.Subnets(), r.ElectedVersions())
	}
}
