// Package regmodel is a deterministic model of the NNS registry canister
// (rwlgt-iiaaa-aaaaa-aaaaa-cai) for the embedded local network.
//
// The registry is a versioned key/value store whose values are protobuf
// records. Every mutation batch gets the next registry version and is kept in
// a changelog, so reads at an older version, get_changes_since and
// get_certified_changes_since answer exactly as the real canister does. The
// changelog is also the registry's certified data: a hash tree
//
//	current_version -> LEB128(latest version)
//	delta -> <8-byte big-endian version> -> RegistryAtomicMutateRequest bytes
//
// whose root hash the replica publishes at /canister/<id>/certified_data.
//
// Mutations come only from NNS functions executed by governance
// (ExecuteNnsFunction) with the registry's own checks and panic messages, and
// each one is atomic: a rejected function leaves the store and its version
// untouched.
//
// The model is an oracle: it never imports the proposals package and decodes
// the Candid payloads with its own types written from the registry's
// interface. Its state is a pure function of the Seed and the sequence of
// calls with their times; it never reads the wall clock.
package regmodel
