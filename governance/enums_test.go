package governance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

func TestParseTopicAndStatus(t *testing.T) {
	for in, want := range map[string]Topic{"13": 13, "ic-os-version-election": 13, "IcOsVersionDeployment": 12,
		"network_canister_management": 8, "governance": 4} {
		if got, err := ParseTopic(in); err != nil || got != want {
			t.Errorf("ParseTopic(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTopic("nope"); err == nil {
		t.Error("ParseTopic accepted an unknown name")
	}
	for in, want := range map[string]Status{"open": 1, "Adopted": 3, "accepted": 3, "4": 4} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseStatus("99"); err == nil {
		t.Error("ParseStatus accepted 99")
	}
}

func TestListRequestExcludesComplement(t *testing.T) {
	req := ListOptions{Topics: []Topic{12, 13}, Statuses: []Status{StatusOpen}}.Request(500, 10)
	var want []int32
	for i := int32(0); i <= 18; i++ {
		if i != 12 && i != 13 {
			want = append(want, i)
		}
	}
	if d := cmp.Diff(want, req.ExcludeTopic); d != "" {
		t.Errorf("exclude_topic (-want +got):\n%s", d)
	}
	if req.BeforeProposal.Id != 500 || req.Limit != 10 || len(req.IncludeStatus) != 1 || !*req.OmitLargeFields {
		t.Errorf("request = %+v", req)
	}
	if all := (ListOptions{}).Request(0, 100); len(all.ExcludeTopic) != 0 || all.BeforeProposal != nil {
		t.Errorf("no filter must exclude nothing: %+v", all)
	}
}

func TestRejectedErrorMatching(t *testing.T) {
	cases := []struct {
		err  *RejectedError
		want error
	}{
		{&RejectedError{ErrorType: 3, Message: "Caller not authorized"}, ErrNeuronNotControlled},
		{&RejectedError{ErrorType: 11, Message: "Neuron already voted on proposal."}, ErrAlreadyVoted},
		{&RejectedError{ErrorType: 4, Message: "Can't find proposal 9"}, ErrProposalNotFound},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) || !IsRejected(c.err) {
			t.Errorf("%v does not match %v", c.err, c.want)
		}
	}
	if errors.Is(&RejectedError{ErrorType: 11, Message: "x"}, ErrAlreadyVoted) {
		t.Error("unrelated rejection matched ErrAlreadyVoted")
	}
}

func TestFromInfo(t *testing.T) {
	title := "Security patch update"
	deadline := uint64(1_700_000_000 + 5*86400)
	pi := &govdid.ProposalInfo{
		Id: &govdid.ProposalId{Id: 9}, Status: 1, Topic: 13, ProposalTimestampSeconds: 1_700_000_000,
		DeadlineTimestampSeconds: &deadline, RejectCostE8s: 25e8, Proposer: &govdid.NeuronId{Id: 27},
		LatestTally: &govdid.Tally{Yes: 10, No: 5, Total: 100, TimestampSeconds: 1_700_000_100},
		Proposal: &govdid.Proposal{Title: &title, Summary: "s", Url: "https://forum.dfinity.org/t/1",
			Action: &govdid.Action{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 38, Payload: []byte("DIDL")}}},
	}
	p := FromInfo(pi, 0)
	if p.ID != 9 || p.Title != title || p.Topic != TopicIcOsVersionElection || p.Status != StatusOpen || p.Proposer != 27 ||
		p.Action.Kind != "ExecuteNnsFunction" || p.Action.NNSFunction != 38 || p.Tally.Yes != 10 ||
		p.Deadlines.Current.Unix() != int64(deadline) || p.Deadlines.Max.Unix() != 1_700_000_000+8*86400 {
		t.Errorf("FromInfo = %+v", p)
	}
	if sum := sha256.Sum256([]byte("DIDL")); p.Action.PayloadSHA256() != hex.EncodeToString(sum[:]) || (Action{}).PayloadSHA256() != "" {
		t.Error("payload hash")
	}
	motion := FromInfo(&govdid.ProposalInfo{Proposal: &govdid.Proposal{Action: &govdid.Action{Motion: &govdid.Motion{MotionText: "m"}}}}, 0)
	other := FromInfo(&govdid.ProposalInfo{Proposal: &govdid.Proposal{Action: &govdid.Action{ManageNetworkEconomics: &govdid.NetworkEconomics{}}}}, 0)
	if motion.Action.Kind != "Motion" || motion.Action.MotionText != "m" || other.Action.Kind != "ManageNetworkEconomics" {
		t.Errorf("kinds: %q %q", motion.Action.Kind, other.Action.Kind)
	}
}

func TestIsSecurityPatch(t *testing.T) {
	elect := Action{Kind: "ExecuteNnsFunction", NNSFunction: 38}
	cases := []struct {
		name string
		p    Proposal
		want bool
	}{
		{"title", Proposal{Title: "Security patch update"}, true},
		{"policy text", Proposal{Title: "Elect", Summary: "Per the Security Patch Policy, the source ..."}, true},
		{"election without release notes", Proposal{Title: "Elect new GuestOS", Summary: "checksum only", Action: elect}, true},
		{"regular election", Proposal{Title: "Elect new GuestOS", Summary: "Release notes: https://github.com/dfinity/ic/...", Action: elect}, false},
		{"motion", Proposal{Title: "Motion", Summary: "x", Action: Action{Kind: "Motion"}}, false},
	}
	for _, c := range cases {
		if got := IsSecurityPatch(c.p); got != c.want {
			t.Errorf("%s: IsSecurityPatch = %v", c.name, got)
		}
	}
}

// Enums encode as names in JSON and decode from names or the numbers of
// files written before.
func TestEnumsEncodeAsNames(t *testing.T) {
	b, err := json.Marshal(Ballot{Neuron: 80, Vote: VoteNo})
	if err != nil || string(b) != `{"neuron":80,"vote":"no","voting_power":0}` {
		t.Fatalf("ballot: %s %v", b, err)
	}
	var p struct {
		Topic  Topic
		Status Status
		Reward RewardStatus
		Vote   Vote
	}
	if err := json.Unmarshal([]byte(`{"Topic":"IcOsVersionElection","Status":"executed","Reward":"settled","Vote":"yes"}`), &p); err != nil ||
		p.Topic != TopicIcOsVersionElection || p.Status != 4 || p.Reward != 3 || p.Vote != VoteYes {
		t.Fatalf("names: %+v %v", p, err)
	}
	if err := json.Unmarshal([]byte(`{"Topic":"13","Status":"4","Reward":"3","Vote":"1"}`), &p); err != nil ||
		p.Topic != TopicIcOsVersionElection || p.Status != 4 || p.Reward != 3 || p.Vote != VoteYes {
		t.Fatalf("numbers: %+v %v", p, err)
	}
	if err := json.Unmarshal([]byte(`{"Topic":13,"Status":4,"Reward":3,"Vote":2}`), &p); err != nil ||
		p.Topic != TopicIcOsVersionElection || p.Status != 4 || p.Reward != 3 || p.Vote != VoteNo {
		t.Fatalf("JSON numbers: %+v %v", p, err)
	}
	if err := json.Unmarshal([]byte(`{"Vote":"maybe"}`), &p); err == nil {
		t.Error("an unknown vote decoded")
	}
}
