package rollout

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
)

// KindAPIBoundary is the ledger kind of a GuestOS deployment to API
// boundary nodes (DeployGuestosToSomeApiBoundaryNodes, NNS function 47).
const KindAPIBoundary = "api_boundary_nodes"

// APIBoundaryTarget names the API boundary node stage where a subnet id
// would stand (SubnetStatus.Subnet, Submitted.Subnet, advance targets).
const APIBoundaryTarget = "api-boundary-nodes"

// RolloutAPIBoundary: every subnet and the unassigned nodes are done; the
// API boundary nodes are being upgraded.
const RolloutAPIBoundary RolloutState = "upgrading_api_boundary_nodes"

// APIBoundaryStage is the API boundary node stage of a plan: one
// function-47 proposal for the nodes that do not run the version yet, at
// or after Start, once the unassigned nodes are done.
type APIBoundaryStage struct {
	// Start is the earliest time the proposal is submitted.
	Start time.Time `yaml:"start" json:"start"`
	// Nodes are the API boundary nodes of the stage; empty means every API
	// boundary node in the registry when the stage runs.
	Nodes []string `yaml:"nodes,omitempty" json:"nodes,omitempty"`
}

// apiBoundaryNodes returns the stage's nodes as the registry has them.
func (s *APIBoundaryStage) apiBoundaryNodes(reg *governance.Registry) []governance.APIBoundaryNode {
	if len(s.Nodes) == 0 {
		return reg.APIBoundaryNodes
	}
	var out []governance.APIBoundaryNode
	for _, b := range reg.APIBoundaryNodes {
		if slices.Contains(s.Nodes, b.ID) {
			out = append(out, b)
		}
	}
	return out
}

// APIBoundaryInput is what DeriveAPIBoundary looks at.
type APIBoundaryInput struct {
	Target string
	// Nodes are the stage's API boundary nodes with their registry versions.
	Nodes []governance.APIBoundaryNode
	// Proposals are the function-47 proposals of Target, oldest first.
	Proposals []ProposalView
	Intent    bool
	// Replaced is the latest executed function-47 deploy of another version.
	Replaced *Replacement
	// Superseded is the newer version every pending node runs after having
	// run Target ("" otherwise).
	Superseded string
	// Now is the current time (the network's clock).
	Now time.Time
	// Bake is how long every node of the stage must stay up once the
	// registry names the target for all of them: the plan's bake, the
	// subnets' rule (DFINITY's API boundary node plan waits
	// minimum_minutes_per_batch: 15).
	Bake time.Duration
	// Health is the latest observation (its per-node signals); nil when
	// none is available.
	Health *health.Snapshot
	// Record is the ledger's bake bookkeeping of the stage.
	Record SubnetRecord
}

// DeriveAPIBoundary computes the API boundary node stage's state. Once the
// registry names the target for every node of the stage, the stage has a
// gate like a subnet's: every node must be up (health.CheckNodeUp; a node
// down fails the stage, naming it) with no alert on it (health.CheckNodeAlerts;
// one firing fails the stage, one pending makes it wait) and stay so for
// Bake before the stage is complete. Until then the latest proposal decides as for a subnet.
func DeriveAPIBoundary(in APIBoundaryInput) SubnetStatus {
	var pending []governance.APIBoundaryNode
	for _, n := range in.Nodes {
		if n.Version != in.Target {
			pending = append(pending, n)
		}
	}
	if len(pending) == 0 {
		st := SubnetStatus{Subnet: APIBoundaryTarget, Record: in.Record}
		if n := len(in.Proposals); n > 0 {
			st.Proposal, st.Executed = in.Proposals[n-1].ID, in.Proposals[n-1].Executed
		}
		return deriveAPIBoundaryGate(in, st)
	}
	st := Derive(SubnetInput{Target: in.Target, RegistryVersion: pending[0].Version, Proposals: in.Proposals,
		Intent: in.Intent, Replaced: in.Replaced, Superseded: in.Superseded, Record: in.Record})
	st.Subnet = APIBoundaryTarget
	st.Record.HealthySince = time.Time{}
	if st.State == StatePending {
		st.Detail = fmt.Sprintf("%d of %d API boundary node(s) do not run %s yet", len(pending), len(in.Nodes), shortVersion(in.Target))
	}
	return st
}

// deriveAPIBoundaryGate derives the stage once the registry names the
// target for all its nodes: upgrading while there is no health data for
// some node, failed while a node is down or has an alert firing, baking
// while an alert is pending on a node (HealthySince restarts, as a subnet's
// pending alerts make it wait in deriveDeployed) or every node has been
// up for less than Bake, then complete. It follows deriveDeployed's rule
// and bookkeeping: Running is when every node ran the version and was up
// (apiBoundaryRunning), HealthySince restarts after a failing observation,
// and Complete is kept once the bake passed (a later node down still fails
// the stage).
func deriveAPIBoundaryGate(in APIBoundaryInput, st SubnetStatus) SubnetStatus {
	runs := fmt.Sprintf("%d API boundary node(s) run %s", len(in.Nodes), shortVersion(in.Target))
	if in.Health == nil {
		st.State, st.Detail = StateUpgrading, runs+"; no health data yet"
		return st
	}
	ids := make([]string, 0, len(in.Nodes))
	for _, n := range in.Nodes {
		ids = append(ids, n.ID)
	}
	checks, unknown, waiting := in.Health.EvaluateNodes(ids)
	st.Checks = checks
	var down, alerting []string
	for i, c := range checks {
		switch {
		case c.OK || slices.Contains(unknown, ids[i]) || slices.Contains(waiting, ids[i]):
		case c.Name == health.CheckNodeUp:
			down = append(down, ids[i])
		default:
			alerting = append(alerting, ids[i])
		}
	}
	switch {
	case len(down) > 0:
		st.State, st.FailedCheck = StateFailed, health.CheckNodeUp
		st.Detail = fmt.Sprintf("API boundary node(s) down on %s: %s", shortVersion(in.Target), strings.Join(down, ", "))
		st.Record.HealthySince = time.Time{}
		return st
	case len(alerting) > 0:
		st.State, st.FailedCheck = StateFailed, health.CheckNodeAlerts
		st.Detail = fmt.Sprintf("alerts firing on API boundary node(s) on %s: %s", shortVersion(in.Target), checkDetails(checks, ids, alerting))
		st.Record.HealthySince = time.Time{}
		return st
	case len(unknown) > 0:
		st.State = StateUpgrading
		st.Detail = fmt.Sprintf("%s; no health data for %s yet", runs, strings.Join(unknown, ", "))
		st.Record.HealthySince = time.Time{}
		return st
	}
	if st.Record.Running.IsZero() {
		st.Record.Running = apiBoundaryRunning(in, st)
	}
	if len(waiting) > 0 { // the subnets' rule (deriveDeployed): pending alerts wait
		st.State, st.BakeLeft = StateBaking, in.Bake
		st.Detail = "waiting for the alerts to clear: " + checkDetails(checks, ids, waiting)
		st.Record.HealthySince = time.Time{}
		return st
	}
	healthy, done := bakeStep(&st, in.Now, in.Bake)
	if done {
		st.State, st.Detail = StateComplete, runs+", every one up"
		return st
	}
	st.Detail = fmt.Sprintf("%s, every one up for %s of %s", runs, healthy.Round(time.Second), in.Bake)
	return st
}

// checkDetails joins the details of the checks of the nodes among ids
// that pick names.
func checkDetails(checks []health.Check, ids, pick []string) string {
	var out []string
	for i, id := range ids {
		if slices.Contains(pick, id) {
			out = append(out, checks[i].Detail)
		}
	}
	return strings.Join(out, "; ")
}

// apiBoundaryRunning is when the stage's nodes ran the version and were
// up, at the first look that sees every one up: the execution of the
// latest deploy when no look saw the stage fail its gate before (an API
// boundary node switches when its record changes, so a status run long
// after the deploy does not delay the quiet period), otherwise now, the
// first look after the recovery (Record.Failed is set while the stage
// fails; recordGate keeps it).
func apiBoundaryRunning(in APIBoundaryInput, st SubnetStatus) time.Time {
	if in.Record.Failed.IsZero() && !st.Executed.IsZero() && !st.Executed.After(in.Now) {
		return st.Executed
	}
	return in.Now
}

// deriveAPIBoundary fills the stage's status when the plan has one.
func (t *Tracker) deriveAPIBoundary(l *Ledger, o *observation, st *Status) {
	stage := l.Plan.APIBoundaryNodes
	if stage == nil {
		return
	}
	nodes := stage.apiBoundaryNodes(o.reg)
	prev := l.subnet(APIBoundaryTarget)
	in := APIBoundaryInput{Target: l.Version, Nodes: nodes, Proposals: o.apibn,
		Intent: hasIntent(l, KindAPIBoundary, ""), Replaced: o.replaced[APIBoundaryTarget],
		Now: o.now, Bake: time.Duration(l.Plan.Bake), Health: o.health, Record: prev}
	st.APIBoundaryPending = []string{}
	superseded, all := "", true
	for _, n := range nodes {
		if n.Version == l.Version {
			continue
		}
		st.APIBoundaryPending = append(st.APIBoundaryPending, n.ID)
		v := o.superseded(timeline.TargetID{Kind: timeline.KindAPIBoundary, ID: n.ID}, l.Version)
		superseded, all = v, all && v != ""
	}
	if all {
		in.Superseded = superseded
	}
	s := DeriveAPIBoundary(in)
	t.recordGate(l, o.now, prev, &s)
	if s.Record != prev {
		l.setSubnet(APIBoundaryTarget, s.Record)
	}
	st.APIBoundary, st.APIBoundaryStart = &s, stage.Start
}

// noteAPIBoundaryDeploy records a function-47 proposal: of the version in
// the ledger, of another version as a replacement of the stage.
func (o *observation) noteAPIBoundaryDeploy(l *Ledger, p *governance.Proposal, a proposals.DeployGuestosToSomeAPIBoundaryNodes, v ProposalView, seen map[uint64]bool) {
	if a.Version == l.Version {
		seen[p.ID] = true
		l.NoteProposal(factsOf(KindAPIBoundary, "", l.Version, p))
		return
	}
	o.replace(APIBoundaryTarget, a.Version, v)
}

// apiBoundaryState is the rollout state once the subnets and unassigned
// nodes are done: "" when there is no stage or it is done.
func apiBoundaryState(st *Status) RolloutState {
	if st.APIBoundary == nil {
		return ""
	}
	switch st.APIBoundary.State {
	case StateComplete, StateSuperseded:
		return ""
	case StateFailed:
		return RolloutFailed
	case StateRolledBack:
		return RolloutRolledBack
	}
	return RolloutAPIBoundary
}

// apiBoundaryNext says whether the stage is due now (target) or why not
// (wait), once the unassigned nodes are done.
func apiBoundaryNext(st *Status, retry, redeploy bool) (target string, wait []string) {
	s := st.APIBoundary
	if s == nil {
		return "", []string{"the unassigned nodes are " + string(st.Unassigned.State) + ": " + st.Unassigned.Detail}
	}
	again := retry && s.State == StateFailed && s.FailedCheck == CheckProposal ||
		redeploy && s.State == StateRolledBack
	if s.State != StatePending && s.State != StateProposing && !again {
		return "", []string{"the API boundary nodes are " + string(s.State) + ": " + s.Detail}
	}
	if st.Now.Before(st.APIBoundaryStart) {
		return "", st.Blockers
	}
	return APIBoundaryTarget, nil
}

// apiBoundaryDraft drafts the function-47 proposal for the stage's nodes
// that do not run the version.
func apiBoundaryDraft(l *Ledger, st *Status) (proposals.Draft, error) {
	ids := make([]principal.Principal, 0, len(st.APIBoundaryPending))
	for _, n := range st.APIBoundaryPending {
		p, err := principal.Decode(n)
		if err != nil {
			return proposals.Draft{}, fmt.Errorf("API boundary node %q: %w", n, err)
		}
		ids = append(ids, p)
	}
	return proposals.NewDeployAPIBoundaryNodes(proposals.APIBoundaryNodesOptions{Mode: l.Mode, Version: l.Version, NodeIDs: ids})
}

// apiBoundaryBlocker says when the stage follows, while it waits for its
// start.
func apiBoundaryBlocker(st *Status) string {
	if st.State != RolloutAPIBoundary || st.APIBoundary == nil || st.APIBoundary.State != StatePending || !st.Now.Before(st.APIBoundaryStart) {
		return ""
	}
	return fmt.Sprintf("the API boundary nodes follow at %s (in %s)", st.APIBoundaryStart.Format("2006-01-02 15:04 MST"), roundDur(st.APIBoundaryStart.Sub(st.Now)))
}

// checkAPIBoundaryStage validates a plan's stage: its nodes are API
// boundary nodes and it follows the unassigned nodes.
func checkAPIBoundaryStage(p *Plan, reg *governance.Registry) []Problem {
	s := p.APIBoundaryNodes
	if s == nil {
		return nil
	}
	var probs []Problem
	if s.Start.Before(p.UnassignedNodes) {
		probs = append(probs, Problem{"api_boundary_nodes.start", "the API boundary nodes must follow the unassigned nodes"})
	}
	known := map[string]bool{}
	for _, b := range reg.APIBoundaryNodes {
		known[b.ID] = true
	}
	for i, n := range s.Nodes {
		if !known[n] {
			probs = append(probs, Problem{fmt.Sprintf("api_boundary_nodes.nodes[%d]", i),
				fmt.Sprintf("%s is not an API boundary node; `nnspatch api-boundary-nodes` lists them", n)})
		}
	}
	return probs
}
