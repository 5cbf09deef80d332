package replica

import (
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

// Canister is a canister model hosted by the replica. The replica owns the
// protocol (envelopes, signatures, certificates); a Canister only sees decoded
// method calls and answers with raw reply bytes (Candid or protobuf) or a reject.
//
// Implementations must be safe for concurrent use: queries run concurrently with
// each other and with updates.
type Canister interface {
	// Method reports whether the canister exports the named method and whether
	// it is a query. Unknown methods are rejected by the replica with a
	// certified reject (code 3, error code IC0536), as a replica does.
	Method(name string) (m MethodKind, ok bool)

	// Execute runs one method. For an update call (Call.Replicated is true) the
	// model may change its state; for a query it must not.
	Execute(call Call) ([]byte, *Reject)
}

// MethodKind says how a method may be invoked.
type MethodKind int

const (
	// Update methods run through /call and may change state.
	Update MethodKind = iota + 1
	// Query methods run through /query; a query method invoked through /call
	// (as `certified: true` clients do) is executed as a replicated query.
	Query
)

// Call is one decoded invocation.
type Call struct {
	Method string
	Arg    []byte
	Caller principal.Principal
	// Now is the network's (virtual) time at execution.
	Now time.Time
	// Replicated is true for calls made through /call (updates and
	// replicated queries), false for /query.
	Replicated bool
	// RequestID is the representation-independent hash of the request content.
	RequestID [32]byte
	// IngressExpiry is the request's ingress_expiry (ns since the epoch);
	// a host that persists calls keeps it to refuse replays after a
	// restart (WithAnswered).
	IngressExpiry uint64
}

// Reject is a canister or system reject. Code follows the IC reject codes
// (1 SYS_FATAL, 2 SYS_TRANSIENT, 3 DESTINATION_INVALID, 4 CANISTER_REJECT,
// 5 CANISTER_ERROR); ErrorCode is the IC error code string (e.g. "IC0503").
type Reject struct {
	Code      uint64
	Message   string
	ErrorCode string
}

// CertifiedDataProvider is implemented by canisters that certify data (the
// registry does, for get_certified_changes_since). The replica publishes the
// returned bytes (at most 32) at /canister/<id>/certified_data.
type CertifiedDataProvider interface {
	CertifiedData() []byte
}

// InfoProvider is implemented by canisters that publish their installed
// module's SHA-256 and their controllers, which the replica certifies at
// /canister/<id>/module_hash and /canister/<id>/controllers (as a canister
// upgrade's effect is observed on mainnet). A nil module hash or controller
// list is left out.
type InfoProvider interface {
	ModuleHash() []byte
	Controllers() []principal.Principal
}
