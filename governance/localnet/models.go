package localnet

import (
	"fmt"
	"slices"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/govmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
)

// Canister ids of the hosted NNS canisters.
var (
	// GovernanceID is the NNS governance canister.
	GovernanceID = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	// RegistryID is the NNS registry canister.
	RegistryID = principal.MustDecode("rwlgt-iiaaa-aaaaa-aaaaa-cai")
)

// governanceSeed converts the topology's neurons and history for the
// governance model. With a history, neurons exist from its first proposal.
func governanceSeed(t *Topology, genesis time.Time) govmodel.Seed {
	s := govmodel.Seed{Genesis: genesis}
	if h := t.History; h != nil {
		s.Genesis = genesis.Add(-time.Duration(h.Proposals+1) * HistorySpacing)
		s.Proposals = historyProposals(h, s.Genesis)
	}
	for _, n := range t.Neurons {
		s.Neurons = append(s.Neurons, govmodel.NeuronSeed{
			ID:            n.ID,
			Controller:    n.Controller,
			StakeE8s:      n.StakeE8s,
			DissolveDelay: time.Duration(n.DissolveDelaySeconds) * time.Second,
			Followees:     n.Followees,
			KnownName:     n.Name,
		})
	}
	return s
}

// registrySeed converts the topology for the registry model.
func registrySeed(t *Topology, genesis time.Time) regmodel.Seed {
	s := regmodel.Seed{NNSSubnetID: principal.MustDecode(t.NNSSubnet), Genesis: genesis, UnassignedVersion: t.UnassignedVersion}
	for _, sn := range t.Subnets {
		rs := regmodel.Subnet{ID: principal.MustDecode(sn.ID), Type: regmodel.SubnetType(sn.Type), Version: sn.Version}
		for _, n := range sn.Nodes {
			rs.Nodes = append(rs.Nodes, principal.MustDecode(n))
		}
		s.Subnets = append(s.Subnets, rs)
	}
	for _, v := range t.GuestOSVersions {
		s.GuestOSVersions = append(s.GuestOSVersions, regmodel.GuestOSVersion{ID: v.ID, SHA256Hex: v.SHA256, URLs: v.URLs})
	}
	for _, v := range t.HostOSVersions {
		s.HostOSVersions = append(s.HostOSVersions, regmodel.HostOSVersion{ID: v.ID, SHA256Hex: v.SHA256, URLs: v.URLs})
	}
	for _, n := range t.APIBoundaryNodes {
		s.APIBoundaryNodes = append(s.APIBoundaryNodes, regmodel.APIBoundaryNode{ID: principal.MustDecode(n), Version: t.APIBoundaryVersion})
	}
	for _, id := range sortedKeys(t.NodeHostOS) {
		n := regmodel.Node{ID: principal.MustDecode(id), HostOSVersion: t.NodeHostOS[id]}
		if op, ok := t.NodeOperatorOf[id]; ok {
			n.Operator = principal.MustDecode(op)
		}
		s.Nodes = append(s.Nodes, n)
	}
	for _, dc := range t.DataCenters {
		s.DataCenters = append(s.DataCenters, regmodel.DataCenter{ID: dc.ID, Region: dc.Region, Owner: dc.Owner})
	}
	for _, op := range t.NodeOperators {
		s.NodeOperators = append(s.NodeOperators, regmodel.NodeOperator{ID: op.ID, Provider: op.Provider, DC: op.DC, Allowance: 1})
	}
	s.Canisters = seedModules()
	if g := t.Registry; g != nil {
		s.ChunkAbove = g.ChunkAboveBytes
		if g.Versions > 1 {
			s.ExtraVersions = g.Versions - 1
			s.Genesis = genesis.Add(-time.Duration(s.ExtraVersions) * regmodel.ExtraVersionSpacing)
		}
	}
	return s
}

// subnetDeployments returns the registry's subnet deployments in order.
func subnetDeployments(reg *regmodel.Registry) []Deployment {
	var out []Deployment
	for _, d := range reg.Deployments() {
		if d.Target == regmodel.TargetSubnet {
			out = append(out, Deployment{Subnet: d.SubnetID.String(), Version: d.Version, At: d.At})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// historyProposals are the seed's history motions, one every HistorySpacing.
func historyProposals(h *HistorySeed, start time.Time) []govmodel.ProposalSeed {
	out := make([]govmodel.ProposalSeed, 0, h.Proposals)
	for i := 0; i < h.Proposals; i++ {
		title := fmt.Sprintf("History motion %d", i+1)
		out = append(out, govmodel.ProposalSeed{
			Proposer: h.Proposer,
			Created:  start.Add(time.Duration(i+1) * HistorySpacing),
			Request: govdid.MakeProposalRequest{Title: &title, Summary: "A motion from the seeded history of the local network.",
				Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: title}}},
		})
	}
	return out
}
