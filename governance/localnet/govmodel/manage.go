package govmodel

import (
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// proposalCreatedMessage is MakeProposalResponse.message on success.
const proposalCreatedMessage = "The proposal has been created successfully."

// manageNeuron handles manage_neuron.
func (g *Governance) manageNeuron(call replica.Call, now uint64) ([]byte, error) {
	var req govdid.ManageNeuronRequest
	if err := decodeArg(call.Arg, &req); err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.tick(now)
	cmd := g.manage(&req, call.Caller, now, false)
	g.mu.Unlock()
	return sharedCodecs().manageNeuron.encode(govdid.ManageNeuronResponse{Command: cmd})
}

// simulateManageNeuron handles simulate_manage_neuron: the same checks and
// response as manage_neuron, without the effects (a MakeProposal answers
// the id the proposal would get).
func (g *Governance) simulateManageNeuron(call replica.Call, now uint64) ([]byte, error) {
	var req govdid.ManageNeuronRequest
	if err := decodeArg(call.Arg, &req); err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.tick(now)
	cmd := g.manage(&req, call.Caller, now, true)
	g.mu.Unlock()
	return sharedCodecs().manageNeuron.encode(govdid.ManageNeuronResponse{Command: cmd})
}

// manage runs one manage_neuron command and returns its response command;
// a dry run checks without changing state.
func (g *Governance) manage(req *govdid.ManageNeuronRequest, caller principal.Principal, now uint64, dry bool) *govdid.Command1 {
	n, gerr := g.resolveNeuron(req)
	if gerr != nil {
		return &govdid.Command1{Error: gerr}
	}
	c := req.Command
	switch {
	case c == nil:
		return &govdid.Command1{Error: govErr(ErrorInvalidCommand, "No command specified.")}
	case c.MakeProposal != nil:
		id, gerr := g.makeProposal(n.id, caller, c.MakeProposal, now, dry)
		if gerr != nil {
			return &govdid.Command1{Error: gerr}
		}
		msg := proposalCreatedMessage
		return &govdid.Command1{MakeProposal: &govdid.MakeProposalResponse{
			Message: &msg, ProposalId: &govdid.ProposalId{Id: id},
		}}
	case c.RegisterVote != nil:
		if c.RegisterVote.Proposal == nil {
			return &govdid.Command1{Error: govErr(ErrorPreconditionFailed, "Vote must include a proposal id.")}
		}
		if gerr := g.registerVote(n.id, caller, c.RegisterVote.Proposal.Id, c.RegisterVote.Vote, now, dry); gerr != nil {
			return &govdid.Command1{Error: gerr}
		}
		if !dry {
			n.refreshVotingPower(now) // voting directly refreshes (register_vote)
			g.schedulePrune(n)
		}
		return &govdid.Command1{RegisterVote: &struct{}{}}
	case c.Follow != nil:
		if gerr := g.follow(n, caller, c.Follow.Topic, c.Follow.Followees, now, dry); gerr != nil {
			return &govdid.Command1{Error: gerr}
		}
		return &govdid.Command1{Follow: &struct{}{}}
	case c.SetFollowing != nil:
		if gerr := g.setFollowing(n, caller, c.SetFollowing, now, dry); gerr != nil {
			return &govdid.Command1{Error: gerr}
		}
		return &govdid.Command1{SetFollowing: &govdid.SetFollowingResponse{}}
	case c.RefreshVotingPower != nil:
		if gerr := g.refreshCommand(n, caller, now, dry); gerr != nil {
			return &govdid.Command1{Error: gerr}
		}
		return &govdid.Command1{RefreshVotingPower: &govdid.RefreshVotingPowerResponse{}}
	}
	return &govdid.Command1{Error: govErr(ErrorInvalidCommand,
		"This manage_neuron command is not supported by the local network's governance model; "+
			"use MakeProposal, RegisterVote, Follow, SetFollowing or RefreshVotingPower.")}
}

// resolveNeuron finds the neuron a manage_neuron request addresses, by
// neuron_id_or_subaccount or the deprecated id field.
func (g *Governance) resolveNeuron(req *govdid.ManageNeuronRequest) (*neuron, *govdid.GovernanceError) {
	var n *neuron
	switch s := req.NeuronIdOrSubaccount; {
	case s != nil && s.NeuronId != nil:
		n = g.neurons[s.NeuronId.Id]
		if n == nil {
			return nil, neuronNotFound(s.NeuronId.Id)
		}
	case s != nil && s.Subaccount != nil:
		if n = g.neuronBySubaccount(*s.Subaccount); n == nil {
			return nil, govErr(ErrorNotFound, fmt.Sprintf("Neuron not found for subaccount %x", *s.Subaccount))
		}
	case req.Id != nil:
		n = g.neurons[req.Id.Id]
		if n == nil {
			return nil, neuronNotFound(req.Id.Id)
		}
	default:
		return nil, govErr(ErrorInvalidCommand, "No neuron ID specified in the request to manage_neuron.")
	}
	return n, nil
}

// follow replaces n's followees on topic (an empty list clears them).
func (g *Governance) follow(n *neuron, caller principal.Principal, topic int32, followees []govdid.NeuronId, now uint64, dry bool) *govdid.GovernanceError {
	if gerr := checkFollow(n, caller, topic, followees); gerr != nil || dry {
		return gerr
	}
	g.setFollowees(n, topic, neuronIDs(followees))
	n.refreshVotingPower(now) // setting following refreshes
	g.schedulePrune(n)
	return nil
}

// setFollowing applies SetFollowing: every topic is checked before any
// change is made.
func (g *Governance) setFollowing(n *neuron, caller principal.Principal, s *govdid.SetFollowing, now uint64, dry bool) *govdid.GovernanceError {
	var entries []govdid.FolloweesForTopic
	if s.TopicFollowing != nil {
		entries = *s.TopicFollowing
	}
	seen := map[int32]bool{}
	for _, e := range entries {
		if e.Topic == nil {
			return govErr(ErrorInvalidCommand, "SetFollowing: every entry needs a topic.")
		}
		if seen[*e.Topic] {
			return govErr(ErrorInvalidCommand, fmt.Sprintf("SetFollowing: topic %d appears more than once.", *e.Topic))
		}
		seen[*e.Topic] = true
		var followees []govdid.NeuronId
		if e.Followees != nil {
			followees = *e.Followees
		}
		if gerr := checkFollow(n, caller, *e.Topic, followees); gerr != nil {
			return gerr
		}
	}
	if dry {
		return nil
	}
	for _, e := range entries {
		var ids []uint64
		if e.Followees != nil {
			ids = neuronIDs(*e.Followees)
		}
		g.setFollowees(n, *e.Topic, ids)
	}
	n.refreshVotingPower(now) // setting following refreshes
	g.schedulePrune(n)
	return nil
}

// checkFollow checks, in governance's order, the caller's right to change
// n's following, the size of a followee list and its topic.
func checkFollow(n *neuron, caller principal.Principal, topic int32, followees []govdid.NeuronId) *govdid.GovernanceError {
	switch {
	case !n.authorized(caller):
		return govErr(ErrorNotAuthorized, "Caller is not authorized to manage following of neuron.")
	case len(followees) > maxFollowees:
		return govErr(ErrorInvalidCommand, "Too many followees.")
	case topic < 0 || topic > maxTopic:
		return govErr(ErrorInvalidCommand, "Not a known topic number. Follow:\n"+debugFollow(topic, followees))
	}
	return nil
}

// debugFollow renders a Follow request as Rust's pretty Debug format ({:#?}),
// which governance appends to its unknown-topic error.
func debugFollow(topic int32, followees []govdid.NeuronId) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Follow {\n    topic: %d,\n    followees: [", topic)
	if len(followees) > 0 {
		b.WriteString("\n")
		for _, f := range followees {
			fmt.Fprintf(&b, "        NeuronId {\n            id: %d,\n        },\n", f.Id)
		}
		b.WriteString("    ")
	}
	b.WriteString("],\n}")
	return b.String()
}

// neuronIDs converts NeuronIds to plain ids, keeping order.
func neuronIDs(ids []govdid.NeuronId) []uint64 {
	out := make([]uint64, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.Id)
	}
	return out
}
