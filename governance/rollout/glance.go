package rollout

import (
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// Glance is a release's status reduced to what a release manager reads
// first during an incident: how many targets are patched, the current batch
// and its gate, the one next action and when it is due, the quiet period,
// and the alerts. It is derived from a Status alone, so every front end
// (the TUI's Releases header, a script over `status --json`) says the same.
type Glance struct {
	// Patched and Targets count the targets (subnets, unassigned nodes, API
	// boundary nodes) patched and existing, from the registry timeline;
	// Targets is 0 when no timeline was read.
	Patched, Targets int
	// Unit names what Targets counts: "targets (subnets, unassigned nodes,
	// API boundary nodes)", "nodes" (HostOS) or "canisters".
	Unit string
	// StepName names the kind's step ("Batch", "Stage", "Canister") and
	// Step the current one in words ("2 of 3", "canary · batch 1 of 7",
	// "1 of 2 · root"); "" when no step is current.
	StepName, Step string
	// Batch is the current batch: the first one not complete (nil: none).
	Batch *BatchStatus
	// Gate says in words what the current batch waits for.
	Gate string
	// Action is the next thing to do, Command the nnspatch command that
	// does it ("" when the only action is to wait).
	Action, Command string
	// At is when Action becomes possible (zero: now, or not timed).
	At time.Time
	// Ready reports that Action can be taken now.
	Ready bool
	// Quiet is the quiet period in a phrase: the day, or why it is void.
	Quiet string
	// Alerts are the subnets whose alerts check does not pass (HostOS: the
	// nodes down on the version).
	Alerts []GlanceAlert
}

// GlanceAlert is one target's alerts.
type GlanceAlert struct {
	// Subnet is the target: a subnet id, "unassigned", or for a HostOS
	// release "node <id>".
	Subnet string
	// Detail names the alerts and their states.
	Detail string
	// Since is when the subnet was first seen failing its gate (zero:
	// unknown, e.g. an alert pending during the bake).
	Since time.Time
}

// Glance derives the glance of st.
func (st *Status) Glance() Glance {
	g := Glance{Targets: st.Quiet.Targets, Quiet: quietPhrase(st.Quiet), Unit: "targets (subnets, unassigned nodes, API boundary nodes)", StepName: "Batch"}
	if g.Targets > 0 {
		g.Patched = g.Targets - len(st.Quiet.Unpatched)
	}
	for i := range st.Batches {
		if st.Batches[i].State != StateComplete {
			g.Batch = &st.Batches[i]
			g.Step = fmt.Sprintf("%d of %d", g.Batch.Batch, len(st.Batches))
			break
		}
	}
	g.Alerts = alertsOf(st)
	g.Action, g.Command, g.At, g.Ready = nextAction(st, g.Batch)
	if g.Batch != nil {
		g.Gate = batchGate(st, *g.Batch)
	}
	return g
}

func quietPhrase(q QuietStatus) string {
	switch {
	case q.Void:
		return fmt.Sprintf("void: %d target(s) left the patched version; restarts when every target runs it", len(q.Unpatched))
	case !q.Started && len(q.Held) > 0:
		return fmt.Sprintf("held: the API boundary nodes run the version but were not seen up on it yet (%d days)", q.Days)
	case !q.Started:
		return fmt.Sprintf("not started: starts when every target runs the version (%d days)", q.Days)
	case q.Over:
		return "over since " + q.End.Format("2006-01-02 15:04 MST") + ": disclosure due"
	}
	return fmt.Sprintf("day %d of %d", q.Day, q.Days)
}

func alertsOf(st *Status) []GlanceAlert {
	var out []GlanceAlert
	add := func(s SubnetStatus) {
		for _, c := range s.Checks {
			if c.Name != health.CheckAlerts || c.OK {
				continue
			}
			a := GlanceAlert{Subnet: s.Subnet, Detail: c.Detail}
			if a.Detail == "" {
				a.Detail = s.Detail
			}
			if s.State == StateFailed {
				a.Since = s.Record.Failed
			}
			out = append(out, a)
		}
	}
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			add(s)
		}
	}
	add(st.Unassigned)
	return out
}

// batchGate says what the current batch waits for.
func batchGate(st *Status, b BatchStatus) string {
	switch b.State {
	case StatePending:
		if st.Now.Before(b.Start) {
			return "starts " + b.Start.Format("2006-01-02 15:04 MST")
		}
		return "open: earlier batches complete, start time passed"
	case StateProposing, StateWaitingForAdoption:
		return "deploy proposals waiting for adoption and execution"
	case StateUpgrading:
		return "replicas upgrading"
	case StateBaking:
		return fmt.Sprintf("baking: %s left", bakeLeft(b).Round(time.Second))
	case StateFailed:
		return "closed: a subnet failed its gate"
	case StateRolledBack:
		return "closed: a subnet was rolled back"
	}
	return string(b.State)
}

func bakeLeft(b BatchStatus) time.Duration {
	var left time.Duration
	for _, s := range b.Subnets {
		left = max(left, s.BakeLeft)
	}
	return left
}

// nextAction is the one next action of the rollout, its command, when it
// becomes possible and whether it can be taken now.
func nextAction(st *Status, cur *BatchStatus) (action, command string, at time.Time, ready bool) {
	switch st.State {
	case RolloutAbandoned:
		return "none: the release was abandoned", "", at, false
	case RolloutElectFailed:
		return "resubmit the election or abandon the release", "release submit", at, true
	case RolloutPreparing:
		if st.Election.Status != "executed" {
			return "wait for the election: " + st.Election.Next, "", at, false
		}
		return "plan the rollout", "rollout plan", at, true
	case RolloutHalted:
		return "resume the rollout once the cause is resolved", "rollout resume", at, true
	case RolloutFailed:
		for _, f := range failures(st) {
			return "roll back or halt: " + f, "rollback plan", at, true
		}
		return "roll back or halt", "rollback plan", at, true
	case RolloutRolledBack:
		return "ship a fix as a new release, or re-deploy the rolled-back subnets", "rollout advance --redeploy-rolled-back", at, false
	case RolloutUnassigned:
		return unassignedAction(st)
	case RolloutAPIBoundary:
		return apiBoundaryAction(st)
	case RolloutComplete:
		return disclosureAction(st.Quiet, st.Disclosure)
	}
	if cur == nil {
		return "wait for the next observation", "", at, false
	}
	return batchAction(st, *cur)
}

func batchAction(st *Status, b BatchStatus) (string, string, time.Time, bool) {
	advance := fmt.Sprintf("advance batch %d: deploy to %d subnets", b.Batch, len(b.Subnets))
	switch b.State {
	case StatePending:
		if st.Now.Before(b.Start) {
			return advance, "rollout advance", b.Start, false
		}
		return advance, "rollout advance", time.Time{}, true
	case StateProposing, StateWaitingForAdoption:
		return fmt.Sprintf("wait for batch %d's deploy proposals to execute", b.Batch), "", time.Time{}, false
	case StateUpgrading:
		return fmt.Sprintf("wait for batch %d's replicas to run the version", b.Batch), "", time.Time{}, false
	case StateBaking:
		at := st.Now.Add(bakeLeft(b))
		if n := nextAfter(st, b.Batch); n != nil {
			return fmt.Sprintf("advance batch %d once batch %d has baked", n.Batch, b.Batch), "rollout advance", at, false
		}
		return fmt.Sprintf("wait for batch %d to bake", b.Batch), "", at, false
	}
	return fmt.Sprintf("batch %d is %s", b.Batch, b.State), "", time.Time{}, false
}

// apiBoundaryAction is the next action of the API boundary node stage:
// its deploy, then its gate (health data, bake).
func apiBoundaryAction(st *Status) (string, string, time.Time, bool) {
	const advance = "advance: deploy to the API boundary nodes"
	a := st.APIBoundary
	switch {
	case a == nil:
		return "wait for the next observation", "", time.Time{}, false
	case a.State == StatePending && st.Now.Before(st.APIBoundaryStart):
		return advance, "rollout advance", st.APIBoundaryStart, false
	case a.State == StatePending:
		return advance, "rollout advance", time.Time{}, true
	case a.State == StateUpgrading:
		return "wait for the API boundary nodes' health: " + a.Detail, "", time.Time{}, false
	case a.State == StateBaking:
		return "wait for the API boundary nodes to bake", "", st.Now.Add(a.BakeLeft), false
	}
	return "wait for the API boundary nodes' deploy proposal to execute", "", time.Time{}, false
}

func unassignedAction(st *Status) (string, string, time.Time, bool) {
	const advance = "advance: deploy to the unassigned nodes"
	switch u := st.Unassigned; {
	case u.State == StatePending && st.Now.Before(st.UnassignedStart):
		return advance, "rollout advance", st.UnassignedStart, false
	case u.State == StatePending || u.State == "":
		return advance, "rollout advance", time.Time{}, true
	case u.State == StateFailed:
		return "the unassigned nodes' deploy failed: " + u.Detail, "rollout advance --retry-failed-proposals", time.Time{}, true
	}
	return "wait for the unassigned nodes' deploy proposal to execute", "", time.Time{}, false
}

// disclosureAction is the next action of a rollout that reached 100%.
func disclosureAction(q QuietStatus, d *Disclosure) (string, string, time.Time, bool) {
	switch {
	case d != nil:
		return "none: the source is disclosed", "", time.Time{}, false
	case q.Over:
		return "disclose the source", "release disclose", time.Time{}, true
	case q.Started:
		return "disclose the source when the quiet period ends", "release disclose", q.End, false
	}
	return "wait until every target runs the version (quiet period)", "", time.Time{}, false
}

// NNS function names of the proposals Advance submits.
const (
	DeploySubnetFunction     = "DeployGuestosToAllSubnetNodes"
	DeployUnassignedFunction = "DeployGuestosToAllUnassignedNodes"
)

// AdvancePreview is what Advance would submit on st, as a confirmation
// names it before anything is sent.
type AdvancePreview struct {
	// Batch is the batch whose subnets are proposed (0: the unassigned
	// nodes).
	Batch int
	// Function is the NNS function of every proposal.
	Function string
	// Subnets are the subnets proposed (empty for the unassigned nodes).
	Subnets []string
	// Kind is the release kind (ReleaseGuestOS, ReleaseHostOS,
	// ReleaseCanister).
	Kind string
	// Stage is the HostOS stage of Batch and Nodes the batch's nodes.
	Stage string
	Nodes []string
	// Canister, CanisterName and WasmSHA256 are the NNS canister upgraded
	// and its new module's SHA-256.
	Canister, CanisterName, WasmSHA256 string
	// Wait says why nothing would be submitted (Subnets empty, Batch 0,
	// Function "").
	Wait []string
}

// PreviewAdvance says what Advance would submit on st (same selection as
// Advance, without retries or re-deploys), before the gate checks Advance
// repeats against a fresh status.
func (st *Status) PreviewAdvance() AdvancePreview {
	l := &Ledger{Plan: &Plan{UnassignedNodes: st.UnassignedStart}}
	targets, wait := nextTargets(l, st, false, false)
	switch {
	case len(targets) == 0:
		return AdvancePreview{Wait: wait}
	case targets[0] == "":
		return AdvancePreview{Kind: ReleaseGuestOS, Function: DeployUnassignedFunction}
	}
	p := AdvancePreview{Kind: ReleaseGuestOS, Function: DeploySubnetFunction, Subnets: targets}
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			if s.Subnet == targets[0] {
				p.Batch = b.Batch
			}
		}
	}
	return p
}

// DisclosureDue returns when the source is due to be disclosed: the end of
// the quiet period while it runs (not void) and nothing was disclosed yet.
func (st *Status) DisclosureDue() (time.Time, bool) {
	q := st.Quiet
	if st.Disclosure != nil || !q.Started || q.Void {
		return time.Time{}, false
	}
	return q.End, true
}
