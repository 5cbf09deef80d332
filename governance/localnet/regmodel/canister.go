package regmodel

import (
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

var (
	_ replica.Canister              = (*Registry)(nil)
	_ replica.CertifiedDataProvider = (*Registry)(nil)
)

// method is one exported canister method.
type method struct {
	kind replica.MethodKind
	run  func(r *Registry, c replica.Call) ([]byte, *replica.Reject)
}

// mutationMethod exposes an NNS function as the registry's Candid update
// method, callable only by governance.
func mutationMethod(fn int32) method {
	return method{kind: replica.Update, run: func(r *Registry, c replica.Call) ([]byte, *replica.Reject) {
		return r.runMutation(fn, c)
	}}
}

// methods are the registry's exports the model serves (dfinity/ic
// rs/registry/canister/canister/canister.rs). Reads are protobuf; the
// NNS-function mutations take Candid and reply with the empty Candid tuple.
var methods = map[string]method{
	"get_value":                                 {replica.Query, (*Registry).getValue},
	"get_latest_version":                        {replica.Query, (*Registry).getLatestVersion},
	"get_certified_latest_version":              {replica.Query, (*Registry).getCertifiedLatestVersion},
	"get_changes_since":                         {replica.Query, (*Registry).getChangesSince},
	"get_certified_changes_since":               {replica.Query, (*Registry).getCertifiedChangesSince},
	"get_chunk":                                 {replica.Query, (*Registry).getChunk},
	"revise_elected_guestos_versions":           mutationMethod(FnReviseElectedGuestosVersions),
	"revise_elected_replica_versions":           mutationMethod(FnReviseElectedGuestosVersions),
	"deploy_guestos_to_all_subnet_nodes":        mutationMethod(FnDeployGuestosToAllSubnetNodes),
	"deploy_guestos_to_all_unassigned_nodes":    mutationMethod(FnDeployGuestosToAllUnassignedNodes),
	"deploy_guestos_to_some_api_boundary_nodes": mutationMethod(FnDeployGuestosToSomeAPIBoundaryNodes),
	"revise_elected_hostos_versions":            mutationMethod(FnReviseElectedHostosVersions),
	"deploy_hostos_to_some_nodes":               mutationMethod(FnDeployHostosToSomeNodes),
}

// Method reports whether the registry exports name and whether it is a
// query. It implements replica.Canister.
func (r *Registry) Method(name string) (replica.MethodKind, bool) {
	m, ok := methods[name]
	return m.kind, ok
}

// Execute runs one method. It implements replica.Canister.
func (r *Registry) Execute(call replica.Call) ([]byte, *replica.Reject) {
	m, ok := methods[call.Method]
	if !ok {
		return nil, &replica.Reject{
			Code:      3,
			Message:   fmt.Sprintf("Canister %s has no method '%s'", CanisterID, call.Method),
			ErrorCode: "IC0536",
		}
	}
	return m.run(r, call)
}

// emptyCandid is the Candid encoding of the empty tuple, the reply of the
// registry's mutation methods.
var emptyCandid = []byte("DIDL\x00\x00")

// runMutation executes an NNS function called directly on the registry.
func (r *Registry) runMutation(fn int32, c replica.Call) ([]byte, *replica.Reject) {
	if !c.Caller.Equal(governanceID) {
		return nil, canisterTrap(fmt.Sprintf("%sCaller %s is not the governance canister; only governance may call this method.",
			logPrefix, c.Caller))
	}
	if err := r.ExecuteNnsFunction(fn, c.Arg, c.Now); err != nil {
		return nil, canisterTrap(err.Error())
	}
	return emptyCandid, nil
}

// canisterTrap is the reject the replica produces when the canister traps
// (reject code 5 CANISTER_ERROR, IC0503).
func canisterTrap(msg string) *replica.Reject {
	return &replica.Reject{
		Code:      5,
		Message:   fmt.Sprintf("Error from Canister %s: Canister called `ic0.trap` with message: 'Panicked at '%s''.", CanisterID, msg),
		ErrorCode: "IC0503",
	}
}

// nanos converts a batch time to the registry's timestamp_nanoseconds.
func nanos(t time.Time) uint64 {
	if t.IsZero() || t.UnixNano() < 0 {
		return 0
	}
	return uint64(t.UnixNano())
}
