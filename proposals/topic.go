package proposals

import "fmt"

// Topic is the NNS proposal topic (governance.did `ProposalInfo.topic`),
// which decides who follows whom and the reward weight (domain.md §2).
type Topic int32

// The NNS topics by id.
const (
	TopicUnspecified                    Topic = 0
	TopicNeuronManagement               Topic = 1
	TopicExchangeRate                   Topic = 2
	TopicNetworkEconomics               Topic = 3
	TopicGovernance                     Topic = 4
	TopicNodeAdmin                      Topic = 5
	TopicParticipantManagement          Topic = 6
	TopicSubnetManagement               Topic = 7
	TopicApplicationCanisterManagement  Topic = 8
	TopicKyc                            Topic = 9
	TopicNodeProviderRewards            Topic = 10
	TopicSnsDecentralizationSale        Topic = 11
	TopicIcOsVersionDeployment          Topic = 12
	TopicIcOsVersionElection            Topic = 13
	TopicSnsAndCommunityFund            Topic = 14
	TopicAPIBoundaryNodeManagement      Topic = 15
	TopicSubnetRental                   Topic = 16
	TopicProtocolCanisterManagement     Topic = 17
	TopicServiceNervousSystemManagement Topic = 18
)

var topicNames = [...]string{
	"Unspecified", "NeuronManagement", "ExchangeRate", "NetworkEconomics",
	"Governance", "NodeAdmin", "ParticipantManagement", "SubnetManagement",
	"ApplicationCanisterManagement", "Kyc", "NodeProviderRewards",
	"SnsDecentralizationSale", "IcOsVersionDeployment", "IcOsVersionElection",
	"SnsAndCommunityFund", "ApiBoundaryNodeManagement", "SubnetRental",
	"ProtocolCanisterManagement", "ServiceNervousSystemManagement",
}

// Name returns the topic's current name, e.g. "IcOsVersionElection", or
// "Topic(<id>)" for an id this build does not know.
func (t Topic) Name() string {
	if t < 0 || int(t) >= len(topicNames) {
		return fmt.Sprintf("Topic(%d)", int32(t))
	}
	return topicNames[t]
}

// String implements fmt.Stringer.
func (t Topic) String() string { return t.Name() }

// fnTopics maps the functions whose topic is not SubnetManagement to their
// topic, as `ValidNnsFunction::topic` in dfinity/ic
// rs/nns/governance/src/proposals/execute_nns_function.rs assigns them. The
// obsolete ids (no longer valid there) keep the topic their replacements
// have, so historical proposals are shown under a sensible heading.
var fnTopics = map[NnsFunction]Topic{
	FnAssignNoid:               TopicNodeAdmin,
	FnUpdateNodeOperatorConfig: TopicNodeAdmin,
	FnRemoveNodeOperators:      TopicNodeAdmin,
	FnRemoveNodes:              TopicNodeAdmin,
	FnUpdateSSHReadOnlyAccessForAllUnassignedNodes: TopicNodeAdmin,
	FnReviseElectedGuestosVersions:                 TopicIcOsVersionElection,
	FnReviseElectedHostosVersions:                  TopicIcOsVersionElection,
	FnDeployHostosToSomeNodes:                      TopicIcOsVersionDeployment,
	FnDeployGuestosToAllSubnetNodes:                TopicIcOsVersionDeployment,
	FnDeployGuestosToSomeAPIBoundaryNodes:          TopicIcOsVersionDeployment,
	FnDeployGuestosToAllUnassignedNodes:            TopicIcOsVersionDeployment,
	FnClearProvisionalWhitelist:                    TopicNetworkEconomics,
	FnUpdateNodeRewardsTable:                       TopicNetworkEconomics,
	FnUninstallCode:                                TopicGovernance,
	FnAddOrRemoveDataCenters:                       TopicParticipantManagement,
	FnAddAPIBoundaryNodes:                          TopicAPIBoundaryNodeManagement,
	FnRemoveAPIBoundaryNodes:                       TopicAPIBoundaryNodeManagement,
	FnSubnetRentalRequest:                          TopicSubnetRental,
	FnNnsCanisterInstall:                           TopicProtocolCanisterManagement,
	FnHardResetNnsRootToVersion:                    TopicProtocolCanisterManagement,
	FnBitcoinSetConfig:                             TopicProtocolCanisterManagement,
	FnPauseCanisterMigrations:                      TopicProtocolCanisterManagement,
	FnUnpauseCanisterMigrations:                    TopicProtocolCanisterManagement,
	FnAddSnsWasm:                                   TopicServiceNervousSystemManagement,
	FnInsertSnsWasmUpgradePathEntries:              TopicServiceNervousSystemManagement,

	// Obsolete ids, by their replacement.
	FnBlessReplicaVersion:           TopicIcOsVersionElection,
	FnRetireReplicaVersion:          TopicIcOsVersionElection,
	FnUpdateElectedHostosVersions:   TopicIcOsVersionElection,
	FnUpdateNodesHostosVersion:      TopicIcOsVersionDeployment,
	FnUpdateUnassignedNodesConfig:   TopicIcOsVersionDeployment,
	FnUpdateAPIBoundaryNodesVersion: TopicIcOsVersionDeployment,
	FnUpdateAPIBoundaryNodeDomain:   TopicAPIBoundaryNodeManagement,
	FnNnsCanisterUpgrade:            TopicProtocolCanisterManagement,
	FnNnsRootUpgrade:                TopicProtocolCanisterManagement,
	FnStopOrStartNnsCanister:        TopicProtocolCanisterManagement,
	FnIcpXdrConversionRate:          TopicExchangeRate,
	FnUpdateAllowedPrincipals:       TopicServiceNervousSystemManagement,
}

// TopicOf returns the topic governance files a proposal executing fn under.
// IC OS elections and deployments have their own topics; subnet and
// registry administration falls under SubnetManagement; fn outside the
// known table yields TopicUnspecified.
func TopicOf(fn NnsFunction) Topic {
	if t, ok := fnTopics[fn]; ok {
		return t
	}
	if fn == FnUnspecified || !fn.Known() {
		return TopicUnspecified
	}
	return TopicSubnetManagement
}

// Well-known NNS canister ids.
const (
	RegistryCanisterID   = "rwlgt-iiaaa-aaaaa-aaaaa-cai"
	GovernanceCanisterID = "rrkah-fqaaa-aaaaa-aaaaq-cai"
	LedgerCanisterID     = "ryjl3-tyaaa-aaaaa-aaaba-cai"
	RootCanisterID       = "r7inp-6aaaa-aaaaa-aaabq-cai"
	LifelineCanisterID   = "rno2w-sqaaa-aaaaa-aaacq-cai"
	SnsWasmCanisterID    = "qaa6y-5yaaa-aaaaa-aaafa-cai"
)

// protocolCanisters are the canisters whose InstallCode proposals fall under
// ProtocolCanisterManagement (the PROTOCOL_CANISTER_IDS list of dfinity/ic
// install_code.rs: registry, governance, ledger, root, cycles minting,
// lifeline, genesis token, ledger archive and index, subnet rental, exchange
// rate, bitcoin, cycles ledger and its index). The ids other than the
// exported constants are the well-known mainnet ids, written from memory;
// the ICP ledger's second and third archives are missing.
var protocolCanisters = map[string]bool{
	RegistryCanisterID: true, GovernanceCanisterID: true, LedgerCanisterID: true,
	RootCanisterID: true, LifelineCanisterID: true,
	"rkp4c-7iaaa-aaaaa-aaaca-cai": true, // cycles minting
	"renrk-eyaaa-aaaaa-aaada-cai": true, // genesis token
	"qjdve-lqaaa-aaaaa-aaaeq-cai": true, // ICP ledger archive
	"qhbym-qaaaa-aaaaa-aaafq-cai": true, // ICP ledger index
	"qvhpv-4qaaa-aaaaa-aaagq-cai": true, // subnet rental
	"uf6dk-hyaaa-aaaaq-qaaaq-cai": true, // exchange rate
	"ghsi2-tqaaa-aaaan-aaaca-cai": true, // bitcoin mainnet
	"g4xu7-jiaaa-aaaan-aaaaq-cai": true, // bitcoin testnet
	"um5iw-rqaaa-aaaaq-qaaba-cai": true, // cycles ledger
	"ul4oc-4iaaa-aaaaq-qaabq-cai": true, // cycles ledger index
}

// snsCanisters are the SNS-related NNS canisters (SNS-W, SNS aggregator).
var snsCanisters = map[string]bool{
	SnsWasmCanisterID:             true,
	"3r4gx-wqaaa-aaaaq-aaaia-cai": true, // SNS aggregator
}

// TopicOfCanister returns the topic of an InstallCode proposal targeting the
// canister with the given textual id (install_code.rs): the SNS canisters
// are ServiceNervousSystemManagement, the protocol canisters
// ProtocolCanisterManagement, and any other canister
// ApplicationCanisterManagement.
func TopicOfCanister(canisterID string) Topic {
	switch {
	case snsCanisters[canisterID]:
		return TopicServiceNervousSystemManagement
	case protocolCanisters[canisterID]:
		return TopicProtocolCanisterManagement
	}
	return TopicApplicationCanisterManagement
}
