package govmodel

import (
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// ballotEntry is one element of ProposalInfo.ballots.
type ballotEntry = struct {
	Field0 uint64        `ic:"0,tuple" json:"0"`
	Field1 govdid.Ballot `ic:"1,tuple" json:"1"`
}

// view is how a ProposalInfo is displayed (ProposalDisplayOptions).
type view int

const (
	// viewFull is get_proposal_info: the whole action.
	viewFull view = iota
	// viewListing is list_proposals and get_pending_proposals: payloads of
	// ExecuteNnsFunction over 1000 bytes are emptied.
	viewListing
	// viewListingNoAction is a listing with return_self_describing_action:
	// the action is omitted (the model has no self-describing actions).
	viewListingNoAction
)

// proposalInfo builds the ProposalInfo of p at now with the ballots of the
// given neurons (the caller's), displayed as v.
func (g *Governance) proposalInfo(p *proposal, neurons []uint64, v view, now uint64) govdid.ProposalInfo {
	title := p.title
	deadline, potential := p.deadline, p.potential
	pi := govdid.ProposalInfo{
		Id:                       &govdid.ProposalId{Id: p.id},
		Status:                   p.status(),
		Topic:                    p.topic,
		FailureReason:            p.failure,
		Ballots:                  callerBallots(p, neurons),
		ProposalTimestampSeconds: p.created,
		RewardEventRound:         p.rewardRound,
		DeadlineTimestampSeconds: &deadline,
		FailedTimestampSeconds:   p.failed,
		RejectCostE8s:            p.rejectCost,
		RewardStatus:             p.rewardStatus(now),
		DecidedTimestampSeconds:  p.decided,
		Proposal: &govdid.Proposal{
			Url:     p.url,
			Title:   &title,
			Action:  listedAction(p.action, v),
			Summary: p.summary,
		},
		Proposer:                  &govdid.NeuronId{Id: p.proposer},
		ExecutedTimestampSeconds:  p.executed,
		TotalPotentialVotingPower: &potential,
	}
	if p.tallied {
		pi.LatestTally = &govdid.Tally{Yes: p.yes, No: p.no, Total: p.total, TimestampSeconds: p.tallyAt}
	}
	return pi
}

// listedAction returns a copy of the stored action as view v shows it.
func listedAction(a govdid.Action, v view) *govdid.Action {
	if v == viewListingNoAction {
		return nil
	}
	if v == viewListing && a.ExecuteNnsFunction != nil && len(a.ExecuteNnsFunction.Payload) > maxListingPayloadBytes {
		a.ExecuteNnsFunction = &govdid.ExecuteNnsFunction{NnsFunction: a.ExecuteNnsFunction.NnsFunction, Payload: []byte{}}
	}
	return &a
}

// largePayload reports whether a listing of p differs from its full form.
func (p *proposal) largePayload() bool {
	e := p.action.ExecuteNnsFunction
	return e != nil && len(e.Payload) > maxListingPayloadBytes
}

// callerBallots returns the ballots of the given neurons (ascending) that
// p still holds.
func callerBallots(p *proposal, neurons []uint64) []ballotEntry {
	out := []ballotEntry{}
	for _, nid := range neurons {
		if b := p.ballot(nid); b != nil {
			out = append(out, ballotEntry{Field0: nid, Field1: govdid.Ballot{Vote: b.vote, VotingPower: b.vp}})
		}
	}
	return out
}

// encoded returns p's cached encoding at now, rebuilding it when p changed
// or its reward status moved on with time. Callers hold at least the read
// lock; concurrent rebuilds store equal values.
func (g *Governance) encoded(p *proposal, now uint64) (*encodedInfo, error) {
	rs := p.rewardStatus(now)
	if e := p.cache.Load(); e != nil && e.rewardStatus == rs {
		return e, nil
	}
	c := sharedCodecs().info
	full := g.proposalInfo(p, nil, viewFull, now)
	e := &encodedInfo{rewardStatus: rs}
	var err error
	if e.fullPrefix, e.fullSuffix, err = c.parts(&full); err != nil {
		return nil, err
	}
	e.listPrefix, e.listSuffix = e.fullPrefix, e.fullSuffix
	if p.largePayload() {
		list := g.proposalInfo(p, nil, viewListing, now)
		if e.listPrefix, e.listSuffix, err = c.parts(&list); err != nil {
			return nil, err
		}
	}
	p.cache.Store(e)
	return e, nil
}

// appendInfo appends the value encoding of p's ProposalInfo, with the
// ballots of the given neurons, displayed as v, to dst. The rare
// action-less view is encoded without the cache.
func (g *Governance) appendInfo(dst []byte, p *proposal, neurons []uint64, v view, now uint64) ([]byte, error) {
	var prefix, suffix []byte
	switch e, err := g.encoded(p, now); {
	case err != nil:
		return nil, err
	case v == viewFull:
		prefix, suffix = e.fullPrefix, e.fullSuffix
	case v == viewListing:
		prefix, suffix = e.listPrefix, e.listSuffix
	default:
		pi := g.proposalInfo(p, nil, v, now)
		if prefix, suffix, err = sharedCodecs().info.parts(&pi); err != nil {
			return nil, err
		}
	}
	dst = append(dst, prefix...)
	dst = sharedCodecs().info.appendBallots(dst, callerBallots(p, neurons))
	return append(dst, suffix...), nil
}
