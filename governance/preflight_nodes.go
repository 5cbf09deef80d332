package governance

import (
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/proposals"
)

// maxNamedNodes bounds how many unknown node ids a check's detail lists.
const maxNamedNodes = 5

// checkNodesExist adds the "nodes exist" check of a HostOS deployment:
// every node id has a node_record in the registry (the registry would
// refuse the proposal at execution, after a full vote, otherwise).
func checkNodesExist(p *Preflight, reg *Registry, ids []principal.Principal) {
	var unknown []string
	for _, id := range ids {
		if _, ok := reg.Nodes[id.Encode()]; !ok {
			unknown = append(unknown, id.Encode())
		}
	}
	if len(unknown) == 0 {
		p.add("nodes exist", true, "all %d node(s) are in the registry", len(ids))
		return
	}
	p.add("nodes exist", false, "%d of %d node(s) are not in the registry: %s; check the ids with `nnspatch nodes`",
		len(unknown), len(ids), nameSome(unknown))
}

// checkAPIBoundaryNodes adds the checks of a GuestOS deployment to API
// boundary nodes: the version is elected and every node id is an API
// boundary node (a node that exists but serves a subnet or is unassigned
// is named as such).
func checkAPIBoundaryNodes(p *Preflight, reg *Registry, a proposals.DeployGuestosToSomeAPIBoundaryNodes) {
	checkGuestOSElected(p, reg, a.Version)
	isBN := map[string]bool{}
	for _, b := range reg.APIBoundaryNodes {
		isBN[b.ID] = true
	}
	var unknown, notBN []string
	for _, id := range a.NodeIDs {
		text := id.Encode()
		switch _, exists := reg.Nodes[text]; {
		case isBN[text]:
		case exists:
			notBN = append(notBN, text)
		default:
			unknown = append(unknown, text)
		}
	}
	if len(unknown) == 0 && len(notBN) == 0 {
		p.add("API boundary nodes exist", true, "all %d node(s) are API boundary nodes", len(a.NodeIDs))
		return
	}
	var why []string
	if len(unknown) > 0 {
		why = append(why, fmt.Sprintf("not in the registry: %s", nameSome(unknown)))
	}
	if len(notBN) > 0 {
		why = append(why, fmt.Sprintf("not API boundary nodes: %s", nameSome(notBN)))
	}
	p.add("API boundary nodes exist", false, "%s; `nnspatch api-boundary-nodes` lists them", strings.Join(why, "; "))
}

// apiBoundaryInPlace reports whether every listed API boundary node already
// runs the version.
func apiBoundaryInPlace(reg *Registry, a proposals.DeployGuestosToSomeAPIBoundaryNodes) bool {
	version := map[string]string{}
	for _, b := range reg.APIBoundaryNodes {
		version[b.ID] = b.Version
	}
	for _, id := range a.NodeIDs {
		if version[id.Encode()] != a.Version {
			return false
		}
	}
	return len(a.NodeIDs) > 0
}

// nameSome joins up to maxNamedNodes ids and counts the rest.
func nameSome(ids []string) string {
	if len(ids) <= maxNamedNodes {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:maxNamedNodes], ", "), len(ids)-maxNamedNodes)
}
