package govmodel

import (
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// ballotEntry is one element of ProposalInfo.ballots.
type ballotEntry = struct {
	Field0 uint64        `ic:"0,tuple" json:"0"`
	Field1 govdid.Ballot `ic:"1,tuple" json:"1"`
}

// proposalInfo builds the ProposalInfo of p at now with the ballots of the
// given neurons (the caller's). A listing drops ExecuteNnsFunction payloads
// over 1000 bytes, as list_proposals does.
func (g *Governance) proposalInfo(p *proposal, neurons []uint64, listing bool, now uint64) govdid.ProposalInfo {
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
			Action:  listedAction(p.action, listing),
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

// listedAction returns a copy of the stored action, without the payload of
// an ExecuteNnsFunction over the listing limit when listing.
func listedAction(a govdid.Action, listing bool) *govdid.Action {
	if listing && a.ExecuteNnsFunction != nil && len(a.ExecuteNnsFunction.Payload) > maxListingPayloadBytes {
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
	full := g.proposalInfo(p, nil, false, now)
	e := &encodedInfo{rewardStatus: rs}
	var err error
	if e.fullPrefix, e.fullSuffix, err = c.parts(&full); err != nil {
		return nil, err
	}
	e.listPrefix, e.listSuffix = e.fullPrefix, e.fullSuffix
	if p.largePayload() {
		list := g.proposalInfo(p, nil, true, now)
		if e.listPrefix, e.listSuffix, err = c.parts(&list); err != nil {
			return nil, err
		}
	}
	p.cache.Store(e)
	return e, nil
}

// appendInfo appends the value encoding of p's ProposalInfo, with the
// ballots of the given neurons, to dst.
func (g *Governance) appendInfo(dst []byte, p *proposal, neurons []uint64, listing bool, now uint64) ([]byte, error) {
	e, err := g.encoded(p, now)
	if err != nil {
		return nil, err
	}
	prefix, suffix := e.fullPrefix, e.fullSuffix
	if listing {
		prefix, suffix = e.listPrefix, e.listSuffix
	}
	dst = append(dst, prefix...)
	dst = sharedCodecs().info.appendBallots(dst, callerBallots(p, neurons))
	return append(dst, suffix...), nil
}
