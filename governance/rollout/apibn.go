package rollout

import (
	"fmt"
	"slices"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
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
}

// DeriveAPIBoundary computes the API boundary node stage's state: complete
// once the registry names the target for every node of the stage (an API
// boundary node upgrades itself when its record changes; there is no
// subnet health to bake), otherwise the latest proposal decides as for a
// subnet.
func DeriveAPIBoundary(in APIBoundaryInput) SubnetStatus {
	var pending []governance.APIBoundaryNode
	for _, n := range in.Nodes {
		if n.Version != in.Target {
			pending = append(pending, n)
		}
	}
	if len(pending) == 0 {
		st := SubnetStatus{Subnet: APIBoundaryTarget, State: StateComplete,
			Detail: fmt.Sprintf("%d API boundary node(s) run %s", len(in.Nodes), shortVersion(in.Target))}
		if n := len(in.Proposals); n > 0 {
			st.Proposal, st.Executed = in.Proposals[n-1].ID, in.Proposals[n-1].Executed
		}
		return st
	}
	st := Derive(SubnetInput{Target: in.Target, RegistryVersion: pending[0].Version, Proposals: in.Proposals,
		Intent: in.Intent, Replaced: in.Replaced, Superseded: in.Superseded})
	st.Subnet = APIBoundaryTarget
	if st.State == StatePending {
		st.Detail = fmt.Sprintf("%d of %d API boundary node(s) do not run %s yet", len(pending), len(in.Nodes), shortVersion(in.Target))
	}
	return st
}

// deriveAPIBoundary fills the stage's status when the plan has one.
func (t *Tracker) deriveAPIBoundary(l *Ledger, o *observation, st *Status) {
	stage := l.Plan.APIBoundaryNodes
	if stage == nil {
		return
	}
	nodes := stage.apiBoundaryNodes(o.reg)
	in := APIBoundaryInput{Target: l.Version, Nodes: nodes, Proposals: o.apibn,
		Intent: hasIntent(l, KindAPIBoundary, ""), Replaced: o.replaced[APIBoundaryTarget]}
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
