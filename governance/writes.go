package governance

import (
	"context"
	"errors"
	"fmt"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// ManageNeuronRequest wraps a command for neuron.
func ManageNeuronRequest(neuron uint64, cmd govdid.ManageNeuronCommandRequest) govdid.ManageNeuronRequest {
	return govdid.ManageNeuronRequest{
		NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{NeuronId: &govdid.NeuronId{Id: neuron}},
		Command:              &cmd,
	}
}

// MakeProposalCommand is the manage_neuron request that submits req.
func MakeProposalCommand(neuron uint64, req govdid.MakeProposalRequest) govdid.ManageNeuronRequest {
	return ManageNeuronRequest(neuron, govdid.ManageNeuronCommandRequest{MakeProposal: &req})
}

// VoteCommand is the manage_neuron request that votes v on proposal.
func VoteCommand(neuron, proposal uint64, v Vote) govdid.ManageNeuronRequest {
	return ManageNeuronRequest(neuron, govdid.ManageNeuronCommandRequest{
		RegisterVote: &govdid.RegisterVote{Vote: int32(v), Proposal: &govdid.ProposalId{Id: proposal}},
	})
}

// ManageNeuron sends a manage_neuron update call and turns a
// GovernanceError answer into a *RejectedError.
func (c *Client) ManageNeuron(ctx context.Context, req govdid.ManageNeuronRequest) (*govdid.Command1, error) {
	var resp govdid.ManageNeuronResponse
	if err := c.callCandid(ctx, GovernanceCanister, "manage_neuron", []any{req}, []any{&resp}); err != nil {
		return nil, err
	}
	return commandResult(resp)
}

func commandResult(resp govdid.ManageNeuronResponse) (*govdid.Command1, error) {
	if resp.Command == nil {
		return nil, errors.New("governance answered manage_neuron without a command result")
	}
	if e := resp.Command.Error; e != nil {
		return nil, &RejectedError{ErrorType: e.ErrorType, Message: Sanitize(e.ErrorMessage)}
	}
	return resp.Command, nil
}

// MakeProposal submits req from neuron and returns the new proposal id.
func (c *Client) MakeProposal(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (uint64, error) {
	res, err := c.ManageNeuron(ctx, MakeProposalCommand(neuron, req))
	if err != nil {
		return 0, fmt.Errorf("make proposal with neuron %d: %w", neuron, err)
	}
	return proposalIDOf(res)
}

func proposalIDOf(res *govdid.Command1) (uint64, error) {
	if res.MakeProposal == nil || res.MakeProposal.ProposalId == nil {
		return 0, fmt.Errorf("governance answered MakeProposal without a proposal id (%s)", variantName(res))
	}
	return res.MakeProposal.ProposalId.Id, nil
}

// Vote registers v for neuron on proposal.
func (c *Client) Vote(ctx context.Context, neuron, proposal uint64, v Vote) error {
	if _, err := c.ManageNeuron(ctx, VoteCommand(neuron, proposal, v)); err != nil {
		return fmt.Errorf("vote %s on proposal %d with neuron %d: %w", v, proposal, neuron, err)
	}
	return nil
}

// The outcomes of one neuron's vote (VoteResult.Outcome).
const (
	// OutcomeVoted: the vote was cast and its certified reply verified.
	OutcomeVoted = "voted"
	// OutcomeAlreadyVoted: the neuron had already cast the same ballot
	// (for example through following).
	OutcomeAlreadyVoted = "already voted"
	// OutcomeConflict: the neuron had already cast a different ballot,
	// which stands (ballots cannot be changed).
	OutcomeConflict = "conflict"
	// OutcomeUnknown: the vote was sent but its reply could not be
	// verified, so it may or may not have been cast.
	OutcomeUnknown = "unknown"
	// OutcomeFailed: the vote was not cast.
	OutcomeFailed = "failed"
)

// VoteResult is the outcome of one neuron's vote.
type VoteResult struct {
	Neuron uint64 `json:"neuron"`
	// Outcome is one of the Outcome constants: "voted", "already voted",
	// "conflict", "unknown" or "failed".
	Outcome string `json:"outcome"`
	// Existing is the neuron's earlier ballot ("yes" or "no") when the
	// outcome is "already voted" or "conflict".
	Existing string `json:"existing,omitempty"`
	Err      error  `json:"-"`
	// Error is Err as text, for JSON.
	Error string `json:"error,omitempty"`
}

// BallotConflictError reports that a neuron had already voted differently
// on a proposal: its earlier ballot stands.
type BallotConflictError struct {
	Neuron, Proposal uint64
	// Existing is the ballot that stands; Wanted the one asked for.
	Existing, Wanted Vote
}

// Error implements error.
func (e *BallotConflictError) Error() string {
	return fmt.Sprintf("neuron %d had already voted %s on proposal %d; its ballot stands and cannot be changed to %s", e.Neuron, e.Existing, e.Proposal, e.Wanted)
}

// BallotUnreadableError reports that governance refused a vote as already
// cast, but the neuron's ballot could not be read to compare with the vote
// wanted: whether the ballot is the wanted one is unknown.
type BallotUnreadableError struct {
	Neuron, Proposal uint64
	Wanted           Vote
	// Err says why the ballot could not be read.
	Err error
}

// Error implements error.
func (e *BallotUnreadableError) Error() string {
	return fmt.Sprintf("governance says neuron %d already voted on proposal %d, but its ballot could not be read to compare with %s: %v",
		e.Neuron, e.Proposal, e.Wanted, e.Err)
}

// Unwrap returns why the ballot could not be read.
func (e *BallotUnreadableError) Unwrap() error { return e.Err }

// UnknownOutcomeError reports a write that was sent but whose reply could
// not be verified: it may have executed. Err is the verification failure.
type UnknownOutcomeError struct {
	// What is the write, e.g. "vote yes on proposal 12 with neuron 80".
	What string
	// Check says how to find out, e.g. "nnspatch proposal show 12".
	Check string
	Err   error
}

// Error implements error.
func (e *UnknownOutcomeError) Error() string {
	return fmt.Sprintf("%s was sent, but its reply could not be verified, so it may have executed; check with `%s` before retrying: %v", e.What, e.Check, e.Err)
}

// Unwrap returns the verification failure.
func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// VoteMany votes with each neuron in turn. A neuron that had already cast
// the same ballot is reported as such, not as a failure; one that had cast
// a different ballot is a conflict (BallotConflictError), and a vote whose
// reply failed verification is unknown (UnknownOutcomeError): it was sent.
func (c *Client) VoteMany(ctx context.Context, neurons []uint64, proposal uint64, v Vote) []VoteResult {
	out := make([]VoteResult, 0, len(neurons))
	for _, n := range neurons {
		err := c.Vote(ctx, n, proposal, v)
		r := VoteResult{Neuron: n, Outcome: OutcomeVoted}
		switch {
		case errors.Is(err, ErrAlreadyVoted):
			r = c.compareBallot(ctx, n, proposal, v)
		case errors.Is(err, ErrUntrusted):
			r.Outcome, r.Err = OutcomeUnknown, &UnknownOutcomeError{What: fmt.Sprintf("the vote %s on proposal %d with neuron %d", v, proposal, n),
				Check: fmt.Sprintf("nnspatch proposal show %d", proposal), Err: err}
		case err != nil:
			r.Outcome, r.Err = OutcomeFailed, err
		}
		if r.Err != nil {
			r.Error = r.Err.Error()
		}
		out = append(out, r)
	}
	return out
}

// compareBallot reads neuron's ballot on proposal after governance said it
// had already voted: the same ballot is "already voted", another one a
// conflict, and an unreadable one unknown.
func (c *Client) compareBallot(ctx context.Context, neuron, proposal uint64, v Vote) VoteResult {
	r := VoteResult{Neuron: neuron}
	p, err := c.GetProposal(ctx, proposal)
	if err == nil {
		for _, b := range p.Ballots {
			if b.Neuron != neuron || (b.Vote != VoteYes && b.Vote != VoteNo) {
				continue
			}
			r.Existing = b.Vote.String()
			if b.Vote == v {
				r.Outcome = OutcomeAlreadyVoted
				return r
			}
			r.Outcome, r.Err = OutcomeConflict, &BallotConflictError{Neuron: neuron, Proposal: proposal, Existing: b.Vote, Wanted: v}
			return r
		}
		err = fmt.Errorf("neuron %d has no yes or no ballot among the %d the proposal shows", neuron, len(p.Ballots))
	}
	r.Outcome, r.Err = OutcomeUnknown, &BallotUnreadableError{Neuron: neuron, Proposal: proposal, Wanted: v, Err: err}
	return r
}

// NeuronControl says how the caller relates to a neuron.
type NeuronControl struct {
	Neuron     uint64 `json:"neuron"`
	Controller bool   `json:"controller"`
	HotKey     bool   `json:"hotkey"`
	StakeE8s   uint64 `json:"stake_e8s"`
}

// Controls reports whether the caller may act for the neuron.
func (n NeuronControl) Controls() bool { return n.Controller || n.HotKey }

// Neuron reads neuron as the caller sees it. A neuron the caller neither
// controls nor holds a hotkey for yields ErrNeuronNotControlled.
func (c *Client) Neuron(ctx context.Context, neuron uint64) (NeuronControl, error) {
	var resp govdid.ListNeuronsResponse
	req := govdid.ListNeurons{NeuronIds: []uint64{neuron}}
	if err := c.queryCandid(ctx, GovernanceCanister, "list_neurons", []any{req}, []any{&resp}); err != nil {
		return NeuronControl{}, fmt.Errorf("read neuron %d: %w", neuron, err)
	}
	me := c.Sender()
	for _, fn := range resp.FullNeurons {
		if fn.Id == nil || fn.Id.Id != neuron {
			continue
		}
		nc := NeuronControl{Neuron: neuron, Controller: fn.Controller != nil && fn.Controller.Equal(me)}
		for _, hk := range fn.HotKeys {
			nc.HotKey = nc.HotKey || hk.Equal(me)
		}
		if fn.CachedNeuronStakeE8s > fn.NeuronFeesE8s {
			nc.StakeE8s = fn.CachedNeuronStakeE8s - fn.NeuronFeesE8s
		}
		if nc.Controls() {
			return nc, nil
		}
	}
	return NeuronControl{Neuron: neuron}, fmt.Errorf("neuron %d as %s: %w", neuron, me.Encode(), ErrNeuronNotControlled)
}
