package governance

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// Registry key prefixes of node operators and data centers
// (dfinity/ic rs/registry/keys: NODE_OPERATOR_RECORD_KEY_PREFIX,
// DATA_CENTER_KEY_PREFIX).
const (
	prefixNodeOperator = "node_operator_record_"
	prefixDataCenter   = "data_center_record_"
)

// Node roles: where a node serves.
const (
	// NodeRoleSubnet is a member of a subnet.
	NodeRoleSubnet = "subnet"
	// NodeRoleUnassigned is in no subnet and not an API boundary node.
	NodeRoleUnassigned = "unassigned"
	// NodeRoleAPIBoundary is an API boundary node.
	NodeRoleAPIBoundary = "api_boundary"
)

// NodeOperator is a node_operator_record_<principal>.
type NodeOperator struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	DC       string `json:"dc"`
}

// DataCenter is a data_center_record_<id>.
type DataCenter struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	Owner  string `json:"owner"`
}

// NodeInfo is one node as a release manager sees it: who runs it, where,
// what it serves and which GuestOS and HostOS versions the registry says
// it runs.
type NodeInfo struct {
	ID       string `json:"id"`
	Operator string `json:"operator,omitempty"`
	Provider string `json:"provider,omitempty"`
	DC       string `json:"dc,omitempty"`
	Region   string `json:"region,omitempty"`
	// Role is NodeRoleSubnet, NodeRoleUnassigned or NodeRoleAPIBoundary.
	Role string `json:"role"`
	// Subnet is the subnet id for NodeRoleSubnet.
	Subnet string `json:"subnet,omitempty"`
	// GuestOSVersion is the subnet's, the unassigned nodes' or the API
	// boundary node record's version.
	GuestOSVersion string `json:"guestos_version,omitempty"`
	HostOSVersion  string `json:"hostos_version,omitempty"`
}

func (r *Registry) decodeOperators(values map[string][]byte) error {
	for _, key := range keysWithPrefix(values, prefixNodeOperator) {
		if r.NodeOperators == nil {
			r.NodeOperators = map[string]NodeOperator{}
		}
		var rec v1.NodeOperatorRecord
		if err := proto.Unmarshal(values[key], &rec); err != nil {
			return fmt.Errorf("decode registry record %s: %w", key, err)
		}
		id := strings.TrimPrefix(key, prefixNodeOperator)
		r.NodeOperators[id] = NodeOperator{ID: id, DC: rec.GetDcId(),
			Provider: principalText(rec.GetNodeProviderPrincipalId())}
	}
	for _, key := range keysWithPrefix(values, prefixDataCenter) {
		if r.DataCenters == nil {
			r.DataCenters = map[string]DataCenter{}
		}
		var rec v1.DataCenterRecord
		if err := proto.Unmarshal(values[key], &rec); err != nil {
			return fmt.Errorf("decode registry record %s: %w", key, err)
		}
		id := strings.TrimPrefix(key, prefixDataCenter)
		r.DataCenters[id] = DataCenter{ID: id, Region: rec.GetRegion(), Owner: rec.GetOwner()}
	}
	return nil
}

// principalText is the text form of raw principal bytes ("" for none).
func principalText(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	return principal.Principal{Raw: raw}.Encode()
}

// NodeList returns every node record with its operator, data center, role
// and versions, sorted by role (subnet members in subnet_list order, then
// unassigned, then API boundary nodes) and id within a group.
func (r *Registry) NodeList() []NodeInfo {
	apiBN := map[string]string{}
	for _, b := range r.APIBoundaryNodes {
		apiBN[b.ID] = b.Version
	}
	subnetOf := map[string]int{}
	for i, s := range r.Subnets {
		for _, n := range s.Nodes {
			subnetOf[n] = i
		}
	}
	out := make([]NodeInfo, 0, len(r.Nodes))
	for id, n := range r.Nodes {
		info := NodeInfo{ID: id, Operator: n.Operator, HostOSVersion: n.HostOSVersion}
		if op, ok := r.NodeOperators[n.Operator]; ok {
			info.Provider, info.DC = op.Provider, op.DC
			info.Region = r.DataCenters[op.DC].Region
		}
		switch i, inSubnet := subnetOf[id]; {
		case inSubnet:
			info.Role, info.Subnet, info.GuestOSVersion = NodeRoleSubnet, r.Subnets[i].ID, r.Subnets[i].GuestOSVersion
		case apiBN[id] != "":
			info.Role, info.GuestOSVersion = NodeRoleAPIBoundary, apiBN[id]
		default:
			info.Role, info.GuestOSVersion = NodeRoleUnassigned, r.UnassignedVersion
		}
		out = append(out, info)
	}
	rank := func(n NodeInfo) int {
		switch n.Role {
		case NodeRoleSubnet:
			return subnetOf[n.ID]
		case NodeRoleUnassigned:
			return len(r.Subnets)
		}
		return len(r.Subnets) + 1
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// NodeByID returns the node with the id (text form) and whether the
// registry has a node_record for it.
func (r *Registry) NodeByID(id string) (NodeInfo, bool) {
	if _, ok := r.Nodes[id]; !ok {
		return NodeInfo{}, false
	}
	for _, n := range r.NodeList() {
		if n.ID == id {
			return n, true
		}
	}
	return NodeInfo{}, false
}
