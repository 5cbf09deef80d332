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

// VoteResult is the outcome of one neuron's vote.
type VoteResult struct {
	Neuron uint64 `json:"neuron"`
	// Outcome is "voted", "already voted" or "failed".
	Outcome string `json:"outcome"`
	Err     error  `json:"-"`
	// Error is Err as text, for JSON.
	Error string `json:"error,omitempty"`
}

// VoteMany votes with each neuron in turn. A neuron that had already voted
// is reported as such, not as a failure.
func (c *Client) VoteMany(ctx context.Context, neurons []uint64, proposal uint64, v Vote) []VoteResult {
	out := make([]VoteResult, 0, len(neurons))
	for _, n := range neurons {
		err := c.Vote(ctx, n, proposal, v)
		r := VoteResult{Neuron: n, Outcome: "voted"}
		switch {
		case errors.Is(err, ErrAlreadyVoted):
			r.Outcome = "already voted"
		case err != nil:
			r.Outcome, r.Err, r.Error = "failed", err, err.Error()
		}
		out = append(out, r)
	}
	return out
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
