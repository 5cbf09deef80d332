package govmodel

import (
	"bytes"
	"slices"
	"time"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// maxListResults is MAX_LIST_PROPOSAL_RESULTS: the cap of list_proposals.
const maxListResults = 100

// defaultNeuronPageSize is list_neurons' page size when none is asked for.
const defaultNeuronPageSize = 500

// getProposalInfo handles get_proposal_info: the full proposal with the
// caller's ballots, or null.
func (g *Governance) getProposalInfo(call replica.Call, now uint64) ([]byte, error) {
	var id uint64
	if err := decodeArg(call.Arg, &id); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	c := sharedCodecs().info.opt
	p := g.proposal(id)
	if p == nil {
		return append(slices.Clone(c.header), 0), nil
	}
	out := append(slices.Clone(c.header), 1)
	return g.appendInfo(out, p, g.callerNeurons(call.Caller), viewFull, now)
}

// listProposals handles list_proposals: newest first, strictly before
// before_proposal, at most limit (0 or over 100 means 100) proposals that
// pass the topic, status and reward status filters.
func (g *Governance) listProposals(call replica.Call, now uint64) ([]byte, error) {
	var req govdid.ListProposalInfoRequest
	if err := decodeArg(call.Arg, &req); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	limit := int(req.Limit)
	if limit == 0 || limit > maxListResults {
		limit = maxListResults
	}
	end := uint64(len(g.proposals))
	if req.BeforeProposal != nil && req.BeforeProposal.Id <= end {
		end = sub(req.BeforeProposal.Id, 1)
	}
	var picked []*proposal
	for id := end; id >= 1 && len(picked) < limit; id-- {
		if p := g.proposals[id-1]; p != nil && listed(p, &req, now) {
			picked = append(picked, p)
		}
	}
	return g.encodeInfos(sharedCodecs().info.list.header, picked, g.callerNeurons(call.Caller), listingView(req.ReturnSelfDescribingAction), now)
}

// listed reports whether p passes the filters of a list_proposals request.
func listed(p *proposal, req *govdid.ListProposalInfoRequest, now uint64) bool {
	if slices.Contains(req.ExcludeTopic, p.topic) {
		return false
	}
	if len(req.IncludeRewardStatus) > 0 && !slices.Contains(req.IncludeRewardStatus, p.rewardStatus(now)) {
		return false
	}
	return len(req.IncludeStatus) == 0 || slices.Contains(req.IncludeStatus, p.status())
}

// listingView is the view of a listing; return_self_describing_action
// drops the action.
func listingView(selfDescribing *bool) view {
	if selfDescribing != nil && *selfDescribing {
		return viewListingNoAction
	}
	return viewListing
}

// encodeInfos assembles header + vec of ProposalInfos displayed as v.
func (g *Governance) encodeInfos(header []byte, ps []*proposal, neurons []uint64, v view, now uint64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(header) + 512*len(ps))
	buf.Write(header)
	buf.Write(vecLen(len(ps)))
	out := buf.Bytes()
	var err error
	for _, p := range ps {
		if out, err = g.appendInfo(out, p, neurons, v, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// getPendingProposals handles get_pending_proposals: every open proposal,
// oldest first, in listing form (ProposalDisplayOptions::
// for_get_pending_proposals). Older clients send no argument.
func (g *Governance) getPendingProposals(call replica.Call, now uint64) ([]byte, error) {
	var req *govdid.GetPendingProposalsRequest
	if !bytes.Equal(call.Arg, emptyArgs) {
		if err := decodeArg(call.Arg, &req); err != nil {
			return nil, err
		}
	}
	v := viewListing
	if req != nil {
		v = listingView(req.ReturnSelfDescribingAction)
	}
	ps := make([]*proposal, 0, len(g.open))
	for _, id := range g.open {
		ps = append(ps, g.proposals[id-1])
	}
	return g.encodeInfos(sharedCodecs().info.vec.header, ps, g.callerNeurons(call.Caller), v, now)
}

// getNeuronInfo handles get_neuron_info.
func (g *Governance) getNeuronInfo(call replica.Call, now uint64) ([]byte, error) {
	var id uint64
	if err := decodeArg(call.Arg, &id); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	var res govdid.Result5
	if n := g.neurons[id]; n != nil {
		info := n.neuronInfo(now)
		res.Ok = &info
	} else {
		res.Err = neuronNotFound(id)
	}
	return sharedCodecs().neuronInfo.encode(res)
}

// listNeurons handles list_neurons: the requested neurons plus, on request,
// the caller's; full records only for neurons the caller controls or holds
// a hot key of (or public ones when asked).
func (g *Governance) listNeurons(call replica.Call, now uint64) ([]byte, error) {
	var req govdid.ListNeurons
	if err := decodeArg(call.Arg, &req); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	ids := slices.Clone(req.NeuronIds)
	if req.IncludeNeuronsReadableByCaller {
		ids = append(ids, g.callerNeurons(call.Caller)...)
	}
	ids = sortIDs(ids)
	ids = slices.DeleteFunc(ids, func(id uint64) bool { return g.neurons[id] == nil })
	pageSize := uint64(defaultNeuronPageSize)
	if req.PageSize != nil && *req.PageSize > 0 && *req.PageSize < pageSize {
		pageSize = *req.PageSize
	}
	pages := (uint64(len(ids)) + pageSize - 1) / pageSize
	var page uint64
	if req.PageNumber != nil {
		page = *req.PageNumber
	}
	lo, hi := min(page*pageSize, uint64(len(ids))), min((page+1)*pageSize, uint64(len(ids)))
	resp := govdid.ListNeuronsResponse{FullNeurons: []govdid.Neuron{}, TotalPagesAvailable: &pages}
	public := req.IncludePublicNeuronsInFullNeurons != nil && *req.IncludePublicNeuronsInFullNeurons
	for _, id := range ids[lo:hi] {
		n := g.neurons[id]
		resp.NeuronInfos = append(resp.NeuronInfos, struct {
			Field0 uint64            `ic:"0,tuple" json:"0"`
			Field1 govdid.NeuronInfo `ic:"1,tuple" json:"1"`
		}{id, n.neuronInfo(now)})
		if n.authorized(call.Caller) || (public && n.knownName != "") {
			resp.FullNeurons = append(resp.FullNeurons, n.fullNeuron(now))
		}
	}
	return sharedCodecs().listNeurons.encode(resp)
}

// getNetworkEconomics handles get_network_economics_parameters.
func (g *Governance) getNetworkEconomics(replica.Call, uint64) ([]byte, error) {
	return sharedCodecs().economics.encode(g.NetworkEconomics())
}

// NetworkEconomics returns the NetworkEconomics the model reports: the
// configured reject cost and minimum dissolve delay to vote, and the NNS
// defaults otherwise.
func (g *Governance) NetworkEconomics() govdid.NetworkEconomics {
	minDelay := uint64(g.cfg.MinDissolveDelayToVote / time.Second)
	startReducing := uint64(startReducingAfterSeconds)
	clearFollowing := uint64(clearFollowingAfterSeconds)
	return govdid.NetworkEconomics{
		NeuronMinimumStakeE8s:             e8s,
		MaxProposalsToKeepPerTopic:        uint32(g.cfg.keepPerTopic()),
		NeuronManagementFeePerProposalE8s: 1_000_000,
		RejectCostE8s:                     g.cfg.RejectCostE8s,
		TransactionFeeE8s:                 10_000,
		NeuronSpawnDissolveDelaySeconds:   uint64(7 * day / time.Second),
		MinimumIcpXdrRate:                 100,
		MaximumNodeProviderRewardsE8s:     1_000_000 * e8s,
		VotingPowerEconomics: &govdid.VotingPowerEconomics{
			StartReducingVotingPowerAfterSeconds:    &startReducing,
			ClearFollowingAfterSeconds:              &clearFollowing,
			NeuronMinimumDissolveDelayToVoteSeconds: &minDelay,
		},
	}
}

// getBuildMetadata handles get_build_metadata.
func (g *Governance) getBuildMetadata(replica.Call, uint64) ([]byte, error) {
	return sharedCodecs().text.encode(g.cfg.BuildMetadata)
}
