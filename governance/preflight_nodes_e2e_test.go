package governance

import (
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
)

// execRequest wraps a payload into a MakeProposalRequest for fn.
func execRequest(t *testing.T, fn int32, a proposals.FunctionPayload) govdid.MakeProposalRequest {
	t.Helper()
	payload, err := proposals.EncodePayload(a)
	if err != nil {
		t.Fatal(err)
	}
	title := "Deploy to some nodes"
	return govdid.MakeProposalRequest{Title: &title, Summary: "Deploy.", Action: &govdid.ProposalActionRequest{
		ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: fn, Payload: payload}}}
}

// A node id the registry does not have fails preflight for HostOS and
// API-boundary-node deployments; a subnet node is not an API boundary node;
// real ids pass.
func TestPreflightRefusesUnknownNodes(t *testing.T) {
	net, c := startLocal(t)
	ctx := testCtx(t)
	topo := net.Topology()
	ghost := derivedNodeID("no such node")
	bn := mustPrincipal(t, topo.APIBoundaryNodes[0])
	member := mustPrincipal(t, topo.Subnets[1].Nodes[0])
	hostos := topo.HostOSVersions[1].ID
	guestos := topo.GuestOSVersions[2].ID

	host := func(ids ...principal.Principal) govdid.MakeProposalRequest {
		return execRequest(t, 51, proposals.DeployHostosToSomeNodes{HostosVersionID: &hostos, NodeIDs: ids})
	}
	bnReq := func(ids ...principal.Principal) govdid.MakeProposalRequest {
		return execRequest(t, 47, proposals.DeployGuestosToSomeAPIBoundaryNodes{Version: guestos, NodeIDs: ids})
	}
	cases := []struct {
		name string
		req  govdid.MakeProposalRequest
		want string // "" = passes
	}{
		{"hostos real nodes", host(member, bn), ""},
		{"hostos unknown node", host(member, ghost), "1 of 2 node(s) are not in the registry: " + ghost.Encode()},
		{"api bn real", bnReq(bn), ""},
		{"api bn unknown", bnReq(bn, ghost), "not in the registry: " + ghost.Encode()},
		{"api bn subnet member", bnReq(member), "not API boundary nodes: " + member.Encode()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Preflight(ctx, devNeuron, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Err()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want a pass, got %v", err)
				}
				return
			}
			if !errors.Is(err, ErrPreflight) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a preflight failure with %q", err, tc.want)
			}
		})
	}
}

// derivedNodeID is a well-formed node-like principal no seed uses.
func derivedNodeID(label string) principal.Principal {
	raw := []byte(strings.Repeat(label, 4))[:28]
	return principal.Principal{Raw: append(raw, 0x02)}
}
