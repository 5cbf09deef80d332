package governance

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// Registry keys and key prefixes (domain.md §9.1).
const (
	keySubnetList       = "subnet_list"
	keyBlessedVersions  = "blessed_replica_versions"
	keyUnassignedConfig = "unassigned_nodes_config"
	prefixSubnet        = "subnet_record_"
	prefixReplica       = "replica_version_"
	prefixHostOS        = "hostos_version_"
	prefixNode          = "node_record_"
	prefixAPIBoundary   = "api_boundary_node_"
)

// Registry is a decoded snapshot of the registry records nnspatch needs.
type Registry struct {
	// Version is the registry version of the snapshot.
	Version uint64 `json:"version"`
	// Subnets are listed in subnet_list order.
	Subnets []Subnet `json:"subnets"`
	// GuestOS are the elected GuestOS versions, in blessed order.
	GuestOS []GuestOSVersion `json:"guestos"`
	// HostOS are the elected HostOS versions, sorted by id.
	HostOS []HostOSVersion `json:"hostos"`
	// UnassignedVersion is the GuestOS version of unassigned nodes.
	UnassignedVersion string `json:"unassigned_version,omitempty"`
	// APIBoundaryNodes and their GuestOS versions, sorted by id.
	APIBoundaryNodes []APIBoundaryNode `json:"api_boundary_nodes"`
	// Nodes maps node id text to its record.
	Nodes map[string]Node `json:"-"`
	// NodeOperators maps an operator principal (text) to its record (nil
	// when the registry has none).
	NodeOperators map[string]NodeOperator `json:"-"`
	// DataCenters maps a data center id to its record (nil when none).
	DataCenters map[string]DataCenter `json:"-"`
}

// Subnet is one subnet record.
type Subnet struct {
	ID             string   `json:"id"`
	Type           string   `json:"type"`
	GuestOSVersion string   `json:"guestos_version"`
	Nodes          []string `json:"nodes"`
	Halted         bool     `json:"halted"`
}

// GuestOSVersion is an elected GuestOS version (ReplicaVersionRecord).
type GuestOSVersion struct {
	ID                 string   `json:"id"`
	SHA256             string   `json:"release_package_sha256_hex"`
	URLs               []string `json:"release_package_urls"`
	LaunchMeasurements int      `json:"launch_measurements"`
	Subnets            []string `json:"subnets"`
	Unassigned         bool     `json:"unassigned_nodes"`
	APIBoundaryNodes   []string `json:"api_boundary_nodes"`
}

// HostOSVersion is an elected HostOS version (HostOsVersionRecord).
type HostOSVersion struct {
	ID     string   `json:"id"`
	SHA256 string   `json:"release_package_sha256_hex"`
	URLs   []string `json:"release_package_urls"`
	// Nodes counts the nodes whose record names this version.
	Nodes int `json:"nodes"`
}

// APIBoundaryNode is an API boundary node and its GuestOS version.
type APIBoundaryNode struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Node is the part of a node record nnspatch uses.
type Node struct {
	ID            string `json:"id"`
	HostOSVersion string `json:"hostos_version,omitempty"`
	// Operator is the node operator principal (text); "" when unset.
	Operator string `json:"operator,omitempty"`
}

// GuestOSByID returns the elected GuestOS version with the id.
func (r *Registry) GuestOSByID(id string) (GuestOSVersion, bool) {
	for _, v := range r.GuestOS {
		if v.ID == id {
			return v, true
		}
	}
	return GuestOSVersion{}, false
}

// HostOSByID returns the elected HostOS version with the id.
func (r *Registry) HostOSByID(id string) (HostOSVersion, bool) {
	for _, v := range r.HostOS {
		if v.ID == id {
			return v, true
		}
	}
	return HostOSVersion{}, false
}

// SubnetByID returns the subnet with the id (text form).
func (r *Registry) SubnetByID(id string) (Subnet, bool) {
	for _, s := range r.Subnets {
		if s.ID == id {
			return s, true
		}
	}
	return Subnet{}, false
}

// GuestOSInUse reports where a GuestOS version runs: subnet ids, whether
// the unassigned nodes use it, and API boundary node ids.
func (r *Registry) GuestOSInUse(id string) (subnets []string, unassigned bool, apiBNs []string) {
	for _, s := range r.Subnets {
		if s.GuestOSVersion == id {
			subnets = append(subnets, s.ID)
		}
	}
	for _, b := range r.APIBoundaryNodes {
		if b.Version == id {
			apiBNs = append(apiBNs, b.ID)
		}
	}
	return subnets, r.UnassignedVersion == id && id != "", apiBNs
}

// DecodeRegistry decodes the latest value of each key into a Registry.
// Unknown keys are ignored; a record that fails to decode is an error
// naming its key.
func DecodeRegistry(values map[string][]byte, version uint64) (*Registry, error) {
	r := &Registry{Version: version, Nodes: map[string]Node{}}
	steps := []func(map[string][]byte) error{r.decodeSubnets, r.decodeGuestOS, r.decodeUnassigned,
		r.decodeNodes, r.decodeHostOS, r.decodeAPIBoundaryNodes, r.decodeOperators}
	for _, step := range steps {
		if err := step(values); err != nil {
			return nil, err
		}
	}
	r.linkGuestOSUse()
	return r, nil
}

func (r *Registry) decodeSubnets(values map[string][]byte) error {
	var list v1.SubnetListRecord
	if err := proto.Unmarshal(values[keySubnetList], &list); err != nil {
		return fmt.Errorf("decode registry record %s: %w", keySubnetList, err)
	}
	for _, raw := range list.Subnets {
		id := principal.Principal{Raw: raw}.Encode()
		key := prefixSubnet + id
		var rec v1.SubnetRecord
		if err := proto.Unmarshal(values[key], &rec); err != nil {
			return fmt.Errorf("decode registry record %s: %w", key, err)
		}
		s := Subnet{ID: id, Type: subnetTypeName(rec.SubnetType), GuestOSVersion: rec.ReplicaVersionId, Halted: rec.IsHalted}
		for _, n := range rec.Membership {
			s.Nodes = append(s.Nodes, principal.Principal{Raw: n}.Encode())
		}
		r.Subnets = append(r.Subnets, s)
	}
	return nil
}

// subnetTypeCloudEngine is SUBNET_TYPE_CLOUD_ENGINE (registry.subnet.v1,
// dfinity/ic rs/protobuf/def/registry/subnet/v1/subnet.proto @01adcd36):
// configurable, application-specific private subnets under NNS rules.
const subnetTypeCloudEngine v1.SubnetType = 5

// subnetTypeName names a subnet type as the proto does, in lower case;
// a type newer than this build is "unknown (<number>)" rather than an
// error, so a registry listing never fails on it.
func subnetTypeName(t v1.SubnetType) string {
	switch t {
	case v1.SubnetType_SUBNET_TYPE_UNSPECIFIED:
		return "unspecified"
	case v1.SubnetType_SUBNET_TYPE_APPLICATION:
		return "application"
	case v1.SubnetType_SUBNET_TYPE_SYSTEM:
		return "system"
	case v1.SubnetType_SUBNET_TYPE_VERIFIED_APPLICATION:
		return "verified_application"
	case subnetTypeCloudEngine:
		return "cloud_engine"
	default:
		return fmt.Sprintf("unknown (%d)", int32(t))
	}
}

func (r *Registry) decodeGuestOS(values map[string][]byte) error {
	var blessed v1.BlessedReplicaVersions
	if err := proto.Unmarshal(values[keyBlessedVersions], &blessed); err != nil {
		return fmt.Errorf("decode registry record %s: %w", keyBlessedVersions, err)
	}
	for _, id := range blessed.GetBlessedVersionIds() {
		var rec v1.ReplicaVersionRecord
		if err := proto.Unmarshal(values[prefixReplica+id], &rec); err != nil {
			return fmt.Errorf("decode registry record %s: %w", prefixReplica+id, err)
		}
		r.GuestOS = append(r.GuestOS, GuestOSVersion{ID: id, SHA256: rec.GetReleasePackageSha256Hex(),
			URLs:               rec.GetReleasePackageUrls(),
			LaunchMeasurements: len(rec.GetGuestLaunchMeasurements().GetGuestLaunchMeasurements())})
	}
	return nil
}

func (r *Registry) decodeUnassigned(values map[string][]byte) error {
	raw, ok := values[keyUnassignedConfig]
	if !ok {
		return nil
	}
	var rec v1.UnassignedNodesConfigRecord
	if err := proto.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("decode registry record %s: %w", keyUnassignedConfig, err)
	}
	r.UnassignedVersion = rec.GetReplicaVersion()
	return nil
}

func (r *Registry) decodeNodes(values map[string][]byte) error {
	for _, key := range keysWithPrefix(values, prefixNode) {
		var rec v1.NodeRecord
		if err := proto.Unmarshal(values[key], &rec); err != nil {
			return fmt.Errorf("decode registry record %s: %w", key, err)
		}
		id := strings.TrimPrefix(key, prefixNode)
		r.Nodes[id] = Node{ID: id, HostOSVersion: rec.GetHostosVersionId(), Operator: principalText(rec.GetNodeOperatorId())}
	}
	return nil
}

func (r *Registry) decodeHostOS(values map[string][]byte) error {
	use := map[string]int{}
	for _, n := range r.Nodes {
		use[n.HostOSVersion]++
	}
	for _, key := range keysWithPrefix(values, prefixHostOS) {
		var rec v1.HostosVersionRecord
		if err := proto.Unmarshal(values[key], &rec); err != nil {
			return fmt.Errorf("decode registry record %s: %w", key, err)
		}
		v := HostOSVersion{ID: rec.GetHostosVersionId(), SHA256: rec.GetReleasePackageSha256Hex(), URLs: rec.GetReleasePackageUrls()}
		if v.ID == "" {
			v.ID = strings.TrimPrefix(key, prefixHostOS)
		}
		v.Nodes = use[v.ID]
		r.HostOS = append(r.HostOS, v)
	}
	return nil
}

func (r *Registry) decodeAPIBoundaryNodes(values map[string][]byte) error {
	for _, key := range keysWithPrefix(values, prefixAPIBoundary) {
		var rec v1.ApiBoundaryNodeRecord
		if err := proto.Unmarshal(values[key], &rec); err != nil {
			return fmt.Errorf("decode registry record %s: %w", key, err)
		}
		r.APIBoundaryNodes = append(r.APIBoundaryNodes, APIBoundaryNode{ID: strings.TrimPrefix(key, prefixAPIBoundary), Version: rec.GetVersion()})
	}
	return nil
}

func (r *Registry) linkGuestOSUse() {
	for i := range r.GuestOS {
		v := &r.GuestOS[i]
		v.Subnets, v.Unassigned, v.APIBoundaryNodes = r.GuestOSInUse(v.ID)
	}
}

func keysWithPrefix(values map[string][]byte, prefix string) []string {
	var keys []string
	for k := range values {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
