package govmodel

// Topic numbers of the NNS (governance.did Topic, ic-js governance.enums).
const (
	TopicUnspecified                    int32 = 0
	TopicNeuronManagement               int32 = 1
	TopicExchangeRate                   int32 = 2
	TopicNetworkEconomics               int32 = 3
	TopicGovernance                     int32 = 4
	TopicNodeAdmin                      int32 = 5
	TopicParticipantManagement          int32 = 6
	TopicSubnetManagement               int32 = 7
	TopicApplicationCanisterManagement  int32 = 8
	TopicKyc                            int32 = 9
	TopicNodeProviderRewards            int32 = 10
	TopicIcOsVersionDeployment          int32 = 12
	TopicIcOsVersionElection            int32 = 13
	TopicSnsAndCommunityFund            int32 = 14
	TopicAPIBoundaryNodeManagement      int32 = 15
	TopicSubnetRental                   int32 = 16
	TopicProtocolCanisterManagement     int32 = 17
	TopicServiceNervousSystemManagement int32 = 18
)

// maxTopic is the highest topic number the model accepts in Follow.
const maxTopic = TopicServiceNervousSystemManagement

// Proposal status values (ProposalInfo.status).
const (
	StatusUnknown  int32 = 0
	StatusOpen     int32 = 1
	StatusRejected int32 = 2
	StatusAdopted  int32 = 3
	StatusExecuted int32 = 4
	StatusFailed   int32 = 5
)

// Reward status values (ProposalInfo.reward_status).
const (
	RewardStatusUnknown       int32 = 0
	RewardStatusAcceptVotes   int32 = 1
	RewardStatusReadyToSettle int32 = 2
	RewardStatusSettled       int32 = 3
	RewardStatusIneligible    int32 = 4
)

// Ballot vote values (Ballot.vote, RegisterVote.vote).
const (
	VoteUnspecified int32 = 0
	VoteYes         int32 = 1
	VoteNo          int32 = 2
)

// GovernanceError.error_type values used by the model.
const (
	ErrorNotAuthorized      int32 = 3
	ErrorNotFound           int32 = 4
	ErrorInvalidCommand     int32 = 5
	ErrorPreconditionFailed int32 = 11
	ErrorExternal           int32 = 12
	ErrorInsufficientFunds  int32 = 14
	ErrorInvalidProposal    int32 = 16
	// ErrorNeuronAlreadyVoted is what current NNS governance returns for a
	// second vote of the same neuron (rs/nns/governance/src/governance.rs,
	// register_vote); older releases returned PreconditionFailed.
	ErrorNeuronAlreadyVoted int32 = 19
)

// Canister install modes (InstallCode.install_mode).
const (
	InstallModeInstall   int32 = 1
	InstallModeReinstall int32 = 2
	InstallModeUpgrade   int32 = 3
)
