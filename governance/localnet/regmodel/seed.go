package regmodel

import (
	"errors"
	"fmt"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
)

// SubnetType is a subnet's type as named in the seed.
type SubnetType string

// The subnet types of registry.subnet.v1.SubnetType.
const (
	SubnetApplication         SubnetType = "application"
	SubnetSystem              SubnetType = "system"
	SubnetVerifiedApplication SubnetType = "verified_application"
)

// proto returns the SubnetRecord enum value of t.
func (t SubnetType) proto() (v1.SubnetType, bool) {
	switch t {
	case SubnetApplication:
		return v1.SubnetType_SUBNET_TYPE_APPLICATION, true
	case SubnetSystem:
		return v1.SubnetType_SUBNET_TYPE_SYSTEM, true
	case SubnetVerifiedApplication:
		return v1.SubnetType_SUBNET_TYPE_VERIFIED_APPLICATION, true
	}
	return 0, false
}

// subnetTypeOf maps the record enum back to a SubnetType ("" when unknown).
func subnetTypeOf(t v1.SubnetType) SubnetType {
	switch t {
	case v1.SubnetType_SUBNET_TYPE_APPLICATION:
		return SubnetApplication
	case v1.SubnetType_SUBNET_TYPE_SYSTEM:
		return SubnetSystem
	case v1.SubnetType_SUBNET_TYPE_VERIFIED_APPLICATION:
		return SubnetVerifiedApplication
	}
	return ""
}

// Subnet is a subnet as the registry holds it.
type Subnet struct {
	// ID is the subnet principal.
	ID principal.Principal
	// Type is the subnet type.
	Type SubnetType
	// Nodes are the member node ids (SubnetRecord.membership).
	Nodes []principal.Principal
	// Version is the GuestOS version the registry says the subnet runs
	// (SubnetRecord.replica_version_id).
	Version string
	// Halted mirrors SubnetRecord.is_halted.
	Halted bool
}

// APIBoundaryNode is an API boundary node and the GuestOS version it runs.
type APIBoundaryNode struct {
	// ID is the node id.
	ID principal.Principal
	// Version is the GuestOS version (ApiBoundaryNodeRecord.version).
	Version string
}

// Node is a node record: its id, its operator and the HostOS version it
// should run.
type Node struct {
	// ID is the node id.
	ID principal.Principal
	// HostOSVersion is NodeRecord.hostos_version_id; "" means unset.
	HostOSVersion string
	// Operator is NodeRecord.node_operator_id; nil Raw means unset.
	Operator principal.Principal
}

// DataCenter is a data_center_record_<id> (registry.dc.v1.DataCenterRecord).
type DataCenter struct {
	// ID is the data center id, e.g. "zh1".
	ID string
	// Region is "<continent>,<country>,<city>" as on mainnet.
	Region string
	// Owner names the company that runs the data center.
	Owner string
}

// NodeOperator is a node_operator_record_<principal>
// (registry.node_operator.v1.NodeOperatorRecord).
type NodeOperator struct {
	// ID is the node operator principal.
	ID principal.Principal
	// Provider is the node provider principal.
	Provider principal.Principal
	// DC is the id of the data center the operator's nodes stand in.
	DC string
	// Allowance is the number of nodes the operator may still add.
	Allowance uint64
}

// Seed is the initial topology of a local registry. New writes it as the
// first mutation batch, registry version 1.
type Seed struct {
	// NNSSubnetID is stored under nns_subnet_id; it must be one of Subnets.
	NNSSubnetID principal.Principal
	// Subnets are written to subnet_list and subnet_record_<id>.
	Subnets []Subnet
	// GuestOSVersions are the elected GuestOS versions, in blessed order.
	GuestOSVersions []GuestOSVersion
	// UnassignedVersion is the unassigned nodes' GuestOS version; "" writes
	// no unassigned_nodes_config record.
	UnassignedVersion string
	// APIBoundaryNodes are written to api_boundary_node_<id>.
	APIBoundaryNodes []APIBoundaryNode
	// HostOSVersions are the elected HostOS versions.
	HostOSVersions []HostOSVersion
	// Nodes are written to node_record_<id>.
	Nodes []Node
	// DataCenters are written to data_center_record_<id>.
	DataCenters []DataCenter
	// NodeOperators are written to node_operator_record_<principal>.
	NodeOperators []NodeOperator
	// Canisters are NNS canisters whose installed module is known at start.
	Canisters []Module
	// Genesis is the time of the seed batch.
	Genesis time.Time
	// PageSize caps the versions one get_changes_since or
	// get_certified_changes_since answer carries; 0 means DefaultPageSize.
	PageSize int
	// PageBytes caps the encoded deltas one changes answer carries (at
	// least one version is always sent); 0 means DefaultPageBytes.
	PageBytes int
	// ChunkAbove is the value size from which a value is stored as chunks
	// and answered as LargeValueChunkKeys; 0 means DefaultChunkAbove.
	ChunkAbove int
	// ChunkSize is the size of one chunk; 0 means DefaultChunkSize.
	ChunkSize int
	// ExtraVersions appends that many versions after the genesis batch, one
	// every ExtraVersionSpacing from Genesis, each rewriting one node record
	// (or, without nodes, one genesis record) with its unchanged value: a
	// long registry history for benchmarks without changing any fact.
	ExtraVersions int
}

// Defaults of the registry's paging and chunking (dfinity/ic
// rs/registry/canister: pages of at most 1000 versions and about 2/3 of the
// 2 MiB reply limit; values of 10,000 bytes or more go to the chunk store,
// MIN_CHUNKABLE_VALUE_LEN). The chunk size is this model's choice.
const (
	DefaultPageSize   = 1000
	DefaultPageBytes  = 2 << 20 * 2 / 3
	DefaultChunkAbove = 10_000
	DefaultChunkSize  = 1 << 20
)

// ExtraVersionSpacing is the time between two of Seed.ExtraVersions.
const ExtraVersionSpacing = time.Second

// extraPool returns the genesis mutations extra versions rewrite: the node
// records, or every genesis record when there are no nodes.
func extraPool(genesis []*v1.RegistryMutation) []*v1.RegistryMutation {
	var nodes []*v1.RegistryMutation
	for _, m := range genesis {
		if hasPrefix(string(m.Key), nodeRecordPrefix) {
			nodes = append(nodes, m)
		}
	}
	if len(nodes) == 0 {
		return genesis
	}
	return nodes
}

// applyExtraVersions appends n versions after genesis, version 1+i at
// genesis+i*ExtraVersionSpacing, each upserting one pooled record with the
// value it already has.
func (s *store) applyExtraVersions(pool []*v1.RegistryMutation, n int, genesis time.Time) {
	for i := 1; i <= n && len(pool) > 0; i++ {
		m := pool[(i-1)%len(pool)]
		s.apply([]*v1.RegistryMutation{upsert(string(m.Key), m.Value)}, genesis.Add(time.Duration(i)*ExtraVersionSpacing))
	}
}

// seedMutations turns the seed into the genesis batch.
func (s Seed) mutations() ([]*v1.RegistryMutation, error) {
	if s.NNSSubnetID.Raw == nil && len(s.Subnets) > 0 {
		return nil, fmt.Errorf("%w: nns subnet id is not set", ErrInvalidSeed)
	}
	sub, err := s.subnetMutations()
	if err != nil {
		return nil, err
	}
	muts := append(sub, s.versionMutations()...)
	for _, bn := range s.APIBoundaryNodes {
		muts = append(muts, insert(apiBoundaryKey(bn.ID), encodeAPIBoundaryNode(bn.Version)))
	}
	for _, n := range s.Nodes {
		muts = append(muts, insert(nodeKey(n.ID), encodeNode(n)))
	}
	for _, dc := range s.DataCenters {
		muts = append(muts, insert(dataCenterKey(dc.ID), mustMarshal(&v1.DataCenterRecord{Id: dc.ID, Region: dc.Region, Owner: dc.Owner})))
	}
	for _, op := range s.NodeOperators {
		muts = append(muts, insert(nodeOperatorKey(op.ID), mustMarshal(&v1.NodeOperatorRecord{
			NodeOperatorPrincipalId: op.ID.Raw, NodeProviderPrincipalId: op.Provider.Raw,
			DcId: op.DC, NodeAllowance: op.Allowance})))
	}
	if s.UnassignedVersion != "" {
		muts = append(muts, insert(unassignedConfigKey, encodeUnassigned(nil, s.UnassignedVersion)))
	}
	return muts, dedupeKeys(muts)
}

// subnetMutations writes nns_subnet_id, subnet_list and the subnet records.
func (s Seed) subnetMutations() ([]*v1.RegistryMutation, error) {
	list := &v1.SubnetListRecord{}
	var muts []*v1.RegistryMutation
	nnsFound := false
	for _, sn := range s.Subnets {
		rec, err := sn.record()
		if err != nil {
			return nil, err
		}
		nnsFound = nnsFound || sn.ID.Equal(s.NNSSubnetID)
		list.Subnets = append(list.Subnets, sn.ID.Raw)
		muts = append(muts, insert(subnetKey(sn.ID), mustMarshal(rec)))
	}
	if len(s.Subnets) == 0 {
		return nil, nil
	}
	if !nnsFound {
		return nil, fmt.Errorf("%w: nns subnet %s is not among the subnets", ErrInvalidSeed, s.NNSSubnetID)
	}
	nns := &v1.SubnetId{PrincipalId: &v1.PrincipalId{Raw: s.NNSSubnetID.Raw}}
	head := []*v1.RegistryMutation{
		insert(nnsSubnetIDKey, mustMarshal(nns)),
		insert(subnetListKey, mustMarshal(list)),
	}
	return append(head, muts...), nil
}

// record builds the SubnetRecord of a seeded subnet.
func (sn Subnet) record() (*v1.SubnetRecord, error) {
	t, ok := sn.Type.proto()
	if !ok {
		return nil, fmt.Errorf("%w: subnet %s: unknown type %q (want application, system or verified_application)",
			ErrInvalidSeed, sn.ID, sn.Type)
	}
	rec := &v1.SubnetRecord{ReplicaVersionId: sn.Version, SubnetType: t, IsHalted: sn.Halted}
	for _, n := range sn.Nodes {
		rec.Membership = append(rec.Membership, n.Raw)
	}
	return rec, nil
}

// versionMutations writes the elected GuestOS and HostOS versions.
func (s Seed) versionMutations() []*v1.RegistryMutation {
	var muts []*v1.RegistryMutation
	ids := []string{}
	for _, v := range s.GuestOSVersions {
		ids = append(ids, v.ID)
		muts = append(muts, insert(replicaVersionKey(v.ID), encodeReplicaVersion(v)))
	}
	muts = append(muts, insert(blessedVersionsKey, encodeBlessed(ids)))
	for _, v := range s.HostOSVersions {
		muts = append(muts, insert(hostOSVersionKey(v.ID), encodeHostOSVersion(v)))
	}
	return muts
}

// encodeNode encodes a NodeRecord carrying its operator and HostOS version.
func encodeNode(n Node) []byte {
	rec := &v1.NodeRecord{NodeOperatorId: n.Operator.Raw}
	if n.HostOSVersion != "" {
		hostOS := n.HostOSVersion
		rec.HostosVersionId = &hostOS
	}
	return mustMarshal(rec)
}

// dedupeKeys rejects a seed that writes one key twice.
func dedupeKeys(muts []*v1.RegistryMutation) error {
	seen := map[string]bool{}
	var errs []error
	for _, m := range muts {
		if seen[string(m.Key)] {
			errs = append(errs, fmt.Errorf("%w: key %s is written twice (duplicate id in the seed)", ErrInvalidSeed, m.Key))
		}
		seen[string(m.Key)] = true
	}
	return errors.Join(errs...)
}
