package governance

import (
	"context"
	"fmt"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// pageSize is governance's cap on list_proposals' limit.
const pageSize = 100

// ListOptions filter a proposal listing.
type ListOptions struct {
	// Topics to include (empty: all). Governance only knows exclusions, so
	// the complement is sent as exclude_topic.
	Topics []Topic
	// Statuses to include (empty: all).
	Statuses []Status
	// Limit is the number of proposals wanted (0: one page of 100).
	Limit int
	// Before lists proposals with ids strictly below it (0: newest).
	Before uint64
	// All pages until governance has nothing older; Limit is ignored.
	All bool
}

// Request builds the list_proposals request for one page.
func (o ListOptions) Request(before uint64, limit int) govdid.ListProposalInfoRequest {
	omit, selfDescribing := true, false
	req := govdid.ListProposalInfoRequest{
		IncludeRewardStatus:        []int32{},
		OmitLargeFields:            &omit,
		Limit:                      uint32(limit),
		ExcludeTopic:               excludedTopics(o.Topics),
		IncludeStatus:              []int32{},
		ReturnSelfDescribingAction: &selfDescribing,
	}
	for _, s := range o.Statuses {
		req.IncludeStatus = append(req.IncludeStatus, int32(s))
	}
	if before != 0 {
		req.BeforeProposal = &govdid.ProposalId{Id: before}
	}
	return req
}

func excludedTopics(include []Topic) []int32 {
	out := []int32{}
	if len(include) == 0 {
		return out
	}
	want := map[Topic]bool{}
	for _, t := range include {
		want[t] = true
	}
	for _, t := range AllTopics() {
		if !want[t] {
			out = append(out, int32(t))
		}
	}
	return out
}

// ListProposals lists proposals newest first, paging as needed.
func (c *Client) ListProposals(ctx context.Context, o ListOptions) ([]Proposal, error) {
	want := o.Limit
	if want <= 0 {
		want = pageSize
	}
	var out []Proposal
	before := o.Before
	for o.All || len(out) < want {
		n := pageSize
		if !o.All {
			n = min(pageSize, want-len(out))
		}
		page, err := c.ListProposalsPage(ctx, o.Request(before, n))
		if err != nil {
			return nil, err
		}
		for i := range page {
			out = append(out, FromInfo(&page[i], 0))
		}
		if len(page) < n || len(page) == 0 || page[len(page)-1].Id == nil {
			break
		}
		next := page[len(page)-1].Id.Id
		if before != 0 && next >= before {
			return nil, fmt.Errorf("list proposals: %w: page before %d ends at proposal %d; stopping instead of paging forever", ErrMalformedReply, before, next)
		}
		before = next
	}
	return out, nil
}

// ListProposalsPage sends one list_proposals query.
func (c *Client) ListProposalsPage(ctx context.Context, req govdid.ListProposalInfoRequest) ([]govdid.ProposalInfo, error) {
	var resp govdid.ListProposalInfoResponse
	if err := c.queryCandid(ctx, GovernanceCanister, "list_proposals", []any{req}, []any{&resp}); err != nil {
		return nil, fmt.Errorf("list proposals: %w", err)
	}
	return resp.ProposalInfo, nil
}

// GetProposal reads one proposal with its full payload.
func (c *Client) GetProposal(ctx context.Context, id uint64) (*Proposal, error) {
	var pi *govdid.ProposalInfo
	if err := c.queryCandid(ctx, GovernanceCanister, "get_proposal_info", []any{id}, []any{&pi}); err != nil {
		return nil, fmt.Errorf("fetch proposal %d: %w", id, err)
	}
	if pi == nil {
		return nil, fmt.Errorf("fetch proposal %d: %w", id, ErrProposalNotFound)
	}
	if pi.Id == nil || pi.Id.Id != id {
		got := "no id"
		if pi.Id != nil {
			got = fmt.Sprintf("proposal %d", pi.Id.Id)
		}
		return nil, &UntrustedError{Network: c.Network.Name, Err: fmt.Errorf("asked for proposal %d, governance answered with %s; nothing of it was used", id, got)}
	}
	p := FromInfo(pi, 0)
	return &p, nil
}

// RejectCost reads the current reject cost from the network economics.
func (c *Client) RejectCost(ctx context.Context) (uint64, error) {
	var ne govdid.NetworkEconomics
	if err := c.queryCandid(ctx, GovernanceCanister, "get_network_economics_parameters", []any{}, []any{&ne}); err != nil {
		return 0, fmt.Errorf("read network economics: %w", err)
	}
	return ne.RejectCostE8s, nil
}
