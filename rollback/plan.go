package rollback

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// PlanSchemaVersion is the schema of a plan's JSON form.
const PlanSchemaVersion = 1

// StepKind says what a step does.
type StepKind string

// Step kinds, in the order a plan uses them.
const (
	// StepHalt halts the release's rollout in its ledger (rollout.Tracker.Halt).
	StepHalt StepKind = "halt"
	// StepReelect re-elects an unelected GuestOS version.
	StepReelect StepKind = "reelect"
	// StepDeploy deploys the last good version to a subnet.
	StepDeploy StepKind = "deploy"
	// StepUnassigned deploys the last good version to the unassigned nodes.
	StepUnassigned StepKind = "unassigned"
	// StepHostOS deploys nodes' previous HostOS version back (hostos.go).
	StepHostOS StepKind = "hostos"
	// StepCanister installs a canister's previous wasm back (canister.go).
	StepCanister StepKind = "canister"
)

// ConditionKind names a checkable fact about the network.
type ConditionKind string

// Condition kinds.
const (
	// CondNone always holds.
	CondNone ConditionKind = "none"
	// CondHalted holds once the release's rollout is halted.
	CondHalted ConditionKind = "halted"
	// CondElected holds while Version is elected.
	CondElected ConditionKind = "elected"
	// CondNotElected holds while Version is not elected.
	CondNotElected ConditionKind = "not_elected"
	// CondSubnetRuns holds when Subnet's registry record names Version
	// and, when the world includes replica health, JudgeTarget finds it
	// healthy: every replica of the record reports Version, it finalizes
	// (judged from heights across observations, like the rollout's gates)
	// and no alert is seen.
	CondSubnetRuns ConditionKind = "subnet_runs"
	// CondUnassignedRun holds when the unassigned nodes are configured for Version.
	CondUnassignedRun ConditionKind = "unassigned_run"
	// CondHostOSElected holds while HostOS Version is elected.
	CondHostOSElected ConditionKind = "hostos_elected"
	// CondNodesRunHostOS holds when every node of Nodes has HostOS
	// Version in its registry record.
	CondNodesRunHostOS ConditionKind = "nodes_run_hostos"
	// CondModuleHash holds when Canister's installed module hash is
	// Version (hex SHA-256), as the certified state records it.
	CondModuleHash ConditionKind = "module_hash"
)

// Condition is a fact a step needs before it (precondition) or brings
// about (expectation).
type Condition struct {
	Kind    ConditionKind `json:"kind"`
	Subnet  string        `json:"subnet,omitempty"`
	Version string        `json:"version,omitempty"`
	// Nodes are the API boundary nodes of CondAPIBoundaryRun, or the
	// node ids of a HostOS condition.
	Nodes []string `json:"nodes,omitempty"`
	// Canister is the canister id of a module-hash condition.
	Canister string `json:"canister,omitempty"`
	// Text says the same in words.
	Text string `json:"text"`
}

// World is what conditions are checked against.
type World struct {
	Registry *governance.Registry
	// Halted reports whether the rollout is halted.
	Halted bool
	// Health is the replicas' health, with the Finalizing of the plan's
	// subnet targets judged from their heights (judgeFinalization); nil
	// when not observed, and then a subnet's version is judged from the
	// registry alone.
	Health *health.Snapshot
	// ModuleHashes are the installed module hashes (hex) of the canisters
	// a plan's conditions name, by canister id; read only for such plans.
	ModuleHashes map[string]string
}

// Holds reports whether c holds in w.
func (c Condition) Holds(w World) bool {
	switch c.Kind {
	case CondNone:
		return true
	case CondHalted:
		return w.Halted
	case CondElected:
		_, ok := w.Registry.GuestOSByID(c.Version)
		return ok
	case CondNotElected:
		_, ok := w.Registry.GuestOSByID(c.Version)
		return !ok
	case CondSubnetRuns:
		s, ok := w.Registry.SubnetByID(c.Subnet)
		return ok && s.GuestOSVersion == c.Version && (w.Health == nil || JudgeTarget(w.Registry, w.Health, c.Subnet, c.Version, DeployProgress{}).Healthy())
	case CondUnassignedRun:
		return w.Registry.UnassignedVersion == c.Version
	case CondAPIBoundaryRun:
		return apiBoundaryRuns(w, c.Nodes, c.Version)
	case CondHostOSElected, CondNodesRunHostOS, CondModuleHash:
		return c.holdsKind(w)
	}
	return false
}

// Step is one action of a plan.
type Step struct {
	// N numbers the steps from 1.
	N    int      `json:"n"`
	Kind StepKind `json:"kind"`
	// Subnet is the target of a deploy.
	Subnet string `json:"subnet,omitempty"`
	// Nodes are the API boundary nodes of a StepAPIBoundary, or the nodes
	// a HostOS step moves back.
	Nodes []string `json:"nodes,omitempty"`
	// Version is the version restored (deploy) or re-elected.
	Version string `json:"version,omitempty"`
	// From is the version the target runs now (deploy).
	From string `json:"from,omitempty"`
	// Why says why the step is there.
	Why string `json:"why"`
	// Precondition must hold before the step is taken.
	Precondition Condition `json:"precondition"`
	// Expect holds once the step took effect.
	Expect Condition `json:"expect"`
	// Draft is the proposal the step submits (nil for a halt).
	Draft *proposals.Draft `json:"draft,omitempty"`
	// Canister is the canister a canister step reinstalls.
	Canister string `json:"canister,omitempty"`
}

// Target is one subnet, the unassigned nodes, or a group of API boundary
// nodes returning to one version, to roll back.
type Target struct {
	// Subnet is the subnet id; empty for the unassigned nodes and API
	// boundary nodes.
	Subnet string `json:"subnet,omitempty"`
	// APIBoundaryNodes are the API boundary nodes of an API boundary node
	// target (empty otherwise).
	APIBoundaryNodes []string `json:"api_boundary_nodes,omitempty"`
	// Failing reports a subnet seen failing on the patch.
	Failing bool `json:"failing"`
	// Current is the version it runs now (the patch).
	Current string `json:"current"`
	// Restore is the last version it ran before the patch.
	Restore string `json:"restore"`
	// UpgradedAt is the registry version at which it moved to the patch.
	UpgradedAt uint64 `json:"upgraded_at_registry_version"`
	// RestoreElected reports whether Restore is still elected.
	RestoreElected bool `json:"restore_elected"`
	// RestoreWhy says why Restore was chosen (with a timeline).
	RestoreWhy string `json:"restore_why,omitempty"`
}

// Plan is a rollback plan: the targets and the ordered steps.
type Plan struct {
	SchemaVersion int `json:"schema_version"`
	// Release is the GuestOS version being rolled back (the patch).
	Release string `json:"release"`
	// Kind is what the release patched: empty for GuestOS, "hostos" or
	// "nns-canister" (rollout.Release* kinds).
	Kind string         `json:"kind,omitempty"`
	Mode proposals.Mode `json:"mode"`
	// Problem says what failed, in words the proposals reuse.
	Problem string `json:"problem"`
	// Created is when the plan was made (the network's time).
	Created time.Time `json:"created"`
	// RegistryVersion is the registry version the plan was made at.
	RegistryVersion uint64   `json:"registry_version"`
	Targets         []Target `json:"targets"`
	Steps           []Step   `json:"steps"`
	// Notes name what runs (or may still move to) the release but is not
	// rolled back by the plan: subnets with a deploy proposal not executed
	// yet, API boundary nodes left out; each says what to do instead.
	Notes []string `json:"notes,omitempty"`
}

// Unassigned returns the unassigned-nodes target, if the plan has one.
func (p *Plan) Unassigned() (Target, bool) {
	for _, t := range p.Targets {
		if t.Subnet == "" && !t.IsAPIBoundary() {
			return t, true
		}
	}
	return Target{}, false
}

// DecodePlan parses a plan's JSON form; unknown fields are errors.
func DecodePlan(b []byte) (*Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decode rollback plan: %w", err)
	}
	if p.SchemaVersion != PlanSchemaVersion {
		return nil, fmt.Errorf("decode rollback plan: schema_version %d, this build reads %d", p.SchemaVersion, PlanSchemaVersion)
	}
	return &p, nil
}
