package localnet

import (
	"slices"
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
	// APIBoundaryVersion is the GuestOS version of an API boundary node's
	// record; empty for other nodes.
	APIBoundaryVersion string `json:"api_boundary_version,omitempty"`
	// Up reports whether the node answers. A fault on the node's HostOS
	// version takes it down when the fault names no target, the node, or
	// the node's subnet (see Fault). An API boundary node also goes down
	// while a fault on its GuestOS version names the node itself (a
	// GuestOS fault without targets stalls subnets, not API boundary
	// nodes), which models a patch that breaks the node after its deploy.
	Up bool `json:"up"`
}

// nodeStatus derives one node's state at now; abnVersion is the GuestOS
// version of an API boundary node ("" for other nodes).
func nodeStatus(id, subnet, hostos, abnVersion string, faults faultLog, now time.Time) NodeStatus {
	down := hostos != "" && (faults.bad(hostos, id, now) || (subnet != "" && faults.bad(hostos, subnet, now)))
	down = down || abnVersion != "" && faults.names(abnVersion, id, now)
	return NodeStatus{ID: id, Subnet: subnet, HostOSVersion: hostos, APIBoundaryVersion: abnVersion, Up: !down}
}

// names reports whether a fault on version that names target explicitly
// is in force at t.
func (l faultLog) names(version, target string, t time.Time) bool {
	bad := false
	for _, e := range l {
		if e.at.After(t) {
			break
		}
		switch {
		case e.fault.Version != version:
		case e.fault.Clear:
			bad = false
		case slices.Contains(e.fault.Subnets, target):
			bad = true
		}
	}
	return bad
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
	abn := map[string]string{}
	for _, b := range n.reg.APIBoundaryNodes() {
		abn[b.ID.String()] = b.Version
	}
	recs := n.reg.Nodes()
	out := make([]NodeStatus, 0, len(recs))
	for _, r := range recs {
		id := r.ID.String()
		out = append(out, nodeStatus(id, subnetOf[id], r.HostOSVersion, abn[id], faults, now))
	}
	return out
}

// knownNode reports whether id is a node of the topology.
func (t *Topology) knownNode(id string) bool {
	_, ok := t.NodeHostOS[id]
	return ok
}
