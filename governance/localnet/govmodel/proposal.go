package govmodel

import (
	"sort"
	"sync/atomic"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// ProposalSeed is a proposal made before the model serves calls. It goes
// through the MakeProposal rules as if the proposer's controller sent it at
// Created; Votes are then registered in ascending neuron order, each as its
// neuron's controller (a neuron that already voted through following keeps
// that vote).
type ProposalSeed struct {
	Proposer uint64
	Created  time.Time
	Request  govdid.MakeProposalRequest
	Votes    map[uint64]int32
}

// minYesRatio is MIN_NUMBER_VOTES_FOR_PROPOSAL_RATIO: the quorum of yes
// votes at the deadline.
const minYesRatio = 0.03

// ballot is one neuron's ballot on a proposal.
type ballot struct {
	neuron uint64
	vote   int32
	vp     uint64
}

// execution is what an adopted proposal does.
type execution struct {
	motion   bool
	fn       int32
	payload  []byte
	install  bool
	canister principal.Principal
	mode     int32
	wasm     []byte
	arg      []byte
}

// proposal is the model's ProposalData.
type proposal struct {
	id         uint64
	proposer   uint64
	topic      int32
	created    uint64
	deadline   uint64 // wait-for-quiet current deadline
	title      string
	summary    string
	url        string
	action     govdid.Action
	exec       execution
	rejectCost uint64

	ballots           []ballot // ascending neuron id
	yes, no, total    uint64
	tallyAt           uint64
	tallied           bool
	potential         uint64
	decided, executed uint64
	failed            uint64
	failure           *govdid.GovernanceError
	rewardRound       uint64

	cache atomic.Pointer[encodedInfo]
}

// ballot returns the ballot of a neuron, or nil when it has none.
func (p *proposal) ballot(neuronID uint64) *ballot {
	i := sort.Search(len(p.ballots), func(i int) bool { return p.ballots[i].neuron >= neuronID })
	if i < len(p.ballots) && p.ballots[i].neuron == neuronID {
		return &p.ballots[i]
	}
	return nil
}

// changed drops the cached encodings after a mutation.
func (p *proposal) changed() { p.cache.Store(nil) }

// accepted reports whether the tally adopts the proposal: at least 3% of
// the total voting power voted yes and yes beats no (is_accepted with
// wait-for-quiet, which compares in f64 as governance does).
func (p *proposal) accepted() bool {
	return float64(p.yes) >= float64(p.total)*minYesRatio && p.yes > p.no
}

// status derives ProposalStatus from the timestamps (ProposalData::status).
func (p *proposal) status() int32 {
	switch {
	case p.decided == 0:
		return StatusOpen
	case !p.accepted():
		return StatusRejected
	case p.executed > 0:
		return StatusExecuted
	case p.failed > 0:
		return StatusFailed
	}
	return StatusAdopted
}

// rewardStatus derives ProposalRewardStatus at now.
func (p *proposal) rewardStatus(now uint64) int32 {
	switch {
	case p.rewardRound > 0:
		return RewardStatusSettled
	case now < p.deadline:
		return RewardStatusAcceptVotes
	}
	return RewardStatusReadyToSettle
}

// seedProposal submits one seed proposal and its votes.
func (g *Governance) seedProposal(s ProposalSeed) *govdid.GovernanceError {
	now := unixSeconds(s.Created)
	g.tick(now)
	n := g.neurons[s.Proposer]
	if n == nil {
		return neuronNotFound(s.Proposer)
	}
	req := s.Request
	id, gerr := g.makeProposal(s.Proposer, n.controller, &req, now, false)
	if gerr != nil {
		return gerr
	}
	voters := make([]uint64, 0, len(s.Votes))
	for v := range s.Votes {
		voters = append(voters, v)
	}
	for _, v := range sortIDs(voters) {
		gerr := g.registerVote(v, g.neurons[v].controllerOr(n.controller), id, s.Votes[v], now, false)
		if gerr != nil && gerr.ErrorType != ErrorNeuronAlreadyVoted {
			return gerr
		}
	}
	return nil
}

// controllerOr returns n's controller; a nil n yields fallback.
func (n *neuron) controllerOr(fallback principal.Principal) principal.Principal {
	if n == nil {
		return fallback
	}
	return n.controller
}

// makeProposal is manage_neuron MakeProposal for neuron id sent by caller.
// A dry run (simulate_manage_neuron) stops after the checks and returns the
// id the proposal would get.
func (g *Governance) makeProposal(id uint64, caller principal.Principal, req *govdid.MakeProposalRequest, now uint64, dry bool) (uint64, *govdid.GovernanceError) {
	v, gerr := validateProposal(req)
	if gerr != nil {
		return 0, gerr
	}
	n := g.neurons[id]
	switch {
	case n == nil:
		return 0, neuronNotFound(id)
	case !n.authorized(caller):
		return 0, govErr(ErrorNotAuthorized, "Caller not authorized to propose.")
	case n.stakeE8s() < g.cfg.RejectCostE8s:
		return 0, govErr(ErrorInsufficientFunds, "Neuron doesn't have enough minted stake to submit proposal: "+itoa(n.stakeE8s()))
	case n.dissolveDelay < uint64(g.cfg.MinDissolveDelayToPropose/time.Second):
		return 0, govErr(ErrorPreconditionFailed, "Neuron's dissolve delay is too short.")
	}
	if dry {
		return uint64(len(g.proposals)) + 1, nil
	}
	n.fees += g.cfg.RejectCostE8s
	p := &proposal{
		id:         uint64(len(g.proposals)) + 1,
		proposer:   id,
		topic:      v.topic,
		created:    now,
		deadline:   now + uint64(g.cfg.VotingPeriod/time.Second),
		title:      *req.Title,
		summary:    req.Summary,
		url:        req.Url,
		action:     v.action,
		exec:       v.exec,
		rejectCost: g.cfg.RejectCostE8s,
	}
	g.fillBallots(p, now)
	g.proposals = append(g.proposals, p)
	g.held++
	g.open = append(g.open, p.id)
	g.unsettled = append(g.unsettled, p.id)
	g.vote(p, id, VoteYes, now)
	return p.id, nil
}

// fillBallots snapshots the eligible neurons and their voting power.
func (g *Governance) fillBallots(p *proposal, now uint64) {
	minDelay := uint64(g.cfg.MinDissolveDelayToVote / time.Second)
	for _, nid := range g.neuronIDs {
		n := g.neurons[nid]
		vp := n.votingPower(now)
		if n.dissolveDelay < minDelay || vp == 0 {
			continue
		}
		p.ballots = append(p.ballots, ballot{neuron: nid, vp: vp})
		p.total += vp
	}
	p.potential = p.total
}

// registerVote is manage_neuron RegisterVote, with governance's checks in
// governance's order; a dry run only checks.
func (g *Governance) registerVote(nid uint64, caller principal.Principal, pid uint64, vote int32, now uint64, dry bool) *govdid.GovernanceError {
	n := g.neurons[nid]
	if n == nil {
		return neuronNotFound(nid)
	}
	if !n.authorized(caller) {
		return govErr(ErrorNotAuthorized, "Caller is not authorized to vote for neuron.")
	}
	p := g.proposal(pid)
	switch {
	case p == nil:
		return govErr(ErrorNotFound, "Can't find proposal.")
	case vote != VoteYes && vote != VoteNo:
		return govErr(ErrorPreconditionFailed, "Invalid vote specified.")
	case now >= p.deadline:
		return govErr(ErrorPreconditionFailed, "Proposal deadline has passed.")
	}
	b := p.ballot(nid)
	if b == nil {
		return govErr(ErrorNotAuthorized, "Neuron not authorized to vote on proposal.")
	}
	if b.vote != VoteUnspecified {
		return govErr(ErrorNeuronAlreadyVoted, "Neuron already voted on proposal.")
	}
	if dry {
		return nil
	}
	g.vote(p, nid, vote, now)
	return nil
}

// vote casts a vote with its follow cascade, then updates the tally,
// wait-for-quiet and the decision.
func (g *Governance) vote(p *proposal, nid uint64, vote int32, now uint64) {
	oldYes, oldNo := p.yes, p.no
	g.castVote(p, nid, vote)
	if p.tallied && (p.yes != oldYes || p.no != oldNo) {
		g.waitForQuiet(p, oldYes, oldNo, now)
	}
	if !p.tallied || p.yes != oldYes || p.no != oldNo {
		p.tallied = true
		p.tallyAt = now
	}
	p.changed()
	g.process(p, now)
}

// castVote sets the ballot of nid and, transitively, of every follower whose
// followees now decide its vote (cast_vote_and_cascade_follow).
func (g *Governance) castVote(p *proposal, nid uint64, vote int32) {
	induction := []ballot{{neuron: nid, vote: vote}}
	for len(induction) > 0 {
		var candidates []uint64
		for _, iv := range induction {
			b := p.ballot(iv.neuron)
			if b == nil || b.vote != VoteUnspecified {
				continue
			}
			b.vote = iv.vote
			if iv.vote == VoteYes {
				p.yes += b.vp
			} else {
				p.no += b.vp
			}
			g.neurons[iv.neuron].recordBallot(p.id, iv.vote)
			candidates = append(candidates, g.followers[p.topic][iv.neuron]...)
			candidates = append(candidates, g.followers[TopicUnspecified][iv.neuron]...)
		}
		induction = induction[:0]
		for _, f := range sortIDs(candidates) {
			if v := g.neurons[f].wouldFollow(p); v != VoteUnspecified {
				induction = append(induction, ballot{neuron: f, vote: v})
			}
		}
	}
}

// wouldFollow is the vote n's followees dictate on p: yes with a strict
// majority of yes, no once yes can no longer win, otherwise unspecified.
// Without followees on the topic the catch-all topic applies, except on
// Governance, SnsAndCommunityFund and NeuronManagement.
func (n *neuron) wouldFollow(p *proposal) int32 {
	fs := n.followees[p.topic]
	if len(fs) == 0 && p.topic != TopicGovernance && p.topic != TopicSnsAndCommunityFund && p.topic != TopicNeuronManagement {
		fs = n.followees[TopicUnspecified]
	}
	if len(fs) == 0 {
		return VoteUnspecified
	}
	var yes, no int
	for _, f := range fs {
		if b := p.ballot(f); b != nil {
			switch b.vote {
			case VoteYes:
				yes++
			case VoteNo:
				no++
			}
		}
	}
	switch {
	case 2*yes > len(fs):
		return VoteYes
	case 2*no >= len(fs):
		return VoteNo
	}
	return VoteUnspecified
}

// waitForQuiet extends the deadline when the leading side flipped
// (evaluate_wait_for_quiet): to now + W + (period - elapsed)/2, never
// shortening it; the extension vanishes at elapsed = period + 2W.
func (g *Governance) waitForQuiet(p *proposal, oldYes, oldNo, now uint64) {
	if p.decided != 0 || now > p.deadline || (oldYes > oldNo) == (p.yes > p.no) {
		return
	}
	w := uint64(g.cfg.WaitForQuietIncrease / time.Second)
	period := uint64(g.cfg.VotingPeriod / time.Second)
	margin := sub(w+period/2, sub(now, p.created)/2)
	if now+margin > p.deadline {
		p.deadline = now + margin
	}
}

// process decides an open proposal when it can be decided and executes it
// when adopted (process_proposal).
func (g *Governance) process(p *proposal, now uint64) {
	if p.decided != 0 {
		return
	}
	absoluteYes := p.yes > p.total-p.yes
	absoluteNo := p.no >= p.total-p.no
	if !absoluteYes && !absoluteNo && now < p.deadline {
		return
	}
	p.decided = now
	g.open = removeSorted(g.open, p.id)
	if p.accepted() {
		if n := g.neurons[p.proposer]; n != nil && n.fees >= p.rejectCost {
			n.fees -= p.rejectCost
		}
		g.execute(p, now)
	}
	p.changed()
}

// execute runs an adopted proposal through the Executor.
func (g *Governance) execute(p *proposal, now uint64) {
	var err error
	if ex := g.cfg.Executor; ex != nil {
		at := time.Unix(int64(now), 0).UTC()
		switch {
		case p.exec.install:
			err = ex.InstallCode(p.exec.canister, p.exec.mode, p.exec.wasm, p.exec.arg, at)
		case !p.exec.motion:
			err = ex.ExecuteNnsFunction(p.exec.fn, p.exec.payload, at)
		}
	}
	if err != nil {
		p.failed = now
		p.failure = govErr(ErrorExternal, err.Error())
		return
	}
	p.executed = now
}

// distributeRewards runs the reward event of the latest round boundary
// passed: proposals whose deadline passed by then are settled and their
// ballots cleared.
func (g *Governance) distributeRewards(now uint64) {
	period := uint64(g.cfg.RewardPeriod / time.Second)
	if now < g.genesis || period == 0 {
		return
	}
	round := (now - g.genesis) / period
	if round <= g.rewardRound {
		return
	}
	g.rewardRound = round
	eventAt := g.genesis + round*period
	keep := g.unsettled[:0]
	for _, id := range g.unsettled {
		p := g.proposals[id-1]
		if p.decided == 0 || p.deadline > eventAt {
			keep = append(keep, id)
			continue
		}
		p.rewardRound = round
		p.ballots = nil
		p.changed()
	}
	g.unsettled = keep
}

// neuronNotFound is governance's NeuronStoreError::NeuronNotFound, which
// prints the id in its Rust Debug form.
func neuronNotFound(id uint64) *govdid.GovernanceError {
	return govErr(ErrorNotFound, "Neuron not found: NeuronId { id: "+itoa(id)+" }")
}

// govErr builds a GovernanceError.
func govErr(typ int32, msg string) *govdid.GovernanceError {
	return &govdid.GovernanceError{ErrorType: typ, ErrorMessage: msg}
}
