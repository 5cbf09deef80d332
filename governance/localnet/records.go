package localnet

import (
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// recordKind says what a log record holds.
type recordKind uint8

const (
	// recGenesis is the first record: the seed's hash, the genesis time, the
	// key seed and the voting period.
	recGenesis recordKind = iota + 1
	// recCall is one acknowledged update call.
	recCall
	// recTick is a time-driven model step (deadlines, executions).
	recTick
	// recAdvance is a virtual clock advance; Offset is the new total offset.
	recAdvance
	// recFault sets or clears a fault.
	recFault
)

// record is one write-ahead log entry, CBOR-encoded with integer keys.
// Time is the virtual time in Unix nanoseconds.
type record struct {
	Kind     recordKind `cbor:"1,keyasint"`
	Time     int64      `cbor:"2,keyasint"`
	Canister []byte     `cbor:"3,keyasint,omitempty"`
	Method   string     `cbor:"4,keyasint,omitempty"`
	Caller   []byte     `cbor:"5,keyasint,omitempty"`
	Arg      []byte     `cbor:"6,keyasint,omitempty"`
	Offset   int64      `cbor:"7,keyasint,omitempty"`
	Fault    *Fault     `cbor:"8,keyasint,omitempty"`
	SeedHash []byte     `cbor:"9,keyasint,omitempty"`
	KeySeed  []byte     `cbor:"10,keyasint,omitempty"`
	// VotingPeriod (genesis only, ns) is governance's voting period: the
	// log replays only under the rules it was written with.
	VotingPeriod int64 `cbor:"11,keyasint,omitempty"`
	// RequestID and Expiry (calls only; absent in logs written before
	// them) are the ingress request id and its ingress_expiry (ns): on
	// restart the unexpired ones go back into the replica's ingress
	// history, so a signed request is not executed twice across a crash.
	RequestID []byte `cbor:"12,keyasint,omitempty"`
	Expiry    int64  `cbor:"13,keyasint,omitempty"`
}

func (r record) time() time.Time { return time.Unix(0, r.Time).UTC() }

var recordEnc = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

func (r record) encode() []byte {
	b, err := recordEnc.Marshal(r)
	if err != nil {
		// Only unsupported types fail; record has none.
		panic(fmt.Sprintf("encode log record: %v", err))
	}
	return b
}

func decodeRecord(b []byte) (record, error) {
	var r record
	if err := cbor.Unmarshal(b, &r); err != nil {
		return record{}, fmt.Errorf("decode log record: %w", err)
	}
	if r.Kind < recGenesis || r.Kind > recFault {
		return record{}, fmt.Errorf("decode log record: unknown kind %d", r.Kind)
	}
	return r, nil
}
