package govmodel

import "fmt"

// NNS function ids (ExecuteNnsFunction.nns_function) the release tooling
// cares about. The full table, with topics, is nnsFunctions.
const (
	FnNnsCanisterInstall                  int32 = 3
	FnDeployGuestosToAllSubnetNodes       int32 = 11
	FnAddSnsWasm                          int32 = 30
	FnReviseElectedGuestosVersions        int32 = 38
	FnHardResetNnsRootToVersion           int32 = 42
	FnDeployGuestosToSomeAPIBoundaryNodes int32 = 47
	FnDeployGuestosToAllUnassignedNodes   int32 = 48
	FnReviseElectedHostosVersions         int32 = 50
	FnDeployHostosToSomeNodes             int32 = 51
)

// Payload limits of ExecuteNnsFunction proposals (rs/nns/governance/src/governance.rs).
const (
	// maxExecutePayloadBytes is PROPOSAL_EXECUTE_NNS_FUNCTION_PAYLOAD_BYTES_MAX.
	maxExecutePayloadBytes = 70000
	// maxListingPayloadBytes is EXECUTE_NNS_FUNCTION_PAYLOAD_LISTING_BYTES_MAX:
	// listings drop larger payloads.
	maxListingPayloadBytes = 1000
)

// nnsFunction describes one NnsFunction id: its wire name, the topic of its
// proposals, whether it may carry a payload over 70000 bytes, and, for
// obsolete ids, the replacement named in governance's refusal.
type nnsFunction struct {
	name     string
	topic    int32
	large    bool
	obsolete bool
	use      string
	// refusal, when set, is governance's whole message for an obsolete id.
	refusal string
}

// nnsFunctions maps every id of the NnsFunction enum (ic-js
// governance.enums.ts; @icp-sdk/canisters 3.6.0) to its description. Topics
// and refusals follow execute_nns_function.rs (ValidNnsFunction::topic and
// TryFrom<NnsFunction>); 45 (UpdateApiBoundaryNodeDomain) is no longer in
// governance's enum, so it is refused as an unknown id.
var nnsFunctions = map[int32]nnsFunction{
	0: {name: "NNS_FUNCTION_UNSPECIFIED", obsolete: true, refusal: "NNS_FUNCTION_UNSPECIFIED is not a valid function"},
	1: {name: "NNS_FUNCTION_CREATE_SUBNET", topic: TopicSubnetManagement},
	2: {name: "NNS_FUNCTION_ADD_NODE_TO_SUBNET", topic: TopicSubnetManagement},
	3: {name: "NNS_FUNCTION_NNS_CANISTER_INSTALL", topic: TopicProtocolCanisterManagement, large: true},
	4: {name: "NNS_FUNCTION_NNS_CANISTER_UPGRADE", obsolete: true, use: "InstallCode"},
	5: {name: "NNS_FUNCTION_BLESS_REPLICA_VERSION", obsolete: true, use: "NNS_FUNCTION_REVISE_ELECTED_HOSTOS_VERSIONS"},
	6: {name: "NNS_FUNCTION_RECOVER_SUBNET", topic: TopicSubnetManagement},
	7: {name: "NNS_FUNCTION_UPDATE_CONFIG_OF_SUBNET", topic: TopicSubnetManagement},
	8: {name: "NNS_FUNCTION_ASSIGN_NOID", topic: TopicNodeAdmin},
	9: {name: "NNS_FUNCTION_NNS_ROOT_UPGRADE", obsolete: true, use: "InstallCode"},
	10: {name: "NNS_FUNCTION_ICP_XDR_CONVERSION_RATE", obsolete: true,
		refusal: "NNS_FUNCTION_ICP_XDR_CONVERSION_RATE is obsolete as conversion rates are now provided by the exchange rate canister automatically."},
	11: {name: "NNS_FUNCTION_DEPLOY_GUESTOS_TO_ALL_SUBNET_NODES", topic: TopicIcOsVersionDeployment},
	12: {name: "NNS_FUNCTION_CLEAR_PROVISIONAL_WHITELIST", topic: TopicNetworkEconomics},
	13: {name: "NNS_FUNCTION_REMOVE_NODES_FROM_SUBNET", topic: TopicSubnetManagement},
	14: {name: "NNS_FUNCTION_SET_AUTHORIZED_SUBNETWORKS", topic: TopicSubnetManagement},
	15: {name: "NNS_FUNCTION_SET_FIREWALL_CONFIG", topic: TopicSubnetManagement},
	16: {name: "NNS_FUNCTION_UPDATE_NODE_OPERATOR_CONFIG", topic: TopicNodeAdmin},
	17: {name: "NNS_FUNCTION_STOP_OR_START_NNS_CANISTER", obsolete: true, use: "Action::StopOrStartCanister"},
	18: {name: "NNS_FUNCTION_REMOVE_NODES", topic: TopicNodeAdmin},
	19: {name: "NNS_FUNCTION_UNINSTALL_CODE", topic: TopicGovernance},
	20: {name: "NNS_FUNCTION_UPDATE_NODE_REWARDS_TABLE", topic: TopicNetworkEconomics},
	21: {name: "NNS_FUNCTION_ADD_OR_REMOVE_DATA_CENTERS", topic: TopicParticipantManagement},
	22: {name: "NNS_FUNCTION_UPDATE_UNASSIGNED_NODES_CONFIG", obsolete: true,
		use: "NNS_FUNCTION_DEPLOY_GUESTOS_TO_ALL_UNASSIGNED_NODES/NNS_FUNCTION_UPDATE_SSH_READONLY_ACCESS_FOR_ALL_UNASSIGNED_NODES"},
	23: {name: "NNS_FUNCTION_REMOVE_NODE_OPERATORS", topic: TopicNodeAdmin},
	24: {name: "NNS_FUNCTION_REROUTE_CANISTER_RANGES", topic: TopicSubnetManagement},
	25: {name: "NNS_FUNCTION_ADD_FIREWALL_RULES", topic: TopicSubnetManagement},
	26: {name: "NNS_FUNCTION_REMOVE_FIREWALL_RULES", topic: TopicSubnetManagement},
	27: {name: "NNS_FUNCTION_UPDATE_FIREWALL_RULES", topic: TopicSubnetManagement},
	28: {name: "NNS_FUNCTION_PREPARE_CANISTER_MIGRATION", topic: TopicSubnetManagement},
	29: {name: "NNS_FUNCTION_COMPLETE_CANISTER_MIGRATION", topic: TopicSubnetManagement},
	30: {name: "NNS_FUNCTION_ADD_SNS_WASM", topic: TopicServiceNervousSystemManagement, large: true},
	31: {name: "NNS_FUNCTION_CHANGE_SUBNET_MEMBERSHIP", topic: TopicSubnetManagement},
	32: {name: "NNS_FUNCTION_UPDATE_SUBNET_TYPE", topic: TopicSubnetManagement},
	33: {name: "NNS_FUNCTION_CHANGE_SUBNET_TYPE_ASSIGNMENT", topic: TopicSubnetManagement},
	34: {name: "NNS_FUNCTION_UPDATE_SNS_WASM_SNS_SUBNET_IDS", topic: TopicSubnetManagement},
	35: {name: "NNS_FUNCTION_UPDATE_ALLOWED_PRINCIPALS", obsolete: true,
		refusal: "NNS_FUNCTION_UPDATE_ALLOWED_PRINCIPALS is only used for the old SNS initialization mechanism, which is now obsolete. Use CREATE_SERVICE_NERVOUS_SYSTEM instead."},
	36: {name: "NNS_FUNCTION_RETIRE_REPLICA_VERSION", obsolete: true, use: "NNS_FUNCTION_REVISE_ELECTED_HOSTOS_VERSIONS"},
	37: {name: "NNS_FUNCTION_INSERT_SNS_WASM_UPGRADE_PATH_ENTRIES", topic: TopicServiceNervousSystemManagement},
	38: {name: "NNS_FUNCTION_REVISE_ELECTED_GUESTOS_VERSIONS", topic: TopicIcOsVersionElection},
	39: {name: "NNS_FUNCTION_BITCOIN_SET_CONFIG", topic: TopicProtocolCanisterManagement},
	40: {name: "NNS_FUNCTION_UPDATE_ELECTED_HOSTOS_VERSIONS", obsolete: true, use: "NNS_FUNCTION_REVISE_ELECTED_HOSTOS_VERSIONS"},
	41: {name: "NNS_FUNCTION_UPDATE_NODES_HOSTOS_VERSION", obsolete: true, use: "NNS_FUNCTION_DEPLOY_HOSTOS_TO_SOME_NODES"},
	42: {name: "NNS_FUNCTION_HARD_RESET_NNS_ROOT_TO_VERSION", topic: TopicProtocolCanisterManagement, large: true},
	43: {name: "NNS_FUNCTION_ADD_API_BOUNDARY_NODES", topic: TopicAPIBoundaryNodeManagement},
	44: {name: "NNS_FUNCTION_REMOVE_API_BOUNDARY_NODES", topic: TopicAPIBoundaryNodeManagement},
	46: {name: "NNS_FUNCTION_UPDATE_API_BOUNDARY_NODES_VERSION", obsolete: true, use: "NNS_FUNCTION_DEPLOY_GUESTOS_TO_SOME_API_BOUNDARY_NODES"},
	47: {name: "NNS_FUNCTION_DEPLOY_GUESTOS_TO_SOME_API_BOUNDARY_NODES", topic: TopicIcOsVersionDeployment},
	48: {name: "NNS_FUNCTION_DEPLOY_GUESTOS_TO_ALL_UNASSIGNED_NODES", topic: TopicIcOsVersionDeployment},
	49: {name: "NNS_FUNCTION_UPDATE_SSH_READONLY_ACCESS_FOR_ALL_UNASSIGNED_NODES", topic: TopicNodeAdmin},
	50: {name: "NNS_FUNCTION_REVISE_ELECTED_HOSTOS_VERSIONS", topic: TopicIcOsVersionElection},
	51: {name: "NNS_FUNCTION_DEPLOY_HOSTOS_TO_SOME_NODES", topic: TopicIcOsVersionDeployment},
	52: {name: "NNS_FUNCTION_SUBNET_RENTAL_REQUEST", topic: TopicSubnetRental},
	53: {name: "NNS_FUNCTION_PAUSE_CANISTER_MIGRATIONS", topic: TopicProtocolCanisterManagement},
	54: {name: "NNS_FUNCTION_UNPAUSE_CANISTER_MIGRATIONS", topic: TopicProtocolCanisterManagement},
	55: {name: "NNS_FUNCTION_SET_SUBNET_OPERATIONAL_LEVEL", topic: TopicSubnetManagement},
}

// lookupNnsFunction returns the description of a valid, current function id,
// or governance's refusal message for an obsolete or unknown one.
func lookupNnsFunction(id int32) (nnsFunction, string) {
	f, ok := nnsFunctions[id]
	switch {
	case !ok:
		return nnsFunction{}, fmt.Sprintf("Invalid NnsFunction id: %d", id)
	case f.refusal != "":
		return nnsFunction{}, f.refusal
	case f.obsolete:
		return nnsFunction{}, fmt.Sprintf("%s is obsolete. Use %s instead.", f.name, f.use)
	}
	return f, ""
}
