package governance

import (
	"fmt"
	"strconv"
	"strings"
)

// Topic is an NNS proposal topic (governance.did Topic enum).
type Topic int32

// Topics nnspatch names explicitly.
const (
	TopicIcOsVersionDeployment Topic = 12
	TopicIcOsVersionElection   Topic = 13
	TopicProtocolCanisterMgmt  Topic = 17
)

var topicNames = []string{
	"Unspecified", "NeuronManagement", "ExchangeRate", "NetworkEconomics", "Governance",
	"NodeAdmin", "ParticipantManagement", "SubnetManagement", "ApplicationCanisterManagement",
	"Kyc", "NodeProviderRewards", "SnsDecentralizationSale", "IcOsVersionDeployment",
	"IcOsVersionElection", "SnsAndCommunityFund", "ApiBoundaryNodeManagement", "SubnetRental",
	"ProtocolCanisterManagement", "ServiceNervousSystemManagement",
}

// AllTopics lists every topic id governance knows.
func AllTopics() []Topic {
	out := make([]Topic, len(topicNames))
	for i := range topicNames {
		out[i] = Topic(i)
	}
	return out
}

// String returns the topic's name.
func (t Topic) String() string {
	if t >= 0 && int(t) < len(topicNames) {
		return topicNames[t]
	}
	return "Topic" + strconv.Itoa(int(t))
}

// ParseTopic accepts a topic number or name in any case, with or without
// dashes and underscores ("ic-os-version-election", "13").
func ParseTopic(s string) (Topic, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(topicNames) {
		return Topic(n), nil
	}
	key := normName(s)
	for i, name := range topicNames {
		if normName(name) == key {
			return Topic(i), nil
		}
	}
	if key == "networkcanistermanagement" {
		return 8, nil
	}
	return 0, fmt.Errorf("unknown topic %q; use a number 0-%d or a name such as ic-os-version-election", s, len(topicNames)-1)
}

// Status is a proposal status.
type Status int32

// Proposal statuses (governance.did ProposalStatus).
const (
	StatusUnknown  Status = 0
	StatusOpen     Status = 1
	StatusRejected Status = 2
	StatusAdopted  Status = 3
	StatusExecuted Status = 4
	StatusFailed   Status = 5
)

var statusNames = []string{"unknown", "open", "rejected", "adopted", "executed", "failed"}

// String returns the status name.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status" + strconv.Itoa(int(s))
}

// Final reports whether no vote can change the status any more.
func (s Status) Final() bool { return s != StatusOpen && s != StatusUnknown }

// ParseStatus accepts a status number or name ("accepted" means adopted).
func ParseStatus(s string) (Status, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(statusNames) {
		return Status(n), nil
	}
	key := normName(s)
	if key == "accepted" {
		return StatusAdopted, nil
	}
	for i, name := range statusNames {
		if name == key {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q; use open, rejected, adopted, executed or failed", s)
}

// Vote is a ballot value.
type Vote int32

// Ballot values.
const (
	VoteUnspecified Vote = 0
	VoteYes         Vote = 1
	VoteNo          Vote = 2
)

// String returns "yes", "no" or "unspecified".
func (v Vote) String() string {
	switch v {
	case VoteYes:
		return "yes"
	case VoteNo:
		return "no"
	}
	return "unspecified"
}

func normName(s string) string {
	return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
}
