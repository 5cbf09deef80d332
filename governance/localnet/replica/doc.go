// Package replica is the protocol half of the embedded local NNS network: an
// HTTP server that speaks the IC HTTP interface (CBOR envelopes,
// representation-independent request ids, sender signatures, BLS-certified
// state trees, node-signed query answers) and dispatches decoded calls to
// hosted Canister models. It knows nothing about governance or the registry.
package replica
