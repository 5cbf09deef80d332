package governance

import (
	"context"
	"errors"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// loopingGovernance answers every list_proposals with the same full page,
// whatever before_proposal says.
type loopingGovernance struct{ calls int }

func (l *loopingGovernance) query(_ context.Context, _ principal.Principal, _ string, _ []byte) ([]byte, error) {
	l.calls++
	var resp govdid.ListProposalInfoResponse
	for id := uint64(pageSize); id > 0; id-- {
		resp.ProposalInfo = append(resp.ProposalInfo, govdid.ProposalInfo{Id: &govdid.ProposalId{Id: id}})
	}
	return candid.Marshal([]any{resp})
}

func (l *loopingGovernance) call(context.Context, principal.Principal, string, []byte) ([]byte, error) {
	return nil, errors.New("no calls")
}

func TestListProposalsStopsOnAPageThatDoesNotMoveBack(t *testing.T) {
	gov := &loopingGovernance{}
	c := &Client{t: gov}
	_, err := c.ListProposals(context.Background(), ListOptions{All: true})
	if !errors.Is(err, ErrMalformedReply) || gov.calls != 2 {
		t.Errorf("err = %v after %d pages, want ErrMalformedReply after 2", err, gov.calls)
	}
}
