package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/internal/textsafe"
	"github.com/nnspatch/nnspatch/proposals"
)

// ErrGateFailed reports that a health gate or a proposal failed; the
// rollout stops until it is resolved (rollback or fix).
var ErrGateFailed = errors.New("rollout gate failed")

// ErrNotReady reports that nothing can be done yet: the next step waits
// for a time, an adoption, an upgrade or a bake.
var ErrNotReady = errors.New("rollout is not ready to advance")

// ErrElectionFailed reports that the release's election was rejected or
// failed to execute.
var ErrElectionFailed = errors.New("election did not pass")

// GateError names the subnet and the check that stopped the rollout. It
// matches ErrGateFailed.
type GateError struct {
	Subnet string
	Check  string
	Detail string
}

// Error implements error.
func (e *GateError) Error() string {
	return fmt.Sprintf("rollout stopped: subnet %s failed the %s check: %s", e.Subnet, e.Check, e.Detail)
}

// Is reports whether target is ErrGateFailed.
func (e *GateError) Is(target error) bool { return target == ErrGateFailed }

// WaitError says what the rollout waits for. It matches ErrNotReady.
type WaitError struct {
	Reasons []string
}

// Error implements error.
func (e *WaitError) Error() string { return "nothing to advance yet: " + strings.Join(e.Reasons, "; ") }

// Is reports whether target is ErrNotReady.
func (e *WaitError) Is(target error) bool { return target == ErrNotReady }

// ErrRolledBack reports that a subnet (or the unassigned nodes) was rolled
// back after running the version: Advance does not propose it again
// unless Tracker.RedeployRolledBack is set.
var ErrRolledBack = errors.New("subnet was rolled back")

// RolledBackError names the rolled-back subnets that stop the rollout. It
// matches ErrRolledBack.
type RolledBackError struct {
	// Subnets are the rolled-back subnets ("unassigned" for the unassigned nodes).
	Subnets []SubnetStatus
}

// Error implements error.
func (e *RolledBackError) Error() string {
	var parts []string
	for _, s := range e.Subnets {
		parts = append(parts, rolledBackLine(s))
	}
	return "rollout stopped: " + strings.Join(parts, "; ") + "; nothing was submitted"
}

// Is reports whether target is ErrRolledBack.
func (e *RolledBackError) Is(target error) bool { return target == ErrRolledBack }

// RedeployHint says what re-deploying a rolled-back version takes.
const RedeployHint = "re-deploying the version needs `nnspatch rollout advance <release> --redeploy-rolled-back` (recorded as an override) or a new release"

// rolledBackLine describes one rolled-back subnet.
func rolledBackLine(s SubnetStatus) string {
	what := "subnet " + s.Subnet
	if s.Subnet == "unassigned" {
		what = "the unassigned nodes"
	}
	if s.RolledBack == nil {
		return what + " was rolled back"
	}
	return fmt.Sprintf("%s was rolled back to %s %s", what, shortVersion(s.RolledBack.Version), byProposal(s.RolledBack.ID))
}

// Submitted is one proposal made by Advance.
type Submitted struct {
	Kind     string `json:"kind"`
	Subnet   string `json:"subnet,omitempty"`
	Proposal uint64 `json:"proposal"`
}

// AdvanceResult is what Advance did and the state it saw.
type AdvanceResult struct {
	Submitted []Submitted `json:"submitted"`
	Status    *Status     `json:"status"`
}

// Advance submits the deploy proposals of the next batch when every earlier
// batch is complete (healthy for its bake time) and the batch's start time
// has come, then the unassigned nodes' proposal after the NNS. It never
// proposes for a subnet that has an open, adopted or executed proposal for
// the version. A failed gate is a *GateError; nothing to do is a *WaitError;
// a halted rollout (Halt) is a *HaltedError and nothing is submitted.
func (t *Tracker) Advance(ctx context.Context) (*AdvanceResult, error) {
	lk, l, st, err := lockedLook(ctx, t.Store, t.status)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	if err := t.precheck(l, st); err != nil {
		return &AdvanceResult{Status: st, Submitted: []Submitted{}}, err
	}
	res := &AdvanceResult{Status: st, Submitted: []Submitted{}}
	targets, wait := nextTargets(l, st, t.RetryProposals, t.RedeployRolledBack)
	if len(targets) == 0 {
		return res, &WaitError{Reasons: wait}
	}
	t.recordRedeploys(l, st, targets)
	for _, sub := range targets {
		d, err := t.targetDraft(l, st, sub)
		if err != nil {
			return res, err
		}
		kind, ledgerSubnet := KindDeploy, sub
		switch sub {
		case "":
			kind = KindUnassigned
		case APIBoundaryTarget:
			kind, ledgerSubnet = KindAPIBoundary, ""
		}
		id, err := t.submitDraft(ctx, lk, l, kind, ledgerSubnet, d)
		if err != nil {
			return res, err
		}
		res.Submitted = append(res.Submitted, Submitted{Kind: kind, Subnet: sub, Proposal: id})
	}
	l.Record(st.Now, t.Actor, "advance", fmt.Sprintf("advanced: %d proposal(s) submitted", len(res.Submitted)), 0)
	return res, lk.Save(l)
}

// precheck refuses to advance an abandoned release, a halted rollout, a
// failed election or a failed gate, and waits for the election.
func (t *Tracker) precheck(l *Ledger, st *Status) error {
	switch st.State {
	case RolloutAbandoned:
		return ErrAbandoned
	case RolloutHalted:
		return &HaltedError{Halt: *st.Halted, Source: st.HaltSource}
	case RolloutElectFailed:
		return fmt.Errorf("%w: proposal %d %s; %s", ErrElectionFailed, st.Election.Proposal, st.Election.Status, st.Election.Next)
	case RolloutPreparing:
		return &WaitError{Reasons: st.Blockers}
	case RolloutComplete:
		return &WaitError{Reasons: []string{"the rollout is complete; " + st.Quiet.String()}}
	}
	retry := func(s SubnetStatus) bool {
		return t.RetryProposals && s.FailedCheck == CheckProposal
	}
	var retried []SubnetStatus
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			switch {
			case s.State != StateFailed:
			case retry(s):
				retried = append(retried, s)
			default:
				return &GateError{Subnet: s.Subnet, Check: s.FailedCheck, Detail: s.Detail} // audited by recordGate
			}
		}
	}
	if u := st.Unassigned; u.State == StateFailed && !retry(u) {
		return &GateError{Subnet: "unassigned nodes", Check: u.FailedCheck, Detail: u.Detail}
	}
	if a := st.APIBoundary; a != nil && a.State == StateFailed && !retry(*a) {
		return &GateError{Subnet: "API boundary nodes", Check: a.FailedCheck, Detail: a.Detail}
	}
	if rb := rolledBackSubnets(st); len(rb) > 0 && !t.RedeployRolledBack {
		return &RolledBackError{Subnets: rb}
	}
	for _, s := range retried {
		l.Record(st.Now, t.Actor, "force", fmt.Sprintf("retrying subnet %s after: %s", s.Subnet, s.Detail), s.Proposal)
	}
	return nil
}

// rolledBackSubnets lists the rolled-back subnets, then the unassigned
// nodes when they were rolled back.
func rolledBackSubnets(st *Status) []SubnetStatus {
	var out []SubnetStatus
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			if s.State == StateRolledBack {
				out = append(out, s)
			}
		}
	}
	if st.Unassigned.State == StateRolledBack {
		out = append(out, st.Unassigned)
	}
	if a := st.APIBoundary; a != nil && a.State == StateRolledBack {
		out = append(out, *a)
	}
	return out
}

// recordRedeploys records a "force" override for every target that was
// rolled back (only RedeployRolledBack makes them targets).
func (t *Tracker) recordRedeploys(l *Ledger, st *Status, targets []string) {
	for _, s := range rolledBackSubnets(st) {
		id := s.Subnet
		if id == "unassigned" {
			id = ""
		}
		if slices.Contains(targets, id) {
			l.Record(st.Now, t.Actor, "force", fmt.Sprintf("re-deploying %s (--redeploy-rolled-back): %s", shortVersion(l.Version), rolledBackLine(s)), s.RolledBack.ID)
		}
	}
}

// nextTargets returns the subnets ("" for the unassigned nodes) to propose
// for now, or why there are none. Rolled-back subnets are targets only
// with redeploy.
func nextTargets(l *Ledger, st *Status, retry, redeploy bool) (targets []string, wait []string) {
	for _, b := range st.Batches {
		if b.State == StateComplete {
			continue
		}
		if st.Now.Before(b.Start) {
			return nil, st.Blockers
		}
		var held []string
		for _, s := range b.Subnets {
			// proposing: an intent whose proposal governance never got
			// (submitDraft reconciles first, so this never duplicates).
			again := retry && s.State == StateFailed && s.FailedCheck == CheckProposal ||
				redeploy && s.State == StateRolledBack
			if s.State != StatePending && s.State != StateProposing && !again {
				continue
			}
			if why := signingHold(st, s.Subnet); why != "" {
				held = append(held, why)
				continue
			}
			targets = append(targets, s.Subnet)
		}
		if len(targets) == 0 {
			return nil, append(held, st.Blockers...)
		}
		return targets, nil
	}
	again := retry && st.Unassigned.State == StateFailed && st.Unassigned.FailedCheck == CheckProposal ||
		redeploy && st.Unassigned.State == StateRolledBack
	if st.Unassigned.State == StateComplete || st.Unassigned.State == StateSuperseded {
		target, wait := apiBoundaryNext(st, retry, redeploy)
		if target == "" {
			return nil, wait
		}
		return []string{target}, nil
	}
	if st.Unassigned.State != StatePending && st.Unassigned.State != StateProposing && !again {
		return nil, []string{"the unassigned nodes are " + string(st.Unassigned.State) + ": " + st.Unassigned.Detail}
	}
	if st.Now.Before(l.Plan.UnassignedNodes) {
		return nil, st.Blockers
	}
	return []string{""}, nil
}

// signingHold says why subnet, the signing subnet or its backup, must not
// be proposed yet (DFINITY's REL-2675 precondition, checked at run time as
// well as in the plan): its twin's deploy is still in flight, or executed
// less than DefaultSigningGap ago. It returns "" when subnet may go.
func signingHold(st *Status, subnet string) string {
	twin := map[string]string{SigningSubnet: SigningBackup, SigningBackup: SigningSubnet}[subnet]
	if twin == "" {
		return ""
	}
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			if s.Subnet != twin {
				continue
			}
			switch {
			case s.State == StateProposing || s.State == StateWaitingForAdoption:
				return fmt.Sprintf("subnet %s waits: the deploy of its signing twin %s is not executed yet, and they must be upgraded at least %s apart", short(subnet), short(twin), DefaultSigningGap)
			case !s.Executed.IsZero() && st.Now.Before(s.Executed.Add(DefaultSigningGap)):
				at := s.Executed.Add(DefaultSigningGap)
				return fmt.Sprintf("subnet %s waits until %s: its signing twin %s was upgraded at %s, and they must be at least %s apart", short(subnet), at.Format("2006-01-02 15:04 MST"), short(twin), s.Executed.Format("2006-01-02 15:04 MST"), DefaultSigningGap)
			}
		}
	}
	return ""
}

// targetDraft drafts the proposal of an advance target: a subnet, the
// unassigned nodes ("") or the API boundary node stage.
func (t *Tracker) targetDraft(l *Ledger, st *Status, target string) (proposals.Draft, error) {
	if target == APIBoundaryTarget {
		return apiBoundaryDraft(l, st)
	}
	return t.deployDraft(l, target)
}

// deployDraft drafts the deploy proposal of subnet ("" = unassigned nodes).
func (t *Tracker) deployDraft(l *Ledger, subnet string) (proposals.Draft, error) {
	if subnet == "" {
		return proposals.NewDeployUnassigned(proposals.UnassignedOptions{Mode: l.Mode, Version: l.Version})
	}
	p, err := principal.Decode(subnet)
	if err != nil {
		return proposals.Draft{}, fmt.Errorf("plan subnet %q: %w", subnet, err)
	}
	return proposals.NewDeployGuestOS(proposals.DeployOptions{Mode: l.Mode, SubnetID: p, Version: l.Version})
}

// ErrQuietPeriod reports a disclosure before the quiet period ended
// without force.
var ErrQuietPeriod = errors.New("quiet period has not ended")

// ErrNoReason reports an action that is recorded with a reason (a forced
// disclosure, a halt, a resume) asked for without one.
var ErrNoReason = errors.New("a reason is required")

// Disclose records the publication of the source at sourceURL. Before the
// quiet period ended it refuses unless force is set with a reason, which
// is recorded.
func (t *Tracker) Disclose(ctx context.Context, sourceURL string, force bool, reason string) (*Disclosure, error) {
	if k, err := t.kindOf(); err != nil || k != ReleaseGuestOS {
		if err != nil {
			return nil, err
		}
		return t.discloseKind(ctx, sourceURL, force, reason)
	}
	if force && reason == "" {
		return nil, fmt.Errorf("disclose: %w to force a disclosure", ErrNoReason)
	}
	tl, err := readTimeline(ctx, t.Gov)
	if err != nil {
		return nil, err
	}
	var d *Disclosure
	err = t.update(ctx, func(l *Ledger, now time.Time) error {
		if l.Disclosure != nil {
			return fmt.Errorf("disclose: already disclosed at %s (%s)", l.Disclosure.At.Format(time.RFC3339), l.Disclosure.SourceURL)
		}
		if tl != nil {
			refused := discloseCheck(tl, l, now)
			if refused != nil && !force {
				return refused
			}
			note := ""
			if refused != nil {
				note = "disclosed before 100% patched held for the quiet period (override; " + refused.Error() + "): " + reason
			}
			d = t.recordDisclosure(l, now, sourceURL, note, reason)
			return nil
		}
		q := quietStatus(l.QuietPeriod, now)
		early := !q.Over
		if early && !force {
			if !q.Started {
				return fmt.Errorf("%w: it has not started (the rollout is not complete; reading the rollout's status records its start)", ErrQuietPeriod)
			}
			return fmt.Errorf("%w: %s", ErrQuietPeriod, q)
		}
		note := ""
		if early {
			note = "disclosed before the quiet period ended: " + reason
		}
		d = t.recordDisclosure(l, now, sourceURL, note, reason)
		return nil
	})
	return d, err
}

// recordDisclosure records the disclosure; forced (non-empty) is the audit
// line of an early disclosure forced with a reason.
func (t *Tracker) recordDisclosure(l *Ledger, now time.Time, sourceURL, forced, reason string) *Disclosure {
	d := &Disclosure{SourceURL: sourceURL, At: now.UTC(), By: t.Actor, Forced: forced != "", Reason: textsafe.Escape(reason)}
	l.Disclosure = d
	if forced != "" {
		l.Record(now, t.Actor, "force", forced, 0)
	}
	l.Record(now, t.Actor, "disclose", "source disclosed at "+sourceURL, 0)
	return d
}
