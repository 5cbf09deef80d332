// Package govmodel is the local network's model of the NNS governance
// canister (rrkah-fqaaa-aaaaa-aaaaq-cai). It speaks the canister's real Candid
// interface (the generated types of governance/govdid) through the
// replica.Canister seam: manage_neuron (MakeProposal, RegisterVote, Follow,
// SetFollowing, RefreshVotingPower), simulate_manage_neuron, get_proposal_info, list_proposals,
// get_pending_proposals, get_neuron_info, get_full_neuron, list_neurons,
// get_network_economics_parameters and get_build_metadata. Every other method of governance.did is reported as not
// exported, so the replica rejects it as it rejects any unknown method.
//
// The model follows the NNS rules that matter to a release manager: proposal
// validation and its error messages, the reject cost charged to the proposer's
// neuron, ballots snapshotted at submission, following (with the catch-all
// topic), early decision by absolute majority, the 3% quorum at the deadline,
// wait-for-quiet deadline extensions, execution through an Executor, reward
// settlement, the listing filters and periodic confirmation (voting power
// that decays without a refresh).
//
// The model is an oracle: it keeps its own notion of NNS function ids and
// topics and never imports the project's proposals package.
//
// Determinism: the state is a pure function of the Config, the Seed, the
// sequence of Execute calls (with their Call.Now) and the sequence of Tick
// calls. No wall clock, no randomness and no map iteration order reaches any
// output, so the local network can persist itself by replaying a log.
package govmodel
