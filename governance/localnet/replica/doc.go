// Package replica is the protocol half of the embedded local NNS network: an
// HTTP server that speaks the IC HTTP interface (CBOR envelopes,
// representation-independent request ids, sender signatures, BLS-certified
// state trees, node-signed query answers) and dispatches decoded calls to
// hosted Canister models. It knows nothing about governance or the registry.
//
// # Endpoints
//
// Handler serves GET /api/v2/status; POST /api/{v2,v3,v4}/canister/<id>/call
// (v3/v4 answer 200 {status: "replied", certificate} once the call is
// certified, or 202 in async mode or after 10 s; v2 always answers 202);
// POST /api/{v2,v3}/canister/<id>/query; and POST
// /api/{v2,v3}/{canister,subnet}/<id>/read_state. Unknown canisters and
// methods get certified rejects (code 3), never HTTP 404, because the JS
// agent reads a 404 on v4 as "v4 unsupported".
//
// # Authentication
//
// Senders may be anonymous (no key or signature allowed), ed25519, ECDSA
// P-256 or ECDSA secp256k1 (low-S only), optionally through a
// sender_delegation chain. ingress_expiry must lie within five minutes (plus
// 30 s drift) of REAL time, whatever the network's clock says, so agents
// that stamp requests from their own clock keep working after the virtual
// clock moves; an expiry in the same window of the network's clock is
// accepted too, for agents that synced their clock to the certified /time
// (the JS agent does). Refusals are
// HTTP 400 (403 for reading another sender's request status) with a
// replica's wording, e.g. "Invalid request expiry: ...", which the JS agent
// keys off to resync its clock.
//
// # Certified state
//
// The state tree holds /canister/<id>/certified_data (for canisters
// implementing CertifiedDataProvider), /canister_ranges/<S>/<shard>,
// /request_status/<id>/{status, reply | reject_code, reject_message,
// error_code}, /subnet/<S>/{canister_ranges, node/<n>/public_key,
// public_key} and /time, where S is self-authenticating from the root key
// (the subnet id the JS agents assume without a delegation). The /subnet and
// /canister_ranges entries are also published under the mainnet NNS subnet id
// tdb26-…, because agent-go v0.9.2 looks node keys up there when a
// certificate has no delegation; this alias was chosen over a delegation
// because it keeps one signing key and one certificate shape.
//
// Certificates are made in rounds, as a replica makes one per block: every
// change that happened before a round starts is covered by that round's one
// BLS signature, and each response carries a witness (a pruned tree with the
// same root hash) revealing only its paths, with neighbour labels kept so
// that absence is provable. A read_state is answered from the latest round if
// it reflects every change so far and is at most one second old by the
// network clock; otherwise it waits for the next round.
//
// # Time, history, concurrency
//
// Certified /time and Call.Now come from the clock given to WithClock. The
// ingress history keeps request statuses for DefaultHistoryRetention and at
// most DefaultHistorySize entries (WithHistory changes both). Queries run
// concurrently; update calls to one canister run one at a time in arrival
// order on that canister's executor.
//
// WithBadRootKey makes the advertised root key differ from the signing key,
// so every verifying client fails: tests use it to prove verification is on.
package replica
