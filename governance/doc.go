// Package governance is the NNS as a client sees it. It resolves networks
// (mainnet, the local network, any URL with an explicit root key) and
// identities (dfx and icp-cli names, PEM files), reads proposals, tallies,
// neurons and the registry, and submits proposals, votes and neuron
// updates (following, voting-power refresh) through agent-go.
//
// Every answer is verified: query replies carry node signatures checked
// against the certified subnet keys, and the certificate of an update call
// is checked against the network's root key before its reply is used
// (agent-go v0.9.2 does not verify a synchronous call's certificate, so the
// Client builds and verifies those requests itself).
//
// Replies are read with Candid's subtyping: an Action arm newer than the
// pinned governance.did decodes without failing a listing, named when
// nnspatch knows it (UpdateStandardEngineReplicaVersion) and otherwise
// "unknown (#<hash>)"; a subnet type newer than this build is "unknown (<n>)".
//
// The tally math (early decision, 3% quorum, wait-for-quiet deadlines) is
// pure and lives here too, so the CLI, the TUI and the rollout tracker agree
// on what a vote means.
package governance
