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
	TopicApiBoundaryNodeManagement      Topic = 15
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
// topic (execute_nns_function.rs `topic()`, as summarised in domain.md §1.3).
var fnTopics = map[NnsFunction]Topic{
	FnReviseElectedGuestosVersions:                 TopicIcOsVersionElection,
	FnReviseElectedHostosVersions:                  TopicIcOsVersionElection,
	FnBlessReplicaVersion:                          TopicIcOsVersionElection,
	FnRetireReplicaVersion:                         TopicIcOsVersionElection,
	FnUpdateElectedHostosVersions:                  TopicIcOsVersionElection,
	FnDeployGuestosToAllSubnetNodes:                TopicIcOsVersionDeployment,
	FnDeployGuestosToAllUnassignedNodes:            TopicIcOsVersionDeployment,
	FnDeployGuestosToSomeApiBoundaryNodes:          TopicIcOsVersionDeployment,
	FnDeployHostosToSomeNodes:                      TopicIcOsVersionDeployment,
	FnUpdateNodesHostosVersion:                     TopicIcOsVersionDeployment,
	FnUpdateUnassignedNodesConfig:                  TopicIcOsVersionDeployment,
	FnUpdateApiBoundaryNodesVersion:                TopicIcOsVersionDeployment,
	FnUpdateSshReadOnlyAccessForAllUnassignedNodes: TopicSubnetManagement,
	FnNnsCanisterInstall:                           TopicProtocolCanisterManagement,
	FnHardResetNnsRootToVersion:                    TopicProtocolCanisterManagement,
	FnNnsCanisterUpgrade:                           TopicProtocolCanisterManagement,
	FnNnsRootUpgrade:                               TopicProtocolCanisterManagement,
	FnIcpXdrConversionRate:                         TopicExchangeRate,
	FnAddApiBoundaryNodes:                          TopicApiBoundaryNodeManagement,
	FnRemoveApiBoundaryNodes:                       TopicApiBoundaryNodeManagement,
	FnUpdateApiBoundaryNodeDomain:                  TopicApiBoundaryNodeManagement,
	FnSubnetRentalRequest:                          TopicSubnetRental,
	FnAddSnsWasm:                                   TopicServiceNervousSystemManagement,
	FnUpdateSnsWasmSnsSubnetIds:                    TopicServiceNervousSystemManagement,
	FnInsertSnsWasmUpgradePathEntries:              TopicServiceNervousSystemManagement,
	FnUpdateAllowedPrincipals:                      TopicServiceNervousSystemManagement,
	FnAssignNoid:                                   TopicNodeAdmin,
	FnUpdateNodeOperatorConfig:                     TopicNodeAdmin,
	FnRemoveNodes:                                  TopicNodeAdmin,
	FnRemoveNodeOperators:                          TopicNodeAdmin,
	FnUpdateNodeRewardsTable:                       TopicNetworkEconomics,
	FnAddOrRemoveDataCenters:                       TopicParticipantManagement,
	FnUninstallCode:                                TopicProtocolCanisterManagement,
	FnStopOrStartNnsCanister:                       TopicProtocolCanisterManagement,
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

// Protocol canisters whose InstallCode proposals fall under
// ProtocolCanisterManagement (install_code.rs).
const (
	RegistryCanisterID   = "rwlgt-iiaaa-aaaaa-aaaaa-cai"
	GovernanceCanisterID = "rrkah-fqaaa-aaaaa-aaaaq-cai"
	LedgerCanisterID     = "ryjl3-tyaaa-aaaaa-aaaba-cai"
	RootCanisterID       = "r7inp-6aaaa-aaaaa-aaabq-cai"
	LifelineCanisterID   = "rno2w-sqaaa-aaaaa-aaacq-cai"
	SnsWasmCanisterID    = "qaa6y-5yaaa-aaaaa-aaafa-cai"
)

// TopicOfCanister returns the topic of an InstallCode proposal targeting the
// NNS canister with the given textual id (install_code.rs): SNS-W is
// ServiceNervousSystemManagement, the protocol canisters (registry,
// governance, ledger, root, lifeline) are ProtocolCanisterManagement, and any
// other canister is ApplicationCanisterManagement.
func TopicOfCanister(canisterID string) Topic {
	switch canisterID {
	case SnsWasmCanisterID:
		return TopicServiceNervousSystemManagement
	case RegistryCanisterID, GovernanceCanisterID, LedgerCanisterID, RootCanisterID, LifelineCanisterID:
		return TopicProtocolCanisterManagement
	}
	return TopicApplicationCanisterManagement
}
