package regmodel

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// The records below have no Go type in agent-go v0.9.2, so they are encoded
// with protowire. Field numbers come from dfinity/ic
// rs/protobuf/def/registry/*/v1/*.proto as restated in the project's
// reference/domain.md §1.4 and §9.1:
//
//	BlessedReplicaVersions      { repeated string blessed_version_ids = 1 }
//	ReplicaVersionRecord        { string release_package_sha256_hex = 6;
//	                              repeated string release_package_urls = 7;
//	                              GuestLaunchMeasurements guest_launch_measurements = 9 }
//	GuestLaunchMeasurements     { repeated GuestLaunchMeasurement guest_launch_measurements = 1 }
//	GuestLaunchMeasurement      { bytes measurement = 1; GuestLaunchMeasurementMetadata metadata = 2 }
//	GuestLaunchMeasurementMetadata { optional string kernel_cmdline = 1 }
//	UnassignedNodesConfigRecord { repeated string ssh_readonly_access = 1; string replica_version = 2 }
//	ApiBoundaryNodeRecord       { string version = 1 }
//	HostosVersionRecord         { repeated string release_package_urls = 1;
//	                              string release_package_sha256_hex = 2; string hostos_version_id = 3 }
//
// SubnetRecord, SubnetListRecord, NodeRecord and SubnetId use agent-go's
// clients/registry/proto/v1 types.

// errMalformedRecord reports a stored value that does not parse as its record.
var errMalformedRecord = errors.New("malformed record")

// LaunchMeasurement is one SEV-SNP guest launch measurement of a GuestOS
// version with its optional kernel command line.
type LaunchMeasurement struct {
	// Measurement is the raw measurement (48 bytes on SEV-SNP).
	Measurement []byte
	// KernelCmdline is the metadata's kernel command line; nil when the
	// measurement carries no metadata.
	KernelCmdline *string
}

// GuestOSVersion is an elected GuestOS (replica) version: the content of its
// replica_version_<id> record.
type GuestOSVersion struct {
	// ID is the version id, normally the 40-hex IC commit.
	ID string
	// SHA256Hex is the hex SHA-256 of the release package.
	SHA256Hex string
	// URLs are the release package download URLs.
	URLs []string
	// Measurements are the guest launch measurements; nil when the version
	// has none (the field is absent from the record).
	Measurements []LaunchMeasurement
}

// HostOSVersion is an elected HostOS version: the content of its
// hostos_version_<id> record.
type HostOSVersion struct {
	// ID is the HostOS version id.
	ID string
	// SHA256Hex is the hex SHA-256 of the release package.
	SHA256Hex string
	// URLs are the release package download URLs.
	URLs []string
}

// encodeStrings encodes a repeated string field.
func encodeStrings(b []byte, num protowire.Number, vals []string) []byte {
	for _, v := range vals {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendString(b, v)
	}
	return b
}

// encodeString encodes a proto3 string field, omitting the default "".
func encodeString(b []byte, num protowire.Number, v string) []byte {
	if v == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, v)
}

// encodeMessage encodes an embedded message field.
func encodeMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

// walkFields calls fn for every length-delimited field of msg and skips
// fields of other wire types, as a proto3 parser skips unknown fields.
func walkFields(msg []byte, fn func(num protowire.Number, val []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return fmt.Errorf("%w: %v", errMalformedRecord, protowire.ParseError(n))
		}
		msg = msg[n:]
		if typ != protowire.BytesType {
			m := protowire.ConsumeFieldValue(num, typ, msg)
			if m < 0 {
				return fmt.Errorf("%w: %v", errMalformedRecord, protowire.ParseError(m))
			}
			msg = msg[m:]
			continue
		}
		val, m := protowire.ConsumeBytes(msg)
		if m < 0 {
			return fmt.Errorf("%w: %v", errMalformedRecord, protowire.ParseError(m))
		}
		msg = msg[m:]
		if err := fn(num, val); err != nil {
			return err
		}
	}
	return nil
}

// encodeBlessed encodes BlessedReplicaVersions.
func encodeBlessed(ids []string) []byte {
	return encodeStrings(nil, 1, ids)
}

// decodeBlessed decodes BlessedReplicaVersions.
func decodeBlessed(b []byte) ([]string, error) {
	ids := []string{}
	err := walkFields(b, func(num protowire.Number, val []byte) error {
		if num == 1 {
			ids = append(ids, string(val))
		}
		return nil
	})
	return ids, err
}

// encodeReplicaVersion encodes ReplicaVersionRecord.
func encodeReplicaVersion(v GuestOSVersion) []byte {
	b := encodeString(nil, 6, v.SHA256Hex)
	b = encodeStrings(b, 7, v.URLs)
	if v.Measurements != nil {
		b = encodeMessage(b, 9, encodeMeasurements(v.Measurements))
	}
	return b
}

// encodeMeasurements encodes GuestLaunchMeasurements.
func encodeMeasurements(ms []LaunchMeasurement) []byte {
	var out []byte
	for _, m := range ms {
		var one []byte
		if len(m.Measurement) > 0 {
			one = protowire.AppendTag(one, 1, protowire.BytesType)
			one = protowire.AppendBytes(one, m.Measurement)
		}
		if m.KernelCmdline != nil {
			meta := protowire.AppendTag(nil, 1, protowire.BytesType)
			meta = protowire.AppendString(meta, *m.KernelCmdline)
			one = encodeMessage(one, 2, meta)
		}
		out = encodeMessage(out, 1, one)
	}
	return out
}

// decodeReplicaVersion decodes ReplicaVersionRecord; id is taken from the key.
func decodeReplicaVersion(id string, b []byte) (GuestOSVersion, error) {
	v := GuestOSVersion{ID: id}
	err := walkFields(b, func(num protowire.Number, val []byte) error {
		switch num {
		case 6:
			v.SHA256Hex = string(val)
		case 7:
			v.URLs = append(v.URLs, string(val))
		case 9:
			ms, err := decodeMeasurements(val)
			v.Measurements = ms
			return err
		}
		return nil
	})
	return v, err
}

// decodeMeasurements decodes GuestLaunchMeasurements.
func decodeMeasurements(b []byte) ([]LaunchMeasurement, error) {
	ms := []LaunchMeasurement{}
	err := walkFields(b, func(num protowire.Number, val []byte) error {
		if num != 1 {
			return nil
		}
		m, err := decodeMeasurement(val)
		ms = append(ms, m)
		return err
	})
	return ms, err
}

// decodeMeasurement decodes one GuestLaunchMeasurement.
func decodeMeasurement(b []byte) (LaunchMeasurement, error) {
	var m LaunchMeasurement
	err := walkFields(b, func(num protowire.Number, val []byte) error {
		switch num {
		case 1:
			m.Measurement = append([]byte{}, val...)
		case 2:
			return walkFields(val, func(n protowire.Number, s []byte) error {
				if n == 1 {
					cmd := string(s)
					m.KernelCmdline = &cmd
				}
				return nil
			})
		}
		return nil
	})
	return m, err
}

// encodeUnassigned encodes UnassignedNodesConfigRecord.
func encodeUnassigned(ssh []string, version string) []byte {
	b := encodeStrings(nil, 1, ssh)
	return encodeString(b, 2, version)
}

// decodeUnassigned decodes UnassignedNodesConfigRecord.
func decodeUnassigned(b []byte) (ssh []string, version string, err error) {
	err = walkFields(b, func(num protowire.Number, val []byte) error {
		switch num {
		case 1:
			ssh = append(ssh, string(val))
		case 2:
			version = string(val)
		}
		return nil
	})
	return ssh, version, err
}

// encodeAPIBoundaryNode encodes ApiBoundaryNodeRecord.
func encodeAPIBoundaryNode(version string) []byte {
	return encodeString(nil, 1, version)
}

// decodeAPIBoundaryNode decodes ApiBoundaryNodeRecord.
func decodeAPIBoundaryNode(b []byte) (version string, err error) {
	err = walkFields(b, func(num protowire.Number, val []byte) error {
		if num == 1 {
			version = string(val)
		}
		return nil
	})
	return version, err
}

// encodeHostOSVersion encodes HostosVersionRecord.
func encodeHostOSVersion(v HostOSVersion) []byte {
	b := encodeStrings(nil, 1, v.URLs)
	b = encodeString(b, 2, v.SHA256Hex)
	return encodeString(b, 3, v.ID)
}

// decodeHostOSVersion decodes HostosVersionRecord.
func decodeHostOSVersion(b []byte) (HostOSVersion, error) {
	var v HostOSVersion
	err := walkFields(b, func(num protowire.Number, val []byte) error {
		switch num {
		case 1:
			v.URLs = append(v.URLs, string(val))
		case 2:
			v.SHA256Hex = string(val)
		case 3:
			v.ID = string(val)
		}
		return nil
	})
	return v, err
}
