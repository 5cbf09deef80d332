package rollout

import (
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// State is a subnet's place in a rollout, in the spirit of DFINITY's
// rollout dashboard.
type State string

// The states, in the order a subnet normally passes through them.
const (
	StatePending            State = "pending"
	StateProposing          State = "proposing"
	StateWaitingForAdoption State = "waiting_for_adoption"
	StateUpgrading          State = "upgrading"
	StateBaking             State = "baking"
	StateComplete           State = "complete"
	StateFailed             State = "failed"
	// StateRolledBack: the subnet ran the target, then a later executed
	// deploy of another version (a rollback) replaced it. Advance never
	// proposes the target to it again unless RedeployRolledBack is set.
	StateRolledBack State = "rolled_back"
	// StateSuperseded: the subnet ran the target and now runs a version
	// elected after it (timeline.OutcomeSuperseded). It counts as done:
	// nothing proposes the target to it again, and it is never "rolled
	// back".
	StateSuperseded State = "superseded"
)

// Symbol returns a one-character marker for text output (meaning never
// rests on colour alone).
func (s State) Symbol() string {
	switch s {
	case StateComplete:
		return "✓"
	case StateFailed:
		return "✗"
	case StatePending:
		return "·"
	case StateRolledBack:
		return "↩"
	case StateSuperseded:
		return "⇡"
	}
	return "…"
}

// CheckProposal names the failed "check" of a rejected or failed proposal.
const CheckProposal = "proposal"

// Replacement is an executed deploy of another version to a subnet (or
// the unassigned nodes): a rollback when it executed after the target's.
type Replacement struct {
	ID       uint64    `json:"proposal"`
	Version  string    `json:"version"`
	Executed time.Time `json:"executed"`
}

// ProposalView is what Derive needs of one deploy proposal.
type ProposalView struct {
	ID            uint64            `json:"id"`
	Status        governance.Status `json:"status"`
	FailureReason string            `json:"failure_reason,omitempty"`
	// Executed is when governance executed the proposal (zero if not).
	Executed time.Time `json:"executed,omitzero"`
}

// SubnetInput is everything Derive looks at for one subnet.
type SubnetInput struct {
	// Target is the version rolled out.
	Target string
	// Now is the current time (the network's clock).
	Now time.Time
	// Bake is how long the subnet must stay healthy.
	Bake time.Duration
	// RegistryVersion is the version in the subnet's registry record.
	RegistryVersion string
	// Proposals are the deploy proposals of Target to this subnet, oldest first.
	Proposals []ProposalView
	// Intent reports an intent recorded without a confirmed proposal id.
	Intent bool
	// Replaced is the latest executed deploy of another version to the
	// subnet (nil when none is in view).
	Replaced *Replacement
	// Health is the latest observation; nil when none is available.
	Health *health.Subnet
	// Superseded is the newer version the subnet runs after having run
	// Target ("" when it does not): timeline.Timeline.Outcome said
	// OutcomeSuperseded.
	Superseded string
	// Replicas is the subnet's node count in the registry (0: unknown).
	Replicas int
	// Record is the ledger's bookkeeping for the subnet.
	Record SubnetRecord
}

// SubnetStatus is a subnet's derived state.
type SubnetStatus struct {
	Subnet string `json:"subnet"`
	State  State  `json:"state"`
	// Detail explains the state in one line.
	Detail string `json:"detail"`
	// Proposal is the latest deploy proposal (0 if none).
	Proposal uint64 `json:"proposal,omitempty"`
	// Executed is when the latest deploy proposal executed (zero if not).
	Executed time.Time `json:"executed,omitzero"`
	// FailedCheck names the check that failed (StateFailed only).
	FailedCheck string `json:"failed_check,omitempty"`
	// Checks are the gate checks of the latest observation.
	Checks []health.Check `json:"checks,omitempty"`
	// BakeLeft is the bake time still to go (StateBaking only; JSON: nanoseconds).
	BakeLeft time.Duration `json:"bake_left,omitempty"`
	// RolledBack is the deploy that rolled the subnet back (StateRolledBack only).
	RolledBack *Replacement `json:"rolled_back,omitempty"`
	// Record is the updated bookkeeping to store.
	Record SubnetRecord `json:"-"`
}

// MinHeightInterval is the shortest time between two height observations
// that Derive compares: a healthy subnet finalizes about a block a second.
const MinHeightInterval = 5 * time.Second

// Derive computes a subnet's state. It is a pure function of its input.
func Derive(in SubnetInput) SubnetStatus {
	in.Health, in.Record = finalizingFromHeight(in.Health, in.Record, in.Now)
	st := SubnetStatus{Record: in.Record}
	var latest *ProposalView
	if n := len(in.Proposals); n > 0 {
		latest = &in.Proposals[n-1]
		st.Proposal, st.Executed = latest.ID, latest.Executed
	}
	if in.RegistryVersion == in.Target {
		return deriveDeployed(in, st)
	}
	st.Record.Running = time.Time{}
	switch {
	case in.Superseded != "":
		st.State = StateSuperseded
		st.Detail = fmt.Sprintf("superseded: ran %s, now runs the newer %s", shortVersion(in.Target), shortVersion(in.Superseded))
	case latest == nil && in.Intent:
		st.State, st.Detail = StateProposing, "submission recorded, waiting for the proposal id"
	case latest == nil:
		st.State, st.Detail = StatePending, "no deploy proposal yet"
	case latest.Status == governance.StatusOpen:
		st.State, st.Detail = StateWaitingForAdoption, fmt.Sprintf("proposal %d is open", latest.ID)
	case latest.Status == governance.StatusAdopted:
		st.State, st.Detail = StateWaitingForAdoption, fmt.Sprintf("proposal %d adopted, not executed yet", latest.ID)
	case latest.Status == governance.StatusExecuted && rolledBack(latest, in.Replaced):
		st.State, st.RolledBack = StateRolledBack, in.Replaced
		st.Detail = fmt.Sprintf("rolled back to %s %s (after %s deployed %s)", shortVersion(in.Replaced.Version), byProposal(in.Replaced.ID), proposalName(latest.ID), shortVersion(in.Target))
	case latest.Status == governance.StatusExecuted:
		st.State, st.FailedCheck = StateFailed, CheckProposal
		st.Detail = fmt.Sprintf("proposal %d executed but the registry names %s", latest.ID, shortVersion(in.RegistryVersion))
	default:
		st.State, st.FailedCheck = StateFailed, CheckProposal
		st.Detail = fmt.Sprintf("proposal %d %s", latest.ID, latest.Status)
		if latest.FailureReason != "" {
			st.Detail += ": " + latest.FailureReason
		}
	}
	return st
}

// rolledBack reports whether r, an executed deploy of another version,
// executed after ours (the proposal id breaks a tie of execution times).
func rolledBack(ours *ProposalView, r *Replacement) bool {
	if r == nil || r.Executed.IsZero() {
		return false
	}
	return r.Executed.After(ours.Executed) || (r.Executed.Equal(ours.Executed) && r.ID > ours.ID)
}

// finalizingFromHeight fills Finalizing from the height growth since the
// recorded observation when the source reported only a height, and records
// the new height.
func finalizingFromHeight(h *health.Subnet, r SubnetRecord, now time.Time) (*health.Subnet, SubnetRecord) {
	if h == nil || h.Finalizing != nil || h.Height == nil {
		return h, r
	}
	if !r.HeightAt.IsZero() && now.Sub(r.HeightAt) < MinHeightInterval {
		return h, r
	}
	cp := *h
	if !r.HeightAt.IsZero() {
		grew := *h.Height > r.Height
		cp.Finalizing = &grew
	}
	r.Height, r.HeightAt = *h.Height, now
	return &cp, r
}

// deriveDeployed derives the state of a subnet whose registry record names
// the target: upgrading until every replica runs it, then baking while the
// gate holds, complete after Bake, failed when it stalls or an alert fires.
func deriveDeployed(in SubnetInput, st SubnetStatus) SubnetStatus {
	if in.Health == nil {
		st.State, st.Detail = StateUpgrading, "deployed; no health data yet"
		return st
	}
	st.Checks = health.EvaluateReplicas(*in.Health, in.Target, in.Replicas)
	checks := map[string]health.Check{}
	for _, c := range st.Checks {
		checks[c.Name] = c
	}
	fail := func(name string) SubnetStatus {
		st.State, st.FailedCheck, st.Detail = StateFailed, name, checks[name].Detail
		st.Record.HealthySince = time.Time{}
		return st
	}
	switch {
	case !checks[health.CheckFinalizing].OK && in.Health.Finalizing != nil:
		return fail(health.CheckFinalizing)
	case in.Health.Firing():
		return fail(health.CheckAlerts)
	case !checks[health.CheckVersion].OK:
		st.State, st.Detail = StateUpgrading, checks[health.CheckVersion].Detail
		st.Record.HealthySince, st.Record.Running = time.Time{}, time.Time{}
		return st
	}
	if st.Record.Running.IsZero() {
		st.Record.Running = in.Now
	}
	switch {
	case !checks[health.CheckAlerts].OK:
		st.State, st.Detail, st.BakeLeft = StateBaking, "waiting for the alerts to clear: "+checks[health.CheckAlerts].Detail, in.Bake
		st.Record.HealthySince = time.Time{}
		return st
	case in.Health.Finalizing == nil && st.Record.Complete.IsZero():
		st.State, st.Detail, st.BakeLeft = StateBaking, "waiting for finalized-height data", in.Bake
		return st
	case in.Health.Finalizing == nil:
		st.State, st.Detail = StateComplete, "running "+shortVersion(in.Target)+" (finalization not re-checked yet)"
		return st
	}
	healthy, done := bakeStep(&st, in.Now, in.Bake)
	if done {
		st.State, st.Detail = StateComplete, "running "+shortVersion(in.Target)+", healthy"
		return st
	}
	st.Detail = fmt.Sprintf("healthy for %s of %s", healthy.Round(time.Second), in.Bake)
	return st
}

// bakeStep counts a target's bake on a healthy look: from HealthySince
// (set now on the first healthy look) until bake has passed, when Complete
// is recorded and kept (a target once baked stays complete). It reports how
// long the target has been healthy and whether the bake is over; until
// then st is baking with BakeLeft set.
func bakeStep(st *SubnetStatus, now time.Time, bake time.Duration) (healthy time.Duration, done bool) {
	if st.Record.HealthySince.IsZero() {
		st.Record.HealthySince = now
	}
	healthy = now.Sub(st.Record.HealthySince)
	if !st.Record.Complete.IsZero() || healthy >= bake {
		if st.Record.Complete.IsZero() {
			st.Record.Complete = now
		}
		return healthy, true
	}
	st.State, st.BakeLeft = StateBaking, bake-healthy
	return healthy, false
}

// UnassignedInput is what DeriveUnassigned looks at.
type UnassignedInput struct {
	Target          string
	RegistryVersion string
	Proposals       []ProposalView
	Intent          bool
	// Replaced is the latest executed deploy of another version to the
	// unassigned nodes (nil when none is in view).
	Replaced *Replacement
	// Superseded is the newer version they run after having run Target.
	Superseded string
}

// DeriveUnassigned computes the unassigned nodes' state: complete once the
// registry's unassigned_nodes_config names the target (their replicas have
// no metrics of their own).
func DeriveUnassigned(in UnassignedInput) SubnetStatus {
	if in.RegistryVersion == in.Target {
		st := SubnetStatus{Subnet: "unassigned", State: StateComplete, Detail: "unassigned nodes configured for " + shortVersion(in.Target)}
		if n := len(in.Proposals); n > 0 {
			st.Proposal = in.Proposals[n-1].ID
		}
		return st
	}
	st := Derive(SubnetInput{Target: in.Target, RegistryVersion: in.RegistryVersion, Proposals: in.Proposals, Intent: in.Intent, Replaced: in.Replaced, Superseded: in.Superseded})
	st.Subnet = "unassigned"
	return st
}

func shortVersion(v string) string {
	if v == "" {
		return "(none)"
	}
	if len(v) > 10 {
		return v[:10]
	}
	return v
}
