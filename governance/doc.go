// Package governance is the NNS as a client sees it. It resolves networks
// (mainnet, the local network, any URL with an explicit root key) and
// identities (dfx and icp-cli names, PEM files), reads proposals, tallies
// and the registry, and submits proposals and votes through agent-go.
//
// Every answer is verified: query replies carry node signatures checked
// against the certified subnet keys, and the certificate of an update call
// is checked against the network's root key before its reply is used
// (agent-go v0.9.2 does not verify a synchronous call's certificate, so the
// Client builds and verifies those requests itself). A certificate more
// than MaxCertificateAhead ahead of local time is refused unless the
// network's root key was fetched from it (a local network's virtual clock).
//
// Root keys are fetched from a network only at loopback addresses or on an
// explicit "fetch"; mainnet (Network.IsMainnet: the name ic, a mainnet host
// or the IC's root key) always uses the built-in key.
//
// The tally math (early decision, 3% quorum, wait-for-quiet deadlines) is
// pure and lives here too, so the CLI, the TUI and the rollout tracker agree
// on what a vote means.
package governance
