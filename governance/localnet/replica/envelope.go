package replica

import (
	"fmt"
	"math/big"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/fxamacker/cbor/v2"
)

// Request types as they appear in request_type.
const (
	typeCall      = "call"
	typeQuery     = "query"
	typeReadState = "read_state"
)

// envelope is the outer CBOR map of every POSTed request.
type envelope struct {
	Content    cbor.RawMessage `cbor:"content"`
	SenderKey  []byte          `cbor:"sender_pubkey,omitempty"`
	SenderSig  []byte          `cbor:"sender_sig,omitempty"`
	Delegation []signedDeleg   `cbor:"sender_delegation,omitempty"`
}

// content holds the request fields the replica interprets. IngressExpiry is
// decoded loosely because clients may send a bignum.
type content struct {
	RequestType   string     `cbor:"request_type"`
	Sender        []byte     `cbor:"sender"`
	CanisterID    []byte     `cbor:"canister_id"`
	MethodName    string     `cbor:"method_name"`
	Arg           []byte     `cbor:"arg"`
	IngressExpiry any        `cbor:"ingress_expiry"`
	Paths         [][][]byte `cbor:"paths"`
}

// request is a decoded, not yet authenticated request.
type request struct {
	env     envelope
	content content
	id      [32]byte
	expiry  uint64
}

// decodeRequest parses an envelope and computes the request id as the
// representation-independent hash of the content map.
func decodeRequest(body []byte) (*request, error) {
	var r request
	if err := cbor.Unmarshal(body, &r.env); err != nil {
		return nil, badRequest("Could not parse body as read request: %v", err)
	}
	if len(r.env.Content) == 0 {
		return nil, badRequest("Could not parse body as read request: missing field `content`")
	}
	if err := cbor.Unmarshal(r.env.Content, &r.content); err != nil {
		return nil, badRequest("Could not parse body as read request: %v", err)
	}
	var generic any
	if err := cbor.Unmarshal(r.env.Content, &generic); err != nil {
		return nil, badRequest("Could not parse body as read request: %v", err)
	}
	id, err := requestID(generic)
	if err != nil {
		return nil, badRequest("Could not compute request id: %v", err)
	}
	r.id = id
	if r.expiry, err = asNat64(r.content.IngressExpiry); err != nil {
		return nil, badRequest("Could not parse body as read request: ingress_expiry: %v", err)
	}
	return &r, nil
}

// requestID hashes a decoded content map, first turning bignums into the
// LEB128 form the hash-of-map definition uses for nats.
func requestID(v any) ([32]byte, error) {
	m, ok := v.(map[any]any)
	if !ok {
		return [32]byte{}, fmt.Errorf("content is %T, not a map", v)
	}
	norm, err := normalize(m)
	if err != nil {
		return [32]byte{}, err
	}
	return certification.HashAny(norm)
}

// normalize rewrites values HashAny cannot hash (bignums) recursively.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case big.Int:
		return bigLEB(&x)
	case *big.Int:
		return bigLEB(x)
	case map[any]any:
		out := make(map[any]any, len(x))
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	return v, nil
}

// bigLEB encodes a bignum as a hash-of-map nat.
func bigLEB(b *big.Int) (any, error) {
	if b.Sign() < 0 {
		return nil, fmt.Errorf("negative bignum")
	}
	e, err := leb128.EncodeUnsigned(b)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// asNat64 converts a decoded ingress_expiry into nanoseconds.
func asNat64(v any) (uint64, error) {
	switch x := v.(type) {
	case uint64:
		return x, nil
	case big.Int:
		if x.Sign() < 0 || !x.IsUint64() {
			return 0, fmt.Errorf("out of range")
		}
		return x.Uint64(), nil
	case nil:
		return 0, fmt.Errorf("missing")
	}
	return 0, fmt.Errorf("unexpected type %T", v)
}
