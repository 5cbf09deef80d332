package proposals

import "github.com/aviate-labs/agent-go/principal"

// Action is a typed NNS proposal action: one of the ExecuteNnsFunction
// payload records below (current or historical), InstallCode or Motion.
type Action interface {
	// ActionName returns the name governance shows for the action, e.g.
	// "ReviseElectedGuestosVersions" or "InstallCode".
	ActionName() string
}

// FunctionPayload is an Action executed through ExecuteNnsFunction: its
// Candid encoding is the `payload` blob governance forwards to the registry.
type FunctionPayload interface {
	Action
	// NnsFunction returns the function id the payload belongs to.
	NnsFunction() NnsFunction
}

// ReviseElectedGuestosVersions is the payload of NnsFunction 38: elect one
// GuestOS version and/or unelect old ones (registry.did
// `ReviseElectedGuestosVersionsPayload`). The elect fields (version, hash,
// URLs) are all set or all unset.
type ReviseElectedGuestosVersions struct {
	ReleasePackageURLs       []string                 `ic:"release_package_urls" json:"release_package_urls" yaml:"release_package_urls"`
	ReplicaVersionsToUnelect []string                 `ic:"replica_versions_to_unelect" json:"replica_versions_to_unelect" yaml:"replica_versions_to_unelect"`
	ReplicaVersionToElect    *string                  `ic:"replica_version_to_elect,omitempty" json:"replica_version_to_elect,omitempty" yaml:"replica_version_to_elect,omitempty"`
	GuestLaunchMeasurements  *GuestLaunchMeasurements `ic:"guest_launch_measurements,omitempty" json:"guest_launch_measurements,omitempty" yaml:"guest_launch_measurements,omitempty"`
	ReleasePackageSHA256Hex  *string                  `ic:"release_package_sha256_hex,omitempty" json:"release_package_sha256_hex,omitempty" yaml:"release_package_sha256_hex,omitempty"`
}

// DeployGuestosToAllSubnetNodes is the payload of NnsFunction 11: point one
// subnet at an elected GuestOS version (registry.did
// `DeployGuestosToAllSubnetNodesPayload`).
type DeployGuestosToAllSubnetNodes struct {
	SubnetID         principal.Principal `ic:"subnet_id" json:"subnet_id" yaml:"subnet_id"`
	ReplicaVersionID string              `ic:"replica_version_id" json:"replica_version_id" yaml:"replica_version_id"`
}

// DeployGuestosToAllUnassignedNodes is the payload of NnsFunction 48: the
// GuestOS version unassigned nodes run (registry.did
// `DeployGuestosToAllUnassignedNodesPayload`).
type DeployGuestosToAllUnassignedNodes struct {
	ElectedReplicaVersion string `ic:"elected_replica_version" json:"elected_replica_version" yaml:"elected_replica_version"`
}

// ReviseElectedHostosVersions is the payload of NnsFunction 50: elect one
// HostOS version and/or unelect old ones (registry.did
// `ReviseElectedHostosVersionsPayload`).
type ReviseElectedHostosVersions struct {
	ReleasePackageURLs      []string `ic:"release_package_urls" json:"release_package_urls" yaml:"release_package_urls"`
	HostosVersionToElect    *string  `ic:"hostos_version_to_elect,omitempty" json:"hostos_version_to_elect,omitempty" yaml:"hostos_version_to_elect,omitempty"`
	HostosVersionsToUnelect []string `ic:"hostos_versions_to_unelect" json:"hostos_versions_to_unelect" yaml:"hostos_versions_to_unelect"`
	ReleasePackageSHA256Hex *string  `ic:"release_package_sha256_hex,omitempty" json:"release_package_sha256_hex,omitempty" yaml:"release_package_sha256_hex,omitempty"`
}

// DeployHostosToSomeNodes is the payload of NnsFunction 51: set the HostOS
// version of the listed nodes (registry.did `DeployHostosToSomeNodes`).
type DeployHostosToSomeNodes struct {
	HostosVersionID *string               `ic:"hostos_version_id,omitempty" json:"hostos_version_id,omitempty" yaml:"hostos_version_id,omitempty"`
	NodeIDs         []principal.Principal `ic:"node_ids" json:"node_ids" yaml:"node_ids"`
}

// ActionName implements Action.
func (ReviseElectedGuestosVersions) ActionName() string { return FnReviseElectedGuestosVersions.Name() }

// NnsFunction implements FunctionPayload.
func (ReviseElectedGuestosVersions) NnsFunction() NnsFunction { return FnReviseElectedGuestosVersions }

// ActionName implements Action.
func (DeployGuestosToAllSubnetNodes) ActionName() string {
	return FnDeployGuestosToAllSubnetNodes.Name()
}

// NnsFunction implements FunctionPayload.
func (DeployGuestosToAllSubnetNodes) NnsFunction() NnsFunction {
	return FnDeployGuestosToAllSubnetNodes
}

// ActionName implements Action.
func (DeployGuestosToAllUnassignedNodes) ActionName() string {
	return FnDeployGuestosToAllUnassignedNodes.Name()
}

// NnsFunction implements FunctionPayload.
func (DeployGuestosToAllUnassignedNodes) NnsFunction() NnsFunction {
	return FnDeployGuestosToAllUnassignedNodes
}

// ActionName implements Action.
func (ReviseElectedHostosVersions) ActionName() string { return FnReviseElectedHostosVersions.Name() }

// NnsFunction implements FunctionPayload.
func (ReviseElectedHostosVersions) NnsFunction() NnsFunction { return FnReviseElectedHostosVersions }

// ActionName implements Action.
func (DeployHostosToSomeNodes) ActionName() string { return FnDeployHostosToSomeNodes.Name() }

// NnsFunction implements FunctionPayload.
func (DeployHostosToSomeNodes) NnsFunction() NnsFunction { return FnDeployHostosToSomeNodes }

// DeployGuestosToSomeApiBoundaryNodes is the payload of NnsFunction 47:
// point the listed API boundary nodes at an elected GuestOS version
// (registry.did `DeployGuestosToSomeApiBoundaryNodes`, domain.md §1.3).
type DeployGuestosToSomeAPIBoundaryNodes struct {
	NodeIDs []principal.Principal `ic:"node_ids" json:"node_ids" yaml:"node_ids"`
	Version string                `ic:"version" json:"version" yaml:"version"`
}

// ActionName implements Action.
func (DeployGuestosToSomeAPIBoundaryNodes) ActionName() string {
	return FnDeployGuestosToSomeAPIBoundaryNodes.Name()
}

// NnsFunction implements FunctionPayload.
func (DeployGuestosToSomeAPIBoundaryNodes) NnsFunction() NnsFunction {
	return FnDeployGuestosToSomeAPIBoundaryNodes
}
