package jsonout

import "github.com/nnspatch/nnspatch/governance"

// Nodes is printed by `nnspatch nodes --json` and
// `nnspatch api-boundary-nodes --json`: the nodes that passed the filters,
// each with operator, data center, role, subnet and versions.
type Nodes struct {
	Envelope
	// RegistryVersion is the registry version the list was read at.
	RegistryVersion uint64 `json:"registry_version"`
	// Nodes are in subnet_list order, then unassigned, then API boundary
	// nodes, by id within each group.
	Nodes []governance.NodeInfo `json:"nodes"`
}
