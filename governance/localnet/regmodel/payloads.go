package regmodel

import (
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/internal/candidguard"
)

// The Candid payload types below are written from the registry's interface
// (dfinity/ic rs/registry/canister/canister/registry.did @0057aa76, restated in
// domain.md §1.4). They are deliberately independent of the proposals
// package, so an encoding bug there cannot hide behind the same bug here.

// reviseGuestOSPayload is ReviseElectedGuestosVersionsPayload (function 38).
type reviseGuestOSPayload struct {
	ReleasePackageURLs       []string                 `ic:"release_package_urls"`
	ReplicaVersionsToUnelect []string                 `ic:"replica_versions_to_unelect"`
	ReplicaVersionToElect    *string                  `ic:"replica_version_to_elect,omitempty"`
	GuestLaunchMeasurements  *guestLaunchMeasurements `ic:"guest_launch_measurements,omitempty"`
	ReleasePackageSHA256Hex  *string                  `ic:"release_package_sha256_hex,omitempty"`
}

// guestLaunchMeasurements is GuestLaunchMeasurements.
type guestLaunchMeasurements struct {
	GuestLaunchMeasurements []guestLaunchMeasurement `ic:"guest_launch_measurements"`
}

// guestLaunchMeasurement is one measurement with optional metadata.
type guestLaunchMeasurement struct {
	Metadata    *measurementMetadata `ic:"metadata,omitempty"`
	Measurement []byte               `ic:"measurement"`
}

// measurementMetadata is GuestLaunchMeasurementMetadata: kernel_cmdline
// optional since dfinity/ic #8078, vcpu_type added by #10245. The registry
// record kept here stores the command line only; vcpu_type is accepted.
type measurementMetadata struct {
	KernelCmdline *string `ic:"kernel_cmdline,omitempty"`
	VcpuType      *string `ic:"vcpu_type,omitempty"`
}

// deploySubnetPayload is DeployGuestosToAllSubnetNodesPayload (function 11).
type deploySubnetPayload struct {
	SubnetID         principal.Principal `ic:"subnet_id"`
	ReplicaVersionID string              `ic:"replica_version_id"`
}

// deployUnassignedPayload is DeployGuestosToAllUnassignedNodesPayload
// (function 48).
type deployUnassignedPayload struct {
	ElectedReplicaVersion string `ic:"elected_replica_version"`
}

// deployAPIBoundaryPayload is DeployGuestosToSomeApiBoundaryNodes
// (function 47).
type deployAPIBoundaryPayload struct {
	Version string                `ic:"version"`
	NodeIDs []principal.Principal `ic:"node_ids"`
}

// reviseHostOSPayload is ReviseElectedHostosVersionsPayload (function 50).
type reviseHostOSPayload struct {
	ReleasePackageURLs      []string `ic:"release_package_urls"`
	HostOSVersionToElect    *string  `ic:"hostos_version_to_elect,omitempty"`
	HostOSVersionsToUnelect []string `ic:"hostos_versions_to_unelect"`
	ReleasePackageSHA256Hex *string  `ic:"release_package_sha256_hex,omitempty"`
}

// deployHostOSPayload is DeployHostosToSomeNodes (function 51).
type deployHostOSPayload struct {
	HostOSVersionID *string               `ic:"hostos_version_id,omitempty"`
	NodeIDs         []principal.Principal `ic:"node_ids"`
}

// decodePayload decodes a single-argument Candid payload into v, turning a
// decode failure into the registry's trap. required names the record's
// non-opt fields: Candid subtyping lets a sender omit only opt fields, and
// agent-go's decoder would silently zero a missing one.
func decodePayload(payload []byte, v any, required ...string) (t *trap) {
	// agent-go's decoder panics on some malformed type tables (for example
	// a huge declared length); a canister traps on bad input, so a panic is
	// a refusal, not a crash of the network.
	defer func() {
		if p := recover(); p != nil {
			t = trapf(ErrInvalidPayload, "%sFailed to decode payload: %v", logPrefix, p)
		}
	}()
	if err := checkFields(payload, required); err != nil {
		return trapf(ErrInvalidPayload, "%sFailed to decode payload: %v", logPrefix, err)
	}
	if err := candidguard.PayloadLimits.Unmarshal(payload, []any{v}); err != nil {
		if p, ok := v.(*reviseGuestOSPayload); ok && decodeTextCmdline(payload, p) {
			return nil
		}
		return trapf(ErrInvalidPayload, "%sFailed to decode payload: %v", logPrefix, err)
	}
	return nil
}

// textCmdlineRevisePayload is reviseGuestOSPayload as registries before
// dfinity/ic #8078 declared it: kernel_cmdline a plain text. Candid
// subtyping lets such a payload feed the opt field; agent-go's strict
// decoder does not, so it is read with this shape instead.
type textCmdlineRevisePayload struct {
	ReleasePackageURLs       []string `ic:"release_package_urls"`
	ReplicaVersionsToUnelect []string `ic:"replica_versions_to_unelect"`
	ReplicaVersionToElect    *string  `ic:"replica_version_to_elect,omitempty"`
	GuestLaunchMeasurements  *struct {
		GuestLaunchMeasurements []struct {
			Metadata *struct {
				KernelCmdline string `ic:"kernel_cmdline"`
			} `ic:"metadata,omitempty"`
			Measurement []byte `ic:"measurement"`
		} `ic:"guest_launch_measurements"`
	} `ic:"guest_launch_measurements,omitempty"`
	ReleasePackageSHA256Hex *string `ic:"release_package_sha256_hex,omitempty"`
}

// decodeTextCmdline fills p from a payload of the older shape and reports
// whether it was one.
func decodeTextCmdline(payload []byte, p *reviseGuestOSPayload) bool {
	var old textCmdlineRevisePayload
	if err := candidguard.PayloadLimits.Unmarshal(payload, []any{&old}); err != nil {
		return false
	}
	*p = reviseGuestOSPayload{
		ReleasePackageURLs: old.ReleasePackageURLs, ReplicaVersionsToUnelect: old.ReplicaVersionsToUnelect,
		ReplicaVersionToElect: old.ReplicaVersionToElect, ReleasePackageSHA256Hex: old.ReleasePackageSHA256Hex,
	}
	if old.GuestLaunchMeasurements == nil {
		return true
	}
	p.GuestLaunchMeasurements = &guestLaunchMeasurements{GuestLaunchMeasurements: []guestLaunchMeasurement{}}
	for _, m := range old.GuestLaunchMeasurements.GuestLaunchMeasurements {
		gm := guestLaunchMeasurement{Measurement: m.Measurement}
		if m.Metadata != nil {
			cmd := m.Metadata.KernelCmdline
			gm.Metadata = &measurementMetadata{KernelCmdline: &cmd}
		}
		p.GuestLaunchMeasurements.GuestLaunchMeasurements = append(p.GuestLaunchMeasurements.GuestLaunchMeasurements, gm)
	}
	return true
}

// checkFields checks that the payload is one record holding every required
// field.
func checkFields(payload []byte, required []string) error {
	types, _, err := candidguard.PayloadLimits.Decode(payload)
	if err != nil {
		return err
	}
	if len(types) != 1 {
		return fmt.Errorf("want 1 argument, got %d", len(types))
	}
	rec, ok := types[0].(*idl.RecordType)
	if !ok {
		return fmt.Errorf("want a record, got %s", types[0])
	}
	have := map[string]bool{}
	for _, f := range rec.Fields {
		have[f.Name] = true
	}
	for _, name := range required {
		if !have[name] && !have[idl.HashString(name)] {
			return fmt.Errorf("record field %s is missing", name)
		}
	}
	return nil
}

// electParams checks the registry's all-or-none rule for the election fields
// and the "something to do" rule (ReviseElected*Payload::validate).
func electParams(version, sha *string, urls []string, unelect int) (electing bool, t *trap) {
	set := 0
	for _, ok := range []bool{version != nil, sha != nil, len(urls) > 0} {
		if ok {
			set++
		}
	}
	if set != 0 && set != 3 {
		return false, trapf(ErrInvalidPayload, "%sFailed to validate payload: %s", logPrefix,
			"All parameters to elect a version have to be either set or unset.")
	}
	if set == 0 && unelect == 0 {
		return false, trapf(ErrInvalidPayload, "%sFailed to validate payload: %s", logPrefix,
			"At least one version has to be elected or unelected.")
	}
	return set == 3, nil
}

// measurements converts the payload's measurements to the record's form.
func (p *guestLaunchMeasurements) measurements() []LaunchMeasurement {
	if p == nil {
		return nil
	}
	out := make([]LaunchMeasurement, 0, len(p.GuestLaunchMeasurements))
	for _, m := range p.GuestLaunchMeasurements {
		lm := LaunchMeasurement{Measurement: m.Measurement}
		if m.Metadata != nil && m.Metadata.KernelCmdline != nil {
			cmd := *m.Metadata.KernelCmdline
			lm.KernelCmdline = &cmd
		}
		out = append(out, lm)
	}
	return out
}

// debugList renders items the way Rust's Vec::join(", ") inside [] does.
func debugList(items []string) string {
	return "[" + strings.Join(items, ", ") + "]"
}
