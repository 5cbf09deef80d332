package regmodel

import "github.com/aviate-labs/agent-go/principal"

// Registry keys, from dfinity/ic rs/registry/keys/src/lib.rs (domain.md §9.1).
const (
	subnetListKey          = "subnet_list"
	nnsSubnetIDKey         = "nns_subnet_id"
	blessedVersionsKey     = "blessed_replica_versions"
	unassignedConfigKey    = "unassigned_nodes_config"
	subnetRecordPrefix     = "subnet_record_"
	replicaVersionPrefix   = "replica_version_"
	hostOSVersionPrefix    = "hostos_version_"
	nodeRecordPrefix       = "node_record_"
	apiBoundaryNodePrefix  = "api_boundary_node_"
	nodeOperatorPrefix     = "node_operator_record_"
	dataCenterPrefix       = "data_center_record_"
	registryCanisterIDText = "rwlgt-iiaaa-aaaaa-aaaaa-cai"
	governanceIDText       = "rrkah-fqaaa-aaaaa-aaaaq-cai"
)

// CanisterID is the registry canister's id.
var CanisterID = principal.MustDecode(registryCanisterIDText)

// governanceID is the only caller allowed to run the registry's NNS-function
// update methods.
var governanceID = principal.MustDecode(governanceIDText)

func subnetKey(id principal.Principal) string       { return subnetRecordPrefix + id.String() }
func replicaVersionKey(id string) string            { return replicaVersionPrefix + id }
func hostOSVersionKey(id string) string             { return hostOSVersionPrefix + id }
func nodeKey(id principal.Principal) string         { return nodeRecordPrefix + id.String() }
func apiBoundaryKey(id principal.Principal) string  { return apiBoundaryNodePrefix + id.String() }
func nodeOperatorKey(id principal.Principal) string { return nodeOperatorPrefix + id.String() }
func dataCenterKey(id string) string                { return dataCenterPrefix + id }
