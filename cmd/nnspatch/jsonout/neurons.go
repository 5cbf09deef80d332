package jsonout

import (
	"time"

	"github.com/nnspatch/nnspatch/governance"
)

// NeuronList is printed by `nnspatch neuron list --json`.
type NeuronList struct {
	Envelope
	// Network is the network name.
	Network string `json:"network"`
	// Now is the network's time the refresh timelines are measured at.
	Now time.Time `json:"now"`
	// Neurons are the caller's neurons (controller or hot key), ascending.
	Neurons []Neuron `json:"neurons"`
}

// NeuronShow is printed by `nnspatch neuron show --json`.
type NeuronShow struct {
	Envelope
	// Network is the network name.
	Network string `json:"network"`
	// Now is the network's time the refresh timeline is measured at.
	Now time.Time `json:"now"`
	// Neuron is the neuron; the full record only for its controller and
	// hot keys (full is false otherwise and followees are absent).
	Neuron Neuron `json:"neuron"`
}

// Neuron is one neuron with its periodic-confirmation timeline. Voting
// power fields are voting power, not ICP; stake_e8s is ICP in e8s. state
// is a name: not_dissolving, dissolving, dissolved or spawning.
type Neuron struct {
	governance.Neuron
	// VotingPowerRefresh says whether the voting power is current,
	// decaying or lapsed, and when it starts to decay and reaches zero.
	VotingPowerRefresh governance.Refresh `json:"voting_power_refresh"`
}

// NeuronUpdate is printed by `nnspatch neuron follow --json` and
// `nnspatch neuron refresh-voting-power --json`.
type NeuronUpdate struct {
	Envelope
	// Command is "follow" or "refresh-voting-power".
	Command string `json:"command"`
	// Topics are the topic names a follow set (follow only).
	Topics []string `json:"topics,omitempty"`
	// Followees are the neurons now followed on Topics (follow only; empty
	// when following was cleared).
	Followees []uint64 `json:"followees,omitempty"`
	// Results has one entry per neuron, in the order given.
	Results []NeuronResult `json:"results"`
}

// NeuronResult is the outcome of one neuron's update.
type NeuronResult struct {
	Neuron uint64 `json:"neuron"`
	// Outcome is "done" or "failed".
	Outcome string `json:"outcome"`
	// Error is the failure, when Outcome is "failed".
	Error string `json:"error,omitempty"`
}

// ProposalWait is printed by `nnspatch proposal wait --json`.
type ProposalWait struct {
	Envelope
	// Proposal is the proposal id.
	Proposal uint64 `json:"proposal"`
	// Status is the last status read: open, adopted, executed, rejected or
	// failed.
	Status string `json:"status"`
	// Decided reports whether the proposal is decided (Status is final).
	Decided bool `json:"decided"`
	// TimedOut reports that --timeout ran out (by the network's clock)
	// before the proposal was decided.
	TimedOut bool `json:"timed_out"`
	// Now is the network time of the last read.
	Now time.Time `json:"now"`
}
