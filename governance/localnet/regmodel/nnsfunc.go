package regmodel

import (
	"time"

	"github.com/aviate-labs/agent-go/principal"
	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
)

// NNS function ids executed by the model (governance.did NnsFunction; see
// domain.md §1.1).
const (
	FnDeployGuestosToAllSubnetNodes       int32 = 11
	FnReviseElectedGuestosVersions        int32 = 38
	FnDeployGuestosToSomeAPIBoundaryNodes int32 = 47
	FnDeployGuestosToAllUnassignedNodes   int32 = 48
	FnReviseElectedHostosVersions         int32 = 50
	FnDeployHostosToSomeNodes             int32 = 51
)

// DeploymentTarget says what a deployment changed.
type DeploymentTarget int

// The deployment targets.
const (
	// TargetSubnet is a GuestOS deployment to all nodes of one subnet (11).
	TargetSubnet DeploymentTarget = iota + 1
	// TargetUnassigned is a GuestOS deployment to the unassigned nodes (48).
	TargetUnassigned
	// TargetAPIBoundaryNodes is a GuestOS deployment to API boundary nodes (47).
	TargetAPIBoundaryNodes
	// TargetHostOSNodes is a HostOS deployment to some nodes (51).
	TargetHostOSNodes
)

// String returns the target's name.
func (t DeploymentTarget) String() string {
	switch t {
	case TargetSubnet:
		return "subnet"
	case TargetUnassigned:
		return "unassigned"
	case TargetAPIBoundaryNodes:
		return "api_boundary_nodes"
	case TargetHostOSNodes:
		return "hostos_nodes"
	}
	return "unknown"
}

// Deployment records one executed deploy function: the registry now says
// Target runs Version. The nodes switch later (at the subnet's next CUP); the
// glue uses these records to switch the running version after a delay.
type Deployment struct {
	// Target is what was deployed to.
	Target DeploymentTarget
	// SubnetID is the subnet, for TargetSubnet.
	SubnetID principal.Principal
	// NodeIDs are the nodes, for TargetAPIBoundaryNodes and TargetHostOSNodes.
	NodeIDs []principal.Principal
	// Version is the deployed version; "" for a HostOS deployment that
	// clears the nodes' version.
	Version string
	// RegistryVersion is the registry version the deployment created.
	RegistryVersion uint64
	// At is the execution time.
	At time.Time
}

// ExecuteNnsFunction executes an adopted ExecuteNnsFunction proposal's
// payload as the registry would when governance calls it. On refusal it
// returns an *ExecError carrying the registry's message and nothing changes:
// the registry version does not move. Unsupported ids are refused with
// ErrUnsupportedFunction.
func (r *Registry) ExecuteNnsFunction(fn int32, payload []byte, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var (
		dep *Deployment
		t   *trap
	)
	switch fn {
	case FnReviseElectedGuestosVersions:
		t = r.reviseGuestOS(payload, now)
	case FnDeployGuestosToAllSubnetNodes:
		dep, t = r.deploySubnet(payload, now)
	case FnDeployGuestosToAllUnassignedNodes:
		dep, t = r.deployUnassigned(payload, now)
	case FnDeployGuestosToSomeAPIBoundaryNodes:
		dep, t = r.deployAPIBoundary(payload, now)
	case FnReviseElectedHostosVersions:
		t = r.reviseHostOS(payload, now)
	case FnDeployHostosToSomeNodes:
		dep, t = r.deployHostOS(payload, now)
	default:
		return errUnknownFunction(fn)
	}
	if t != nil {
		return execErr(fn, t)
	}
	if dep != nil {
		r.deployments = append(r.deployments, *dep)
	}
	return nil
}

// Deployments returns every deployment executed so far, oldest first.
func (r *Registry) Deployments() []Deployment {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Deployment, len(r.deployments))
	for i, d := range r.deployments {
		d.NodeIDs = append([]principal.Principal(nil), d.NodeIDs...)
		out[i] = d
	}
	return out
}

// blessed returns the current elected GuestOS versions.
func (r *Registry) blessed() []string {
	raw, _ := r.st.getLatest(blessedVersionsKey)
	ids, _ := decodeBlessed(raw)
	return ids
}

// requireBlessed is check_replica_version_is_blessed.
func (r *Registry) requireBlessed(version string) *trap {
	for _, id := range r.blessed() {
		if id == version {
			return nil
		}
	}
	return trapf(ErrNotElected, "Attempt to check if the replica version to '%s' is blessed was rejected, "+
		"because that version is NOT blessed. The list of blessed replica versions is: %s.",
		version, debugList(r.blessed()))
}

// subnetRecord returns the current record of a subnet.
func (r *Registry) subnetRecord(id principal.Principal) (*v1.SubnetRecord, bool) {
	raw, ok := r.st.getLatest(subnetKey(id))
	if !ok {
		return nil, false
	}
	rec := &v1.SubnetRecord{}
	if err := unmarshal(raw, rec); err != nil {
		return nil, false
	}
	return rec, true
}
