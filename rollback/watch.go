package rollback

import (
	"fmt"
	"maps"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// CheckState is where one check of a target stands.
type CheckState string

// Check states.
const (
	// CheckOK: the check passed on the restored version.
	CheckOK CheckState = "ok"
	// CheckWaiting: no verdict yet (the version has not arrived, one
	// height seen so far, an alert pending): the target is recovering.
	CheckWaiting CheckState = "waiting"
	// CheckFailed: the check failed for real (a stall or a firing alert
	// on the restored version, the registry on another version after the
	// deploy executed, a rejected deploy).
	CheckFailed CheckState = "failed"
)

// TargetCheck is one gate check (health.CheckVersion, CheckFinalizing,
// CheckAlerts) of a subnet target on its restored version.
type TargetCheck struct {
	Name   string     `json:"name"`
	State  CheckState `json:"state"`
	Detail string     `json:"detail"`
}

// TargetHealth is one subnet target's gate checks on the version it is
// restored to, as JudgeTarget decides them.
type TargetHealth struct {
	Subnet  string        `json:"subnet"`
	Version string        `json:"version"`
	Checks  []TargetCheck `json:"checks"`
}

// Healthy reports whether every check passed.
func (t TargetHealth) Healthy() bool { return t.State() == CheckOK }

// State sums the checks up: failed if one failed, else waiting if one
// waits, else ok (waiting without checks).
func (t TargetHealth) State() CheckState {
	if len(t.Checks) == 0 {
		return CheckWaiting
	}
	st := CheckOK
	for _, c := range t.Checks {
		switch c.State {
		case CheckFailed:
			return CheckFailed
		case CheckWaiting:
			st = CheckWaiting
		}
	}
	return st
}

// Recovery counts a rollback's observed subnet targets: how many are
// healthy on their restored version, of how many.
type Recovery struct {
	Healthy, Total int
}

// Recovered reports whether every observed target is healthy.
func (r Recovery) Recovered() bool { return r.Total > 0 && r.Healthy == r.Total }

// Recovering is the number of targets not healthy yet.
func (r Recovery) Recovering() int { return r.Total - r.Healthy }

// CountRecovery counts ts.
func CountRecovery(ts []TargetHealth) Recovery {
	r := Recovery{Total: len(ts)}
	for _, t := range ts {
		if t.Healthy() {
			r.Healthy++
		}
	}
	return r
}

// DeployProgress is what is known of the step that deploys a target's
// restored version: it tells a wait for the version from a failure.
type DeployProgress struct {
	// State is the step's state ("" when no step is known).
	State StepState
	// Proposal is the step's proposal (0 when none).
	Proposal uint64
	// Status is the proposal's status when read.
	Status governance.Status
}

// JudgeTarget is the one rule for "subnet runs version": the rollback
// executor's step-done rule (CondSubnetRuns) and the targets' health in
// Status both call it. Its checks are the rollout gate's
// (health.EvaluateReplicas with the registry's node count, so every
// replica of the registry record must report the version, and any alert,
// pending included, keeps the target from being healthy; a firing one
// fails it), judged once the registry names version and every replica
// runs it:
//   - version: ok once every replica reports it; waiting while the deploy
//     is pending, open or adopted, or the replicas upgrade; failed when the
//     deploy's proposal was rejected or failed, or executed while the
//     registry names another version.
//   - finalizing: from sub.Finalizing, which the caller fills through
//     rollout.Heights (judgeFinalization): nil is waiting (one height seen),
//     false is a stall on the restored version (failed).
//   - alerts: none ok, pending waiting, firing failed.
//
// Before every replica runs version, finalization and alerts wait: a stall
// or an alert then is the patch's, the failure the rollback removes. (The
// rollout's gate fails those even during an upgrade, since its subnet was
// healthy before it.) snap nil judges from the registry alone.
func JudgeTarget(reg *governance.Registry, snap *health.Snapshot, subnet, version string, dp DeployProgress) TargetHealth {
	th := TargetHealth{Subnet: subnet, Version: version}
	rs, ok := reg.SubnetByID(subnet)
	switch {
	case !ok:
		th.Checks = append(th.Checks, TargetCheck{Name: health.CheckVersion, State: CheckFailed, Detail: "subnet " + subnet + " is not in the registry"})
		return th.waitRest("the subnet is not in the registry")
	case rs.GuestOSVersion != version:
		th.Checks = append(th.Checks, registryCheck(rs.GuestOSVersion, version, dp))
		return th.waitRest("judged once every replica runs " + short(version))
	case snap == nil:
		th.Checks = []TargetCheck{{Name: health.CheckVersion, State: CheckOK, Detail: "the registry assigns " + short(version) + " (replicas not observed)"}}
		return th
	}
	sub, seen := snap.Subnets[subnet]
	if !seen {
		th.Checks = append(th.Checks, TargetCheck{Name: health.CheckVersion, State: CheckWaiting, Detail: "the health source reports no replica of the subnet"})
		return th.waitRest("judged once every replica runs " + short(version))
	}
	gate := health.EvaluateReplicas(sub, version, len(rs.Nodes))
	if !gate[0].OK {
		th.Checks = append(th.Checks, TargetCheck{Name: health.CheckVersion, State: CheckWaiting, Detail: "upgrading: " + gate[0].Detail})
		return th.waitRest("judged once every replica runs " + short(version))
	}
	th.Checks = append(th.Checks, TargetCheck{Name: health.CheckVersion, State: CheckOK, Detail: gate[0].Detail},
		finalizingCheck(sub, gate[1]), alertsCheck(sub, gate[2]))
	return th
}

// waitRest adds the finalizing and alerts checks as waiting, with why.
func (t TargetHealth) waitRest(why string) TargetHealth {
	t.Checks = append(t.Checks, TargetCheck{Name: health.CheckFinalizing, State: CheckWaiting, Detail: why},
		TargetCheck{Name: health.CheckAlerts, State: CheckWaiting, Detail: why})
	return t
}

// registryCheck is the version check while the registry names another
// version than the restored one.
func registryCheck(names, version string, dp DeployProgress) TargetCheck {
	c := TargetCheck{Name: health.CheckVersion, State: CheckWaiting}
	prop := fmt.Sprintf("proposal %d", dp.Proposal)
	switch {
	case dp.State == StateFailed || dp.Status == governance.StatusRejected || dp.Status == governance.StatusFailed:
		c.State, c.Detail = CheckFailed, fmt.Sprintf("%s %s; the registry names %s", prop, dp.Status, short(names))
	case dp.Status == governance.StatusExecuted || dp.State == StateDone:
		c.State, c.Detail = CheckFailed, fmt.Sprintf("the deploy executed but the registry names %s, not %s", short(names), short(version))
	case dp.Proposal != 0 && dp.Status != governance.StatusUnknown:
		c.Detail = fmt.Sprintf("waiting for %s: %s %s", short(version), prop, dp.Status)
	case dp.Proposal != 0:
		c.Detail = fmt.Sprintf("waiting for %s: %s submitted", short(version), prop)
	case dp.State == StateIntended:
		c.Detail = fmt.Sprintf("waiting for %s: submission recorded, waiting for the proposal id", short(version))
	case dp.State == StatePending:
		c.Detail = fmt.Sprintf("waiting for %s: its deploy is not submitted yet", short(version))
	default:
		c.Detail = fmt.Sprintf("waiting for %s: the registry names %s", short(version), short(names))
	}
	return c
}

func finalizingCheck(sub health.Subnet, gate health.Check) TargetCheck {
	c := TargetCheck{Name: health.CheckFinalizing, Detail: gate.Detail}
	switch {
	case sub.Finalizing == nil && sub.Height != nil:
		c.State, c.Detail = CheckWaiting, "one finalized height seen on the restored version; the next observation decides"
	case sub.Finalizing == nil:
		c.State = CheckWaiting
	case *sub.Finalizing:
		c.State = CheckOK
	default:
		c.State = CheckFailed
	}
	return c
}

func alertsCheck(sub health.Subnet, gate health.Check) TargetCheck {
	c := TargetCheck{Name: health.CheckAlerts, Detail: gate.Detail}
	switch {
	case gate.OK:
		c.State = CheckOK
	case sub.Firing():
		c.State = CheckFailed
	default:
		c.State, c.Detail = CheckWaiting, "waiting for the alerts to clear: "+gate.Detail
	}
	return c
}

// judgeFinalization returns snap with the Finalizing of each subnet of
// targets (subnet -> restored version) filled from its heights by h, the
// rollout's rule (rollout.Heights), once the registry names the version and
// every replica runs it. Heights are kept per subnet and version, so a
// height seen on the patch is never compared with one on the restored
// version: the first observation on it gives no verdict.
func judgeFinalization(h *rollout.Heights, snap *health.Snapshot, reg *governance.Registry, targets map[string]string, now time.Time) *health.Snapshot {
	if snap == nil {
		return nil
	}
	out := *snap
	out.Subnets = maps.Clone(snap.Subnets)
	for subnet, version := range targets {
		sub, ok := out.Subnets[subnet]
		rs, inReg := reg.SubnetByID(subnet)
		if !ok || !inReg || rs.GuestOSVersion != version || !health.EvaluateReplicas(sub, version, len(rs.Nodes))[0].OK {
			continue
		}
		out.Subnets[subnet] = h.Judge(subnet+" "+version, sub, now)
	}
	return &out
}

// subnetTargets maps each subnet a plan restores to its version: its
// subnet targets (GuestOS plans; the "subnet" of a HostOS or canister
// target names nodes or a canister) and the subnets of its CondSubnetRuns
// conditions.
func subnetTargets(p *Plan) map[string]string {
	out := map[string]string{}
	for _, t := range p.Targets {
		if t.Subnet != "" && p.Kind == "" {
			out[t.Subnet] = t.Restore
		}
	}
	for _, s := range p.Steps {
		for _, c := range []Condition{s.Precondition, s.Expect} {
			if c.Kind == CondSubnetRuns {
				out[c.Subnet] = c.Version
			}
		}
	}
	return out
}
