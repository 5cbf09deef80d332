package proposals

import "github.com/aviate-labs/agent-go/principal"

// The historical payload shapes below exist only to decode old proposals;
// governance refuses the obsolete ids today, and id 38 kept its number
// under a new name (domain.md §1.5). Id 11 also kept its number when
// UpdateSubnetReplicaVersion became DeployGuestosToAllSubnetNodes, with the
// same record, so both eras decode to DeployGuestosToAllSubnetNodes.

// BlessReplicaVersion is the 2021–2022 payload of NnsFunction 5.
type BlessReplicaVersion struct {
	ReplicaVersionID                string    `ic:"replica_version_id" json:"replica_version_id"`
	BinaryURL                       string    `ic:"binary_url" json:"binary_url"`
	SHA256Hex                       string    `ic:"sha256_hex" json:"sha256_hex"`
	NodeManagerBinaryURL            string    `ic:"node_manager_binary_url" json:"node_manager_binary_url"`
	NodeManagerSHA256Hex            string    `ic:"node_manager_sha256_hex" json:"node_manager_sha256_hex"`
	ReleasePackageURL               string    `ic:"release_package_url" json:"release_package_url"`
	ReleasePackageSHA256Hex         string    `ic:"release_package_sha256_hex" json:"release_package_sha256_hex"`
	ReleasePackageURLs              *[]string `ic:"release_package_urls,omitempty" json:"release_package_urls,omitempty"`
	GuestLaunchMeasurementSHA256Hex *string   `ic:"guest_launch_measurement_sha256_hex,omitempty" json:"guest_launch_measurement_sha256_hex,omitempty"`
}

// RetireReplicaVersion is the payload of the obsolete NnsFunction 36.
type RetireReplicaVersion struct {
	ReplicaVersionIDs []string `ic:"replica_version_ids" json:"replica_version_ids"`
}

// UpdateElectedReplicaVersions is NnsFunction 38 under its old name
// (2023–2024), with a launch-measurement hash instead of measurements.
type UpdateElectedReplicaVersions struct {
	ReplicaVersionToElect           *string  `ic:"replica_version_to_elect,omitempty" json:"replica_version_to_elect,omitempty"`
	ReleasePackageSHA256Hex         *string  `ic:"release_package_sha256_hex,omitempty" json:"release_package_sha256_hex,omitempty"`
	ReleasePackageURLs              []string `ic:"release_package_urls" json:"release_package_urls"`
	GuestLaunchMeasurementSHA256Hex *string  `ic:"guest_launch_measurement_sha256_hex,omitempty" json:"guest_launch_measurement_sha256_hex,omitempty"`
	ReplicaVersionsToUnelect        []string `ic:"replica_versions_to_unelect" json:"replica_versions_to_unelect"`
}

// UpdateUnassignedNodesConfig is the payload of the obsolete NnsFunction 22.
type UpdateUnassignedNodesConfig struct {
	ReplicaVersion    *string   `ic:"replica_version,omitempty" json:"replica_version,omitempty"`
	SSHReadonlyAccess *[]string `ic:"ssh_readonly_access,omitempty" json:"ssh_readonly_access,omitempty"`
}

// UpdateElectedHostosVersions is the payload of the obsolete NnsFunction 40.
type UpdateElectedHostosVersions struct {
	ReleasePackageURLs      []string `ic:"release_package_urls" json:"release_package_urls"`
	HostosVersionToElect    *string  `ic:"hostos_version_to_elect,omitempty" json:"hostos_version_to_elect,omitempty"`
	HostosVersionsToUnelect []string `ic:"hostos_versions_to_unelect" json:"hostos_versions_to_unelect"`
	ReleasePackageSHA256Hex *string  `ic:"release_package_sha256_hex,omitempty" json:"release_package_sha256_hex,omitempty"`
}

// UpdateNodesHostosVersion is the payload of the obsolete NnsFunction 41.
type UpdateNodesHostosVersion struct {
	HostosVersionID *string               `ic:"hostos_version_id,omitempty" json:"hostos_version_id,omitempty"`
	NodeIDs         []principal.Principal `ic:"node_ids" json:"node_ids"`
}

// ActionName implements Action.
func (BlessReplicaVersion) ActionName() string { return FnBlessReplicaVersion.Name() }

// NnsFunction implements FunctionPayload.
func (BlessReplicaVersion) NnsFunction() NnsFunction { return FnBlessReplicaVersion }

// ActionName implements Action.
func (RetireReplicaVersion) ActionName() string { return FnRetireReplicaVersion.Name() }

// NnsFunction implements FunctionPayload.
func (RetireReplicaVersion) NnsFunction() NnsFunction { return FnRetireReplicaVersion }

// ActionName implements Action.
func (UpdateElectedReplicaVersions) ActionName() string { return "UpdateElectedReplicaVersions" }

// NnsFunction implements FunctionPayload.
func (UpdateElectedReplicaVersions) NnsFunction() NnsFunction { return FnReviseElectedGuestosVersions }

// ActionName implements Action.
func (UpdateUnassignedNodesConfig) ActionName() string { return FnUpdateUnassignedNodesConfig.Name() }

// NnsFunction implements FunctionPayload.
func (UpdateUnassignedNodesConfig) NnsFunction() NnsFunction { return FnUpdateUnassignedNodesConfig }

// ActionName implements Action.
func (UpdateElectedHostosVersions) ActionName() string { return FnUpdateElectedHostosVersions.Name() }

// NnsFunction implements FunctionPayload.
func (UpdateElectedHostosVersions) NnsFunction() NnsFunction { return FnUpdateElectedHostosVersions }

// ActionName implements Action.
func (UpdateNodesHostosVersion) ActionName() string { return FnUpdateNodesHostosVersion.Name() }

// NnsFunction implements FunctionPayload.
func (UpdateNodesHostosVersion) NnsFunction() NnsFunction { return FnUpdateNodesHostosVersion }
