package replica

import (
	"bytes"
	"fmt"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/fxamacker/cbor/v2"
)

// maxDelegations bounds a sender_delegation chain, as a replica does.
const maxDelegations = 20

// delegationSep is the domain separator of delegation signatures.
var delegationSep = []byte("\x1Aic-request-auth-delegation")

// signedDeleg is one link of a sender_delegation chain.
type signedDeleg struct {
	Delegation cbor.RawMessage `cbor:"delegation"`
	Signature  []byte          `cbor:"signature"`
}

// deleg holds the interpreted fields of a delegation.
type deleg struct {
	PubKey     []byte   `cbor:"pubkey"`
	Expiration uint64   `cbor:"expiration"`
	Targets    [][]byte `cbor:"targets"`
}

// verifyDelegations walks a delegation chain starting at the sender's key and
// returns the key that must sign the request. Each link must be signed by the
// previous key, unexpired (real time) and, when it names targets, include the
// request's canister.
func verifyDelegations(chain []signedDeleg, senderKey []byte, r *request) ([]byte, error) {
	if len(chain) > maxDelegations {
		return nil, fmt.Errorf("chain of %d delegations exceeds the limit of %d", len(chain), maxDelegations)
	}
	key := senderKey
	now := uint64(time.Now().UnixNano())
	for i, link := range chain {
		var generic any
		var d deleg
		if err := cbor.Unmarshal(link.Delegation, &generic); err != nil {
			return nil, fmt.Errorf("decode delegation %d: %w", i, err)
		}
		if err := cbor.Unmarshal(link.Delegation, &d); err != nil {
			return nil, fmt.Errorf("decode delegation %d: %w", i, err)
		}
		norm, err := normalize(generic)
		if err != nil {
			return nil, fmt.Errorf("decode delegation %d: %w", i, err)
		}
		h, err := certification.HashAny(norm)
		if err != nil {
			return nil, fmt.Errorf("hash delegation %d: %w", i, err)
		}
		if err := verifySig(key, append(append([]byte{}, delegationSep...), h[:]...), link.Signature); err != nil {
			return nil, fmt.Errorf("delegation %d: %w", i, err)
		}
		if d.Expiration < now {
			return nil, fmt.Errorf("delegation %d expired at %s", i, fmtTime(time.Unix(0, int64(d.Expiration))))
		}
		if d.Targets != nil && r.content.RequestType != typeReadState && !hasTarget(d.Targets, r.content.CanisterID) {
			return nil, fmt.Errorf("delegation %d does not target canister %x", i, r.content.CanisterID)
		}
		key = d.PubKey
	}
	return key, nil
}

// hasTarget reports whether id is among targets.
func hasTarget(targets [][]byte, id []byte) bool {
	for _, t := range targets {
		if bytes.Equal(t, id) {
			return true
		}
	}
	return false
}
