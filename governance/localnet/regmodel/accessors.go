package regmodel

import (
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// The accessors below decode the latest records for the glue's metrics and
// drills, so it need not go through protobuf queries. They read the same
// store the protobuf methods serve.

// unmarshal decodes a generated protobuf message.
func unmarshal(raw []byte, m proto.Message) error {
	return proto.Unmarshal(raw, m)
}

// Subnets returns the subnets of subnet_list in list order.
func (r *Registry) Subnets() []Subnet {
	r.mu.RLock()
	defer r.mu.RUnlock()
	raw, _ := r.st.getLatest(subnetListKey)
	list := &v1.SubnetListRecord{}
	if unmarshal(raw, list) != nil {
		return nil
	}
	var out []Subnet
	for _, id := range list.Subnets {
		p := principal.Principal{Raw: append([]byte{}, id...)}
		rec, ok := r.subnetRecord(p)
		if !ok {
			continue
		}
		out = append(out, subnetOf(p, rec))
	}
	return out
}

// subnetOf converts a SubnetRecord.
func subnetOf(id principal.Principal, rec *v1.SubnetRecord) Subnet {
	s := Subnet{ID: id, Type: subnetTypeOf(rec.SubnetType), Version: rec.ReplicaVersionId, Halted: rec.IsHalted}
	for _, n := range rec.Membership {
		s.Nodes = append(s.Nodes, principal.Principal{Raw: append([]byte{}, n...)})
	}
	return s
}

// SubnetVersion returns the GuestOS version the registry assigns to a subnet
// and reports whether the subnet exists.
func (r *Registry) SubnetVersion(id principal.Principal) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	rec, ok := r.subnetRecord(id)
	if !ok {
		return "", false
	}
	return rec.ReplicaVersionId, true
}

// NNSSubnetID returns the subnet stored under nns_subnet_id.
func (r *Registry) NNSSubnetID() (principal.Principal, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	raw, ok := r.st.getLatest(nnsSubnetIDKey)
	id := &v1.SubnetId{}
	if !ok || unmarshal(raw, id) != nil {
		return principal.Principal{}, false
	}
	return principal.Principal{Raw: id.GetPrincipalId().GetRaw()}, true
}

// ElectedVersions returns the elected GuestOS version ids in the order of
// blessed_replica_versions.
func (r *Registry) ElectedVersions() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string{}, r.blessed()...)
}

// ElectedVersion returns the record of an elected GuestOS version and reports
// whether it exists.
func (r *Registry) ElectedVersion(id string) (GuestOSVersion, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	raw, ok := r.st.getLatest(replicaVersionKey(id))
	if !ok {
		return GuestOSVersion{}, false
	}
	v, err := decodeReplicaVersion(id, raw)
	return v, err == nil
}

// UnassignedVersion returns the unassigned nodes' GuestOS version and reports
// whether unassigned_nodes_config exists.
func (r *Registry) UnassignedVersion() (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.unassignedVersion()
}

// APIBoundaryNodes returns the API boundary nodes ordered by id text.
func (r *Registry) APIBoundaryNodes() []APIBoundaryNode {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []APIBoundaryNode
	for _, k := range r.st.keysWithPrefix(apiBoundaryNodePrefix) {
		raw, _ := r.st.getLatest(k)
		v, err := decodeAPIBoundaryNode(raw)
		id, perr := principal.Decode(strings.TrimPrefix(k, apiBoundaryNodePrefix))
		if err == nil && perr == nil {
			out = append(out, APIBoundaryNode{ID: id, Version: v})
		}
	}
	return out
}

// HostOSVersions returns the elected HostOS versions ordered by id.
func (r *Registry) HostOSVersions() []HostOSVersion {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []HostOSVersion
	for _, k := range r.st.keysWithPrefix(hostOSVersionPrefix) {
		raw, _ := r.st.getLatest(k)
		if v, err := decodeHostOSVersion(raw); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// Nodes returns the node records ordered by id text.
func (r *Registry) Nodes() []Node {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Node
	for _, k := range r.st.keysWithPrefix(nodeRecordPrefix) {
		raw, _ := r.st.getLatest(k)
		rec := &v1.NodeRecord{}
		id, err := principal.Decode(strings.TrimPrefix(k, nodeRecordPrefix))
		if err != nil || unmarshal(raw, rec) != nil {
			continue
		}
		out = append(out, Node{ID: id, HostOSVersion: rec.GetHostosVersionId(), Operator: principal.Principal{Raw: rec.GetNodeOperatorId()}})
	}
	return out
}
