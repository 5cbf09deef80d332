// Package candidguard checks untrusted Candid messages before agent-go
// decodes them.
//
// agent-go v0.9.2's decoder (candid.Decode, candid.Unmarshal) trusts the
// message: it sizes slices from declared counts and lengths (a forged count
// is a fatal out-of-memory error), it recurses through values without a
// depth bound (a type such as record { R } where R is the record itself
// recurses until the Go stack limit kills the process) and it formats
// recursive types in some error messages without end. None of these can be
// caught with recover.
//
// Check walks a whole message as the Candid binary format defines it — the
// type table, the argument types and every value — and refuses it with an
// *UnsafeError (matching ErrUnsafe) unless every count and length fits in
// the bytes left, every type reference is valid, values nest at most
// Limits.MaxDepth deep and the number of values stays proportional to the
// message size, which bounds what agent-go allocates for it. Unmarshal
// checks a message and then decodes it with candid.Unmarshal, returning
// errors whose text never formats a decoded type.
//
// DefaultLimits suit replies and arguments of the governance canister,
// whose type tables are recursive (Proposal contains Action, which can hold
// a ManageNeuron command that makes a Proposal). PayloadLimits suit
// registry payloads, which use no recursive types: they refuse recursion and
// types whose tree form is large, as well as nat and int values beyond 64
// bits.
package candidguard
