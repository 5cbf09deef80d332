package localnet

import (
	"time"
)

// NodeStatus is a node's derived HostOS state at one virtual time: the
// HostOS version its registry record names and whether its host answers
// (the health signal a HostOS rollout gates on).
type NodeStatus struct {
	ID string `json:"id"`
	// Subnet is the node's subnet; empty for unassigned and API boundary
	// nodes.
	Subnet string `json:"subnet,omitempty"`
	// HostOSVersion is the version in the node's registry record. HostOS
	// upgrades take effect when the record changes (the local network
	// models no reboot time).
	HostOSVersion string `json:"hostos_version"`
	// Up reports whether the host answers. A fault on the node's HostOS
	// version takes it down when the fault names no target, the node, or
	// the node's subnet (see Fault).
	Up bool `json:"up"`
}

// nodeStatus derives one node's state at now.
func nodeStatus(id, subnet, hostos string, faults faultLog, now time.Time) NodeStatus {
	down := hostos != "" && (faults.bad(hostos, id, now) || (subnet != "" && faults.bad(hostos, subnet, now)))
	return NodeStatus{ID: id, Subnet: subnet, HostOSVersion: hostos, Up: !down}
}

// Nodes returns every node's derived HostOS state at the current virtual
// time, ordered by node id.
func (n *Network) Nodes() []NodeStatus {
	now := n.clock.Now()
	n.mu.Lock()
	faults := append(faultLog(nil), n.faults...)
	n.mu.Unlock()
	subnetOf := map[string]string{}
	for _, sn := range n.topo.Subnets {
		for _, id := range sn.Nodes {
			subnetOf[id] = sn.ID
		}
	}
	recs := n.reg.Nodes()
	out := make([]NodeStatus, 0, len(recs))
	for _, r := range recs {
		id := r.ID.String()
		out = append(out, nodeStatus(id, subnetOf[id], r.HostOSVersion, faults, now))
	}
	return out
}

// knownNode reports whether id is a node of the topology.
func (t *Topology) knownNode(id string) bool {
	_, ok := t.NodeHostOS[id]
	return ok
}
