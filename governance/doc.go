// Package governance is the NNS as a client sees it. It resolves networks
// (mainnet, the local network, any URL with an explicit root key, and the
// networks of dfx's networks.json and dfx.json) and identities (dfx and
// icp-cli names, PEM files, keys in PKCS#11 tokens), reads proposals,
// tallies, neurons and the registry, and submits proposals, votes and
// neuron updates (following, voting-power refresh) through agent-go.
//
// Key custody: password-protected dfx identities and encrypted PKCS#8
// files are decrypted in memory with a password from the caller's
// SecretFunc (the library never prompts or reads the terminal itself);
// ECDSA P-256 keys in a PKCS#11 token (crypto11, behind the cgo build tag)
// sign inside the token and look to the IC exactly like agent-go's P-256
// identity. Failures are typed (ErrNoSecret, ErrWrongPassword, HSMError
// with ErrHSMPIN, ErrHSMToken, ErrHSMKeyType, ...) for the CLI to map.
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
// Identical writes are serialized across processes (WriteLocker): with
// Options.WriteLocks, LockWrite takes a file lock named by the network and
// the write (ProposalKey, VoteKey, SendKey); callers hold it from
// preflight's twin search to MakeProposal, so two runs submitting the same
// action make one proposal. Preflight also fails the unelection of a
// version that an open or adopted deploy proposal targets.
//
// The registry is read from a synced store (package registrystore, one
// directory per network root key under Options.RegistryCache, or memory):
// Registry, RegistryLog and ChangesSince first fetch only the versions the
// store lacks with get_certified_changes_since, each page verified against
// the NNS certificate (certified_data equals the witness's root; versions
// consecutive), chunked values fetched with get_chunk and checked against
// their SHA-256. Registry decodes the store's latest-value snapshot without
// loading the changelog; RegistryLog loads the changelog once per Client.
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
