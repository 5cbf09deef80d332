package rollout

import (
	"fmt"
	"time"
)

// NNS function names of the proposals AdvanceHostOS and AdvanceCanisters
// submit.
const (
	DeployHostOSFunction = "DeployHostosToSomeNodes"
	InstallCodeFunction  = "InstallCode"
)

// Describe says in one line what the preview would submit, or why nothing.
func (p AdvancePreview) Describe() string {
	switch {
	case p.Function == "":
		return "nothing to submit yet: " + joinOr(p.Wait, "nothing is due")
	case p.Kind == ReleaseHostOS:
		return fmt.Sprintf("1 %s proposal: HostOS stage %s, batch %d, %d node(s)", p.Function, p.Stage, p.Batch, len(p.Nodes))
	case p.Kind == ReleaseCanister:
		return fmt.Sprintf("1 %s proposal: upgrade NNS canister %s (%s) to the wasm with SHA-256 %s", p.Function, p.CanisterName, p.Canister, p.WasmSHA256)
	case len(p.Subnets) == 0:
		return fmt.Sprintf("1 %s proposal: the unassigned nodes", p.Function)
	}
	return fmt.Sprintf("%d %s proposal(s): batch %d, subnets %s", len(p.Subnets), p.Function, p.Batch, listSome(p.Subnets, 5))
}

func joinOr(ss []string, none string) string {
	if len(ss) == 0 {
		return none
	}
	out := ss[0]
	for _, s := range ss[1:] {
		out += "; " + s
	}
	return out
}

// PreviewAdvance says what AdvanceHostOS would submit on st (the same
// selection, without retries), before AdvanceHostOS repeats its checks
// against a fresh status.
func (st *HostOSStatus) PreviewAdvance() AdvancePreview {
	if err := hostOSCheck(st, st.State == RolloutAbandoned, st.Halted, st.plan != nil); err != nil {
		return AdvancePreview{Wait: []string{err.Error()}}
	}
	l := &Ledger{HostOS: st.plan.clone()}
	b, wait, err := (&Tracker{}).nextNodeBatch(l, st)
	switch {
	case err != nil:
		return AdvancePreview{Wait: []string{err.Error()}}
	case b == nil:
		return AdvancePreview{Wait: wait}
	}
	p := AdvancePreview{Kind: ReleaseHostOS, Function: DeployHostOSFunction, Batch: b.Batch, Nodes: b.Nodes}
	for _, s := range l.HostOS.Stages {
		for _, nb := range s.Batches {
			if nb.Batch == b.Batch {
				p.Stage = s.Name
			}
		}
	}
	return p
}

// Glance derives the glance of a HostOS release: nodes on the version,
// the current stage and batch with its gate, the next action, the quiet
// period and the nodes down on the version.
func (st *HostOSStatus) Glance() Glance {
	g := Glance{Patched: st.OnVersion, Targets: st.Nodes, Unit: "nodes", StepName: "Stage", Quiet: quietPhrase(st.Quiet)}
	stage, batch := st.current()
	if stage != nil && st.State != RolloutComplete {
		g.Step = stage.Name
		if batch != nil {
			g.Step += fmt.Sprintf(" · batch %d of %d", batch.Batch, st.batches())
		}
		g.Gate = st.gate(*stage, batch)
	}
	g.Alerts = st.alerts()
	g.Action, g.Command, g.At, g.Ready = st.nextAction(batch)
	return g
}

// current is the first stage not complete and its first batch not
// complete (nil: none).
func (st *HostOSStatus) current() (*HostOSStageStatus, *HostOSBatchStatus) {
	for i := range st.Stages {
		s := &st.Stages[i]
		if s.State == StateComplete {
			continue
		}
		for j := range s.Batches {
			if s.Batches[j].State != StateComplete {
				return s, &s.Batches[j]
			}
		}
		return s, nil
	}
	return nil, nil
}

func (st *HostOSStatus) batches() int {
	n := 0
	for _, s := range st.Stages {
		n += len(s.Batches)
	}
	return n
}

// bakeEnd is when batch b has baked (zero: not executed).
func (st *HostOSStatus) bakeEnd(b HostOSBatchStatus) time.Time {
	if b.Proposal.Executed.IsZero() || st.plan == nil {
		return time.Time{}
	}
	return b.Proposal.Executed.Add(time.Duration(st.plan.Bake))
}

// gate says what the current stage and batch wait for.
func (st *HostOSStatus) gate(s HostOSStageStatus, b *HostOSBatchStatus) string {
	if s.Exceeded {
		return fmt.Sprintf("closed: %d of %d node(s) failed, over the stage's tolerance of %.0f%%", s.Failed, s.Nodes, s.Tolerance*100)
	}
	if b == nil {
		return string(s.State)
	}
	switch b.State {
	case StatePending:
		if st.Now.Before(b.Start) {
			return "starts " + b.Start.Format("2006-01-02 15:04 MST")
		}
		return "open: earlier batches complete, start time passed"
	case StateProposing, StateWaitingForAdoption:
		return "deploy proposal waiting for adoption and execution"
	case StateBaking:
		if len(b.Alerting) > 0 {
			return fmt.Sprintf("baking: waiting for the alerts pending on %d node(s) to clear (%s)", len(b.Alerting), listSome(b.Alerting, 3))
		}
		return fmt.Sprintf("baking: %s left (%d of %d failed, tolerance %.0f%%)", st.bakeEnd(*b).Sub(st.Now).Round(time.Second), s.Failed, s.Nodes, s.Tolerance*100)
	case StateFailed:
		return fmt.Sprintf("closed: proposal %d %s", b.Proposal.ID, b.Proposal.Status)
	case StateRolledBack:
		return fmt.Sprintf("closed: %d node(s) rolled back", len(b.RolledBack))
	}
	return string(b.State)
}

// alerts are the nodes failed on the version and those with an alert
// pending, by stage.
func (st *HostOSStatus) alerts() []GlanceAlert {
	var out []GlanceAlert
	for _, s := range st.Stages {
		for _, b := range s.Batches {
			for _, id := range b.Down {
				out = append(out, GlanceAlert{Subnet: "node " + id, Since: st.DownSince[id],
					Detail: fmt.Sprintf("failed on the version: host down or an alert firing (stage %s: %d of %d failed, tolerance %.0f%%)", s.Name, s.Failed, s.Nodes, s.Tolerance*100)})
			}
			for _, id := range b.Alerting {
				out = append(out, GlanceAlert{Subnet: "node " + id, Detail: fmt.Sprintf("alert pending: HostOS batch %d waits for it to clear", b.Batch)})
			}
		}
	}
	return out
}

// nextAction is the one next action of a HostOS rollout.
func (st *HostOSStatus) nextAction(b *HostOSBatchStatus) (action, command string, at time.Time, ready bool) {
	switch st.State {
	case RolloutAbandoned:
		return "none: the release was abandoned", "", at, false
	case RolloutElectFailed:
		return "resubmit the election or abandon the release", "release submit", at, true
	case RolloutPreparing:
		if st.Election.Status != "executed" {
			return "wait for the election: " + joinOr([]string{st.Election.Next}, st.Election.Status), "", at, false
		}
		return "plan the HostOS stages", "rollout plan", at, true
	case RolloutHalted:
		return "resume the rollout once the cause is resolved", "rollout resume", at, true
	case RolloutFailed:
		return "roll back or halt: " + joinOr(st.Blockers, "a stage is over its tolerance"), "rollback plan", at, true
	case RolloutRolledBack:
		return "ship a fix as a new release", "", at, false
	case RolloutComplete:
		return disclosureAction(st.Quiet, st.Disclosure)
	}
	if b == nil {
		return "wait for the next observation", "", at, false
	}
	switch b.State {
	case StatePending:
		if st.Now.Before(b.Start) {
			return fmt.Sprintf("advance HostOS batch %d: deploy to %d nodes", b.Batch, b.Nodes), "rollout advance", b.Start, false
		}
		if pv := st.PreviewAdvance(); pv.Function != "" {
			return fmt.Sprintf("advance HostOS stage %s batch %d: deploy to %d nodes", pv.Stage, pv.Batch, len(pv.Nodes)), "rollout advance", at, true
		}
		return "wait: " + joinOr(st.PreviewAdvance().Wait, "nothing is due"), "", at, false
	case StateProposing, StateWaitingForAdoption:
		return fmt.Sprintf("wait for HostOS batch %d's deploy proposal to execute", b.Batch), "", at, false
	case StateBaking:
		return fmt.Sprintf("advance once HostOS batch %d has baked", b.Batch), "rollout advance", st.bakeEnd(*b), false
	case StateFailed:
		return fmt.Sprintf("HostOS batch %d's proposal %d %s: propose it again or roll back", b.Batch, b.Proposal.ID, b.Proposal.Status), "rollout advance --retry-failed-proposals", at, true
	}
	return fmt.Sprintf("HostOS batch %d is %s", b.Batch, b.State), "", at, false
}

// PreviewAdvance says what AdvanceCanisters would submit on st (the same
// selection, without retries).
func (st *CanisterStatus) PreviewAdvance() AdvancePreview {
	if err := canisterStop(st); err != nil {
		return AdvancePreview{Wait: []string{err.Error()}}
	}
	for _, cs := range st.Canisters {
		switch cs.State {
		case StateComplete:
			continue
		case StatePending:
			return AdvancePreview{Kind: ReleaseCanister, Function: InstallCodeFunction, Canister: cs.Canister, CanisterName: cs.Name, WasmSHA256: cs.WasmSHA256}
		case StateFailed:
			return AdvancePreview{Wait: []string{fmt.Sprintf("canister %s: %s; pass --retry-failed-proposals to propose it again", cs.Name, cs.Detail)}}
		}
		return AdvancePreview{Wait: []string{fmt.Sprintf("canister %s is %s (%s)", cs.Name, cs.State, cs.Detail)}}
	}
	return AdvancePreview{Wait: []string{"every canister runs its new module"}}
}

// Glance derives the glance of an NNS canister release: canisters running
// their new module, the current canister and its gate, the next action and
// the quiet period (canisters have no health alerts).
func (st *CanisterStatus) Glance() Glance {
	g := Glance{Targets: len(st.Canisters), Unit: "canisters", StepName: "Canister", Quiet: quietPhrase(st.Quiet)}
	var cur *CanisterUpgradeStatus
	for i := range st.Canisters {
		c := &st.Canisters[i]
		if c.ModuleHash == c.WasmSHA256 {
			g.Patched++
		}
		if cur == nil && c.State != StateComplete {
			cur = c
			g.Step = fmt.Sprintf("%d of %d · %s", i+1, len(st.Canisters), c.Name)
		}
	}
	if cur != nil {
		g.Gate = canisterGate(*cur)
	}
	g.Action, g.Command, g.At, g.Ready = st.nextAction(cur)
	return g
}

func canisterGate(c CanisterUpgradeStatus) string {
	switch c.State {
	case StatePending:
		return "open: every canister before it runs its new module"
	case StateProposing:
		return "InstallCode proposal being submitted"
	case StateWaitingForAdoption:
		return fmt.Sprintf("InstallCode proposal %d waiting for adoption and execution", c.Proposal.ID)
	case StateFailed, StateRolledBack:
		return "closed: " + c.Detail
	}
	return string(c.State)
}

// nextAction is the one next action of an NNS canister release.
func (st *CanisterStatus) nextAction(c *CanisterUpgradeStatus) (action, command string, at time.Time, ready bool) {
	switch st.State {
	case RolloutAbandoned:
		return "none: the release was abandoned", "", at, false
	case RolloutHalted:
		return "resume the rollout once the cause is resolved", "rollout resume", at, true
	case RolloutRolledBack:
		return "ship a fix as a new release", "", at, false
	case RolloutComplete:
		return disclosureAction(st.Quiet, st.Disclosure)
	}
	if c == nil {
		return "wait for the next observation", "", at, false
	}
	switch c.State {
	case StatePending:
		return fmt.Sprintf("advance: propose the upgrade of %s (InstallCode)", c.Name), "rollout advance", at, true
	case StateFailed:
		return fmt.Sprintf("the upgrade of %s failed (%s): propose it again or roll back", c.Name, c.Detail), "rollout advance --retry-failed-proposals", at, true
	case StateProposing, StateWaitingForAdoption:
		return fmt.Sprintf("wait for the InstallCode proposal of %s to execute", c.Name), "", at, false
	}
	return fmt.Sprintf("canister %s is %s", c.Name, c.State), "", at, false
}
