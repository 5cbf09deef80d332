package proposals

import (
	"fmt"
	"reflect"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/nnspatch/nnspatch/internal/candidguard"
)

// MaxDecodeBytes bounds what DecodePayload accepts. Governance caps IC OS
// payloads at MaxPayloadBytes; the margin covers historical shapes.
const MaxDecodeBytes = 1 << 18

// payloadLimits are what DecodePayload accepts: candidguard's limits for
// registry payloads (no recursive types, bounded type trees) capped at
// MaxDecodeBytes. agent-go's decoder is not safe on hostile input (forged
// lengths exhaust memory, recursive types exhaust the stack), so every
// payload is checked before it decodes.
var payloadLimits = func() candidguard.Limits {
	l := candidguard.PayloadLimits
	l.MaxBytes = MaxDecodeBytes
	return l
}()

// MaxPayloadBytes is governance's limit on an ExecuteNnsFunction payload
// for the IC OS functions (PROPOSAL_EXECUTE_NNS_FUNCTION_PAYLOAD_BYTES_MAX).
const MaxPayloadBytes = 70000

// EncodePayload returns the Candid encoding of a as the single argument of
// the registry method its NNS function calls: the exact `payload` blob of
// ExecuteNnsFunction.
func EncodePayload(a FunctionPayload) ([]byte, error) {
	b, err := candid.Marshal([]any{a})
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", a.ActionName(), err)
	}
	return b, nil
}

// DecodePayload decodes an ExecuteNnsFunction payload into its typed
// record, including the historical shapes (BlessReplicaVersion,
// RetireReplicaVersion, UpdateElectedReplicaVersions, UpdateUnassignedNodesConfig,
// UpdateElectedHostosVersions, UpdateNodesHostosVersion). Like Candid
// subtyping it ignores fields it does not know and leaves missing opt fields
// unset; a missing required field is an error. The result is a value (not a
// pointer) of one of the payload types.
func DecodePayload(fn int32, payload []byte) (a FunctionPayload, err error) {
	defer func() {
		// agent-go's decoder is not hardened against every malformed input;
		// a panic there must not take the caller down.
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("decode %s payload: %w: decoder panic: %v", NnsFunction(fn).Name(), ErrDecodePayload, r)
		}
	}()
	if len(payload) > MaxDecodeBytes {
		return nil, fmt.Errorf("decode %s payload: %w: %d bytes, more than %d", NnsFunction(fn).Name(), ErrDecodePayload, len(payload), MaxDecodeBytes)
	}
	types, values, err := payloadLimits.Decode(payload)
	if err != nil {
		return nil, fmt.Errorf("decode %s payload: %w: %w", NnsFunction(fn).Name(), ErrDecodePayload, err)
	}
	if len(values) != 1 {
		return nil, fmt.Errorf("decode %s payload: %w: want 1 argument, got %d", NnsFunction(fn).Name(), ErrDecodePayload, len(values))
	}
	target, err := payloadTarget(NnsFunction(fn), types[0])
	if err != nil {
		return nil, err
	}
	v := reflect.New(reflect.TypeOf(target)).Elem()
	if err := assign(v, values[0], ""); err != nil {
		return nil, fmt.Errorf("decode %s payload: %w: %v", target.ActionName(), ErrDecodePayload, err)
	}
	return v.Interface().(FunctionPayload), nil
}

// payloadTarget picks the record a function's payload decodes into. Id 38
// changed shape when it was renamed: the old record carries
// guest_launch_measurement_sha256_hex.
func payloadTarget(fn NnsFunction, wire idl.Type) (FunctionPayload, error) {
	switch fn {
	case FnReviseElectedGuestosVersions:
		if hasField(wire, "guest_launch_measurement_sha256_hex") {
			return UpdateElectedReplicaVersions{}, nil
		}
		return ReviseElectedGuestosVersions{}, nil
	case FnDeployGuestosToAllSubnetNodes:
		return DeployGuestosToAllSubnetNodes{}, nil
	case FnDeployGuestosToAllUnassignedNodes:
		return DeployGuestosToAllUnassignedNodes{}, nil
	case FnDeployGuestosToSomeAPIBoundaryNodes:
		return DeployGuestosToSomeAPIBoundaryNodes{}, nil
	case FnReviseElectedHostosVersions:
		return ReviseElectedHostosVersions{}, nil
	case FnDeployHostosToSomeNodes:
		return DeployHostosToSomeNodes{}, nil
	case FnBlessReplicaVersion:
		return BlessReplicaVersion{}, nil
	case FnRetireReplicaVersion:
		return RetireReplicaVersion{}, nil
	case FnUpdateUnassignedNodesConfig:
		return UpdateUnassignedNodesConfig{}, nil
	case FnUpdateElectedHostosVersions:
		return UpdateElectedHostosVersions{}, nil
	case FnUpdateNodesHostosVersion:
		return UpdateNodesHostosVersion{}, nil
	}
	return nil, fmt.Errorf("decode payload of %s: %w", fn, ErrUnknownFunction)
}

// hasField reports whether wire is a record with a field of that name.
func hasField(wire idl.Type, name string) bool {
	rec, ok := wire.(*idl.RecordType)
	if !ok {
		return false
	}
	h := idl.HashString(name)
	for _, f := range rec.Fields {
		if f.Name == h || f.Name == name {
			return true
		}
	}
	return false
}
