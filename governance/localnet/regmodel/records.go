package regmodel

import (
	"errors"
	"fmt"

	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// The version records are encoded and decoded with the generated registrypb
// types (BlessedReplicaVersions, ReplicaVersionRecord, GuestLaunchMeasurements,
// UnassignedNodesConfigRecord, ApiBoundaryNodeRecord, HostosVersionRecord),
// the same types the client decodes them with, so the encoder and the decoder
// cannot drift apart field by field.

// errMalformedRecord reports a stored value that does not parse as its record.
var errMalformedRecord = errors.New("malformed record")

// decodeRecord unmarshals a stored value into m; a failure wraps
// errMalformedRecord.
func decodeRecord(b []byte, m proto.Message) error {
	if err := proto.Unmarshal(b, m); err != nil {
		return fmt.Errorf("%w: %v", errMalformedRecord, err)
	}
	return nil
}

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

// encodeBlessed encodes BlessedReplicaVersions.
func encodeBlessed(ids []string) []byte {
	return mustMarshal(&v1.BlessedReplicaVersions{BlessedVersionIds: ids})
}

// decodeBlessed decodes BlessedReplicaVersions.
func decodeBlessed(b []byte) ([]string, error) {
	var rec v1.BlessedReplicaVersions
	if err := decodeRecord(b, &rec); err != nil {
		return []string{}, err
	}
	return append([]string{}, rec.GetBlessedVersionIds()...), nil
}

// encodeReplicaVersion encodes ReplicaVersionRecord.
func encodeReplicaVersion(v GuestOSVersion) []byte {
	rec := &v1.ReplicaVersionRecord{ReleasePackageSha256Hex: v.SHA256Hex, ReleasePackageUrls: v.URLs}
	if v.Measurements != nil {
		rec.GuestLaunchMeasurements = &v1.GuestLaunchMeasurements{}
		for _, m := range v.Measurements {
			one := &v1.GuestLaunchMeasurement{Measurement: m.Measurement}
			if m.KernelCmdline != nil {
				one.Metadata = &v1.GuestLaunchMeasurementMetadata{KernelCmdline: m.KernelCmdline}
			}
			rec.GuestLaunchMeasurements.GuestLaunchMeasurements = append(rec.GuestLaunchMeasurements.GuestLaunchMeasurements, one)
		}
	}
	return mustMarshal(rec)
}

// decodeReplicaVersion decodes ReplicaVersionRecord; id is taken from the key.
func decodeReplicaVersion(id string, b []byte) (GuestOSVersion, error) {
	v := GuestOSVersion{ID: id}
	var rec v1.ReplicaVersionRecord
	if err := decodeRecord(b, &rec); err != nil {
		return v, err
	}
	v.SHA256Hex, v.URLs = rec.GetReleasePackageSha256Hex(), rec.GetReleasePackageUrls()
	if ms := rec.GetGuestLaunchMeasurements(); ms != nil {
		v.Measurements = []LaunchMeasurement{}
		for _, m := range ms.GetGuestLaunchMeasurements() {
			lm := LaunchMeasurement{Measurement: m.GetMeasurement()}
			if md := m.GetMetadata(); md != nil && md.KernelCmdline != nil {
				cmd := md.GetKernelCmdline()
				lm.KernelCmdline = &cmd
			}
			v.Measurements = append(v.Measurements, lm)
		}
	}
	return v, nil
}

// encodeUnassigned encodes UnassignedNodesConfigRecord.
func encodeUnassigned(ssh []string, version string) []byte {
	return mustMarshal(&v1.UnassignedNodesConfigRecord{SshReadonlyAccess: ssh, ReplicaVersion: version})
}

// decodeUnassigned decodes UnassignedNodesConfigRecord.
func decodeUnassigned(b []byte) (ssh []string, version string, err error) {
	var rec v1.UnassignedNodesConfigRecord
	if err := decodeRecord(b, &rec); err != nil {
		return nil, "", err
	}
	return rec.GetSshReadonlyAccess(), rec.GetReplicaVersion(), nil
}

// encodeAPIBoundaryNode encodes ApiBoundaryNodeRecord.
func encodeAPIBoundaryNode(version string) []byte {
	return mustMarshal(&v1.ApiBoundaryNodeRecord{Version: version})
}

// decodeAPIBoundaryNode decodes ApiBoundaryNodeRecord.
func decodeAPIBoundaryNode(b []byte) (version string, err error) {
	var rec v1.ApiBoundaryNodeRecord
	if err := decodeRecord(b, &rec); err != nil {
		return "", err
	}
	return rec.GetVersion(), nil
}

// encodeHostOSVersion encodes HostosVersionRecord.
func encodeHostOSVersion(v HostOSVersion) []byte {
	return mustMarshal(&v1.HostosVersionRecord{ReleasePackageUrls: v.URLs, ReleasePackageSha256Hex: v.SHA256Hex, HostosVersionId: v.ID})
}

// decodeHostOSVersion decodes HostosVersionRecord.
func decodeHostOSVersion(b []byte) (HostOSVersion, error) {
	var rec v1.HostosVersionRecord
	if err := decodeRecord(b, &rec); err != nil {
		return HostOSVersion{}, err
	}
	return HostOSVersion{ID: rec.GetHostosVersionId(), SHA256Hex: rec.GetReleasePackageSha256Hex(), URLs: rec.GetReleasePackageUrls()}, nil
}
