package governance

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// The registry records below are not among agent-go's bundled protos, so
// they are decoded field by field. Field numbers follow the IC's
// registry.replica_version.v1, registry.hostos_version.v1,
// registry.unassigned_nodes_config.v1 and registry.api_boundary_node.v1
// protos (domain.md §9.1).

// walkFields calls fn for each top-level field of a protobuf message.
// For length-delimited fields v holds the bytes; for varints n holds the value.
func walkFields(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error) error {
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return protowire.ParseError(l)
		}
		b = b[l:]
		var v []byte
		var n uint64
		switch typ {
		case protowire.BytesType:
			v, l = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			n, l = protowire.ConsumeVarint(b)
		default:
			l = protowire.ConsumeFieldValue(num, typ, b)
		}
		if l < 0 {
			return protowire.ParseError(l)
		}
		b = b[l:]
		if err := fn(num, typ, v, n); err != nil {
			return err
		}
	}
	return nil
}

var errWireType = errors.New("unexpected wire type")

// decodeStrings returns every value of the string field num.
func decodeStrings(b []byte, num protowire.Number) ([]string, error) {
	var out []string
	err := walkFields(b, func(n protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if n != num {
			return nil
		}
		if typ != protowire.BytesType {
			return fmt.Errorf("field %d: %w", n, errWireType)
		}
		out = append(out, string(v))
		return nil
	})
	return out, err
}

// decodeReplicaVersion decodes a ReplicaVersionRecord:
// release_package_sha256_hex = 6, release_package_urls = 7,
// guest_launch_measurements = 9, replica_version_id = 10.
func decodeReplicaVersion(b []byte) (GuestOSVersion, error) {
	var v GuestOSVersion
	err := walkFields(b, func(n protowire.Number, typ protowire.Type, raw []byte, _ uint64) error {
		if n == 6 || n == 7 || n == 9 || n == 10 {
			if typ != protowire.BytesType {
				return fmt.Errorf("field %d: %w", n, errWireType)
			}
		}
		switch n {
		case 6:
			v.SHA256 = string(raw)
		case 7:
			v.URLs = append(v.URLs, string(raw))
		case 9:
			ms, err := decodeStrings(raw, 1)
			v.LaunchMeasurements = len(ms)
			return err
		case 10:
			v.ID = string(raw)
		}
		return nil
	})
	return v, err
}

// decodeHostOSVersion decodes a HostOsVersionRecord:
// release_package_urls = 1, release_package_sha256_hex = 2,
// hostos_version_id = 3.
func decodeHostOSVersion(b []byte) (HostOSVersion, error) {
	var v HostOSVersion
	err := walkFields(b, func(n protowire.Number, typ protowire.Type, raw []byte, _ uint64) error {
		if n >= 1 && n <= 3 && typ != protowire.BytesType {
			return fmt.Errorf("field %d: %w", n, errWireType)
		}
		switch n {
		case 1:
			v.URLs = append(v.URLs, string(raw))
		case 2:
			v.SHA256 = string(raw)
		case 3:
			v.ID = string(raw)
		}
		return nil
	})
	return v, err
}
