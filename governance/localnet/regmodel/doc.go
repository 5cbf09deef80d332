// Package regmodel is a deterministic model of the NNS registry canister
// (rwlgt-iiaaa-aaaaa-aaaaa-cai) for the embedded local network.
//
// The registry is a versioned key/value store whose values are protobuf
// records. Every mutation batch gets the next registry version and is kept in
// a changelog, so reads at an older version, get_changes_since and
// get_certified_changes_since answer as the real canister does: HighCapacity
// replies with timestamp_nanoseconds, pages of at most 1000 versions and
// about 2/3 of 2 MiB, values of 10,000 bytes or more as chunk keys served by
// get_chunk. The changelog is also the registry's certified data: a hash tree
//
//	current_version -> LEB128(latest version)
//	delta -> <8-byte big-endian version> -> HighCapacityRegistryAtomicMutateRequest bytes
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
