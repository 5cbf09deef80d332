package governance

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// newerAction is an Action as a newer governance declares it: two arms the
// pinned governance.did lacks beside one it has.
type newerAction struct {
	UpdateStandardEngineReplicaVersion *struct {
		ReplicaVersionID string `ic:"replica_version_id"`
	} `ic:"UpdateStandardEngineReplicaVersion,variant"`
	SomeFutureAction *struct {
		Flag bool `ic:"flag"`
	} `ic:"SomeFutureAction,variant"`
	Motion *struct {
		MotionText string `ic:"motion_text"`
	} `ic:"Motion,variant"`
}

type newerProposal struct {
	Title  *string      `ic:"title,omitempty"`
	Action *newerAction `ic:"action,omitempty"`
}

type newerInfo struct {
	ID       *govdid.NeuronId `ic:"id,omitempty"`
	Proposal *newerProposal   `ic:"proposal,omitempty"`
	Topic    int32            `ic:"topic"`
}

type newerList struct {
	ProposalInfo []newerInfo `ic:"proposal_info"`
}

// A listing holding actions the pinned interface does not know decodes in
// full: UpdateStandardEngineReplicaVersion by name, any other new arm as
// "unknown (#<hash>)", and the known arms as before.
func TestListingWithNewerActionVariants(t *testing.T) {
	title := "Update the standard engine"
	info := func(id uint64, a *newerAction) newerInfo {
		return newerInfo{ID: &govdid.NeuronId{Id: id}, Proposal: &newerProposal{Title: &title, Action: a}, Topic: 13}
	}
	list := newerList{ProposalInfo: []newerInfo{
		info(143574, &newerAction{UpdateStandardEngineReplicaVersion: &struct {
			ReplicaVersionID string `ic:"replica_version_id"`
		}{ReplicaVersionID: strings.Repeat("a", 40)}}),
		info(2, &newerAction{SomeFutureAction: &struct {
			Flag bool `ic:"flag"`
		}{Flag: true}}),
		info(3, &newerAction{Motion: &struct {
			MotionText string `ic:"motion_text"`
		}{MotionText: "hello"}}),
	}}
	raw, err := candid.Marshal([]any{list})
	if err != nil {
		t.Fatal(err)
	}
	var got govdid.ListProposalInfoResponse
	if err := unmarshalReply("list_proposals", raw, []any{&got}); err != nil {
		t.Fatalf("a listing with newer action variants failed to decode: %v", err)
	}
	if len(got.ProposalInfo) != 3 {
		t.Fatalf("decoded %d proposals, want 3", len(got.ProposalInfo))
	}
	want := []string{"UpdateStandardEngineReplicaVersion", "unknown (#" + strconv.FormatUint(uint64(candidID("SomeFutureAction")), 10) + ")", "Motion"}
	for i, pi := range got.ProposalInfo {
		p := FromInfo(&pi, 0)
		if p.Action.Kind != want[i] {
			t.Errorf("proposal %d: action kind %q, want %q", p.ID, p.Action.Kind, want[i])
		}
		if p.Title != title {
			t.Errorf("proposal %d: title %q", p.ID, p.Title)
		}
	}
}
