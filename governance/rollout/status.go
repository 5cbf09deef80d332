package rollout

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
)

// RolloutState is the state of the whole rollout.
type RolloutState string

// Rollout states, after DFINITY's rollout dashboard.
const (
	RolloutPreparing   RolloutState = "preparing" // election not executed or no plan
	RolloutUpgrading   RolloutState = "upgrading_subnets"
	RolloutUnassigned  RolloutState = "upgrading_unassigned_nodes"
	RolloutComplete    RolloutState = "complete"
	RolloutFailed      RolloutState = "failed"
	RolloutAbandoned   RolloutState = "abandoned"
	RolloutElectFailed RolloutState = "election_failed"
	// RolloutRolledBack: a subnet or the unassigned nodes ran the version
	// and were rolled back; the rollout does not continue unless a
	// re-deploy is forced (Tracker.RedeployRolledBack).
	RolloutRolledBack RolloutState = "rolled_back"
	// RolloutHalted: Tracker.Halt stopped the rollout; Status.Halted says
	// why and Status.Underlying what the rollout would be otherwise.
	RolloutHalted RolloutState = "halted"
)

// Status is a release as of one observation.
type Status struct {
	Version    string         `json:"version"`
	Mode       proposals.Mode `json:"mode"`
	Now        time.Time      `json:"now"`
	State      RolloutState   `json:"state"`
	Election   ElectionStatus `json:"election"`
	Batches    []BatchStatus  `json:"batches"`
	Unassigned SubnetStatus   `json:"unassigned_nodes"`
	// UnassignedStart is when the unassigned nodes follow.
	UnassignedStart time.Time `json:"unassigned_start,omitzero"`
	// APIBoundary is the API boundary node stage (nil when the plan has
	// none); APIBoundaryStart is when it follows and APIBoundaryPending
	// the stage's nodes that do not run the version.
	APIBoundary        *SubnetStatus `json:"api_boundary_nodes,omitempty"`
	APIBoundaryStart   time.Time     `json:"api_boundary_start,omitzero"`
	APIBoundaryPending []string      `json:"api_boundary_pending,omitempty"`
	// Next is the next batch to start (nil when none waits).
	Next *NextBatch `json:"next,omitempty"`
	// Blockers say what keeps the rollout from progressing.
	Blockers   []string     `json:"blockers"`
	Quiet      QuietStatus  `json:"quiet_period"`
	Disclosure *Disclosure  `json:"disclosure,omitempty"`
	Abandoned  *Abandonment `json:"abandoned,omitempty"`
	// Halted is the halt while the rollout is halted (State RolloutHalted).
	Halted *Halt `json:"halted,omitempty"`
	// HaltSource says whether Halted is this machine's ledger (local) or
	// evidenced on chain, seen by every release manager (chain).
	HaltSource HaltSource `json:"halt_source,omitempty"`
	// ChainHalts are the on-chain facts that stop the rollout (subnets
	// halted in the registry, rolled-back targets), also while a local
	// halt is shown.
	ChainHalts []ChainHalt `json:"chain_halts,omitempty"`
	// Unplanned are registry subnets in no batch that do not run the
	// version (e.g. created after the plan); the rollout is not complete
	// while there are any.
	Unplanned []string `json:"unplanned,omitempty"`
	// Underlying is the state the rollout has apart from the halt (set
	// while halted only).
	Underlying RolloutState `json:"underlying_state,omitempty"`
}

// ElectionStatus is the election proposal's state and what to do next.
type ElectionStatus struct {
	Proposal      uint64           `json:"proposal,omitempty"`
	Status        string           `json:"status"`
	FailureReason string           `json:"failure_reason,omitempty"`
	Tally         governance.Tally `json:"tally"`
	// Next says what can be done next, when something must be done.
	Next string `json:"next,omitempty"`
	// Source says where Status comes from when governance did not answer
	// for the proposal now: "ledger" (governance garbage-collected it; the
	// facts recorded while it had it) or "registry" (the registry lists
	// the version as elected). Empty: read from governance.
	Source string `json:"source,omitempty"`
}

// Sources of an ElectionStatus other than governance.
const (
	ElectionFromLedger   = "ledger"
	ElectionFromRegistry = "registry"
)

// BatchStatus is one batch's subnets and aggregate state.
type BatchStatus struct {
	Batch   int            `json:"batch"`
	Start   time.Time      `json:"start"`
	State   State          `json:"state"`
	Subnets []SubnetStatus `json:"subnets"`
}

// NextBatch is the batch that starts next.
type NextBatch struct {
	Batch int       `json:"batch"`
	At    time.Time `json:"at"`
	// In is the time until At (0 when overdue; JSON: nanoseconds).
	In time.Duration `json:"in"`
}

// QuietStatus is the quiet period as of Now.
type QuietStatus struct {
	Started bool      `json:"started"`
	Start   time.Time `json:"start,omitzero"`
	End     time.Time `json:"end,omitzero"`
	// Day is the current day (1-based) of Days.
	Day  int `json:"day,omitempty"`
	Days int `json:"days"`
	// Over reports that the quiet period has ended: disclosure is due.
	Over bool `json:"over"`
	// Void reports that 100% held once and broke: a target left the
	// patched version, the quiet period is void and restarts when 100%
	// holds again.
	Void bool `json:"void,omitempty"`
	// Voided counts the quiet periods voided so far.
	Voided int `json:"voided,omitempty"`
	// Unpatched names the targets (subnets, unassigned nodes, API boundary
	// nodes) not running the version or a newer one.
	Unpatched []string `json:"unpatched,omitempty"`
	// Held names the targets that run the version on the registry but
	// whose health gate keeps the quiet period from starting: the API
	// boundary node stage until its nodes were seen up on the version.
	Held []string `json:"held,omitempty"`
	// Targets counts every target that exists now (subnets, unassigned
	// nodes, API boundary nodes), from the registry timeline; 0 without
	// one. Targets - len(Unpatched) are patched.
	Targets int `json:"targets,omitempty"`
}

// String renders e.g. "quiet period day 3 of 10, disclosure due 2026-12-05".
func (q QuietStatus) String() string {
	switch {
	case q.Void:
		return fmt.Sprintf("quiet period VOID: %s left the patched version; it restarts (%d days) when every target runs it again", strings.Join(q.Unpatched, ", "), q.Days)
	case !q.Started && len(q.Held) > 0:
		return fmt.Sprintf("quiet period (%d days) held: the API boundary nodes run the version but have not been seen up on it yet", q.Days)
	case !q.Started:
		return fmt.Sprintf("quiet period (%d days) starts when every subnet, the unassigned nodes and every API boundary node run the version", q.Days)
	case q.Over:
		return fmt.Sprintf("quiet period over since %s: disclosure due", q.End.Format("2006-01-02"))
	}
	return fmt.Sprintf("quiet period day %d of %d, disclosure due %s", q.Day, q.Days, q.End.Format("2006-01-02"))
}

// Status observes the release and returns its state. It records what it
// learned (bake starts, completions, gate failures, the quiet period's
// start) in the ledger.
func (t *Tracker) Status(ctx context.Context) (*Status, error) {
	lk, _, st, err := lockedLook(ctx, t.Store, t.status)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	return st, nil
}

// status observes and derives, updating l's bookkeeping in memory.
func (t *Tracker) status(ctx context.Context, l *Ledger) (*Status, error) {
	if err := requireKind(l, ReleaseGuestOS, "GuestOS rollout"); err != nil {
		return nil, err
	}
	intents := pendingIntents(l)
	o, err := t.observe(ctx, l)
	if err != nil {
		return nil, err
	}
	if err := t.reconcileIntents(ctx, l, intents, o.now); err != nil {
		return nil, err
	}
	return t.derive(l, o), nil
}

// derive computes the Status from an observation (pure apart from the
// bookkeeping it writes into l).
func (t *Tracker) derive(l *Ledger, o *observation) *Status {
	st := &Status{Version: l.Version, Mode: l.Mode, Now: o.now, Disclosure: l.Disclosure, Abandoned: l.Abandoned,
		Blockers: []string{}, Batches: []BatchStatus{}}
	st.Election = electionStatus(l, o)
	quietBefore := !l.QuietPeriod.Start.IsZero()
	if l.Plan != nil {
		t.deriveBatches(l, o, st)
		st.UnassignedStart = l.Plan.UnassignedNodes
		st.Unplanned = unplanned(l.Plan, o, l.Version)
		t.deriveAPIBoundary(l, o, st)
	}
	st.Unassigned = DeriveUnassigned(UnassignedInput{Target: l.Version, RegistryVersion: o.reg.UnassignedVersion,
		Proposals: o.unassign, Intent: hasIntent(l, KindUnassigned, ""), Replaced: o.replaced[""],
		Superseded: o.superseded(timeline.TargetID{Kind: timeline.KindUnassigned}, l.Version)})
	st.State = rolloutState(l, st)
	if o.tl != nil {
		abnSince, abnHeld := apiBoundaryHold(l, st, quietBefore)
		st.Quiet = t.quietFromTimeline(l, o, abnSince, abnHeld)
	} else if st.State == RolloutComplete && l.QuietPeriod.Start.IsZero() {
		at, last := CompletedAt(l, o.unassign, o.now)
		l.QuietPeriod.Start = at
		l.Record(o.now, t.Actor, "quiet", fmt.Sprintf("every subnet and the unassigned nodes run %s since %s (the last: %s): quiet period of %d days starts then",
			l.Version, at.Format(time.RFC3339), last, quietDays(l)), 0)
	}
	if o.tl == nil {
		st.Quiet = quietStatus(l.QuietPeriod, o.now)
	}
	st.Blockers = append(st.Blockers, blockers(l, st)...)
	st.ChainHalts = chainHalts(l, o, st)
	applyHalt(l, st)
	return st
}

// CompletedAt derives when every planned subnet and the unassigned nodes
// ran the version, for the start of the quiet period: the latest of each
// subnet's Running time (when all its replicas were first seen reporting
// the version) and the execution time of the unassigned nodes' latest
// executed deploy proposal among unassigned (they have no metrics; the
// registry switch is their upgrade). A subnet without a Running time, or
// unassigned nodes without an executed proposal in view, count as now, and
// the result is never later than now. last names what completed last.
//
// The result is not the time of the observation that first saw the rollout
// complete: a status run days after the last upgrade does not delay the
// disclosure. Subnet times are observed, so they are upper bounds of the
// real switch (which happened after the deploy executed).
func CompletedAt(l *Ledger, unassigned []ProposalView, now time.Time) (at time.Time, last string) {
	later := func(t time.Time, what string) {
		if t.IsZero() || t.After(now) {
			t, what = now, what+" (time unknown: now)"
		}
		if t.After(at) || at.IsZero() {
			at, last = t, what
		}
	}
	if l.Plan != nil {
		for _, b := range l.Plan.Batches {
			for _, id := range b.Subnets {
				later(l.subnet(id).Running, "subnet "+short(id)+" seen running it")
			}
		}
	}
	var u ProposalView
	for _, p := range unassigned {
		if p.Executed.After(u.Executed) {
			u = p
		}
	}
	if u.ID == 0 {
		later(time.Time{}, "the unassigned nodes (no executed proposal in view)")
	} else {
		later(u.Executed, fmt.Sprintf("the unassigned nodes' proposal %d executed", u.ID))
	}
	return at.UTC(), last
}

func haltBlocker(h *Halt) string {
	return fmt.Sprintf("the rollout is halted since %s by %s: %s; resume with `nnspatch rollout resume <release> --reason TEXT`",
		h.At.Format("2006-01-02 15:04 MST"), h.By, h.Reason)
}

func quietDays(l *Ledger) int { return int(l.QuietPeriod.Length() / (24 * time.Hour)) }

func electionStatus(l *Ledger, o *observation) ElectionStatus {
	e, ok := l.Election()
	switch {
	case !ok:
		return ElectionStatus{Status: "not submitted", Next: "run `nnspatch release submit`"}
	case e.IsIntent():
		return ElectionStatus{Status: "submitting", Next: "run `nnspatch release submit` again to confirm the proposal id"}
	case o.election == nil:
		return electionFromFacts(l, e, o)
	}
	p := o.election
	es := ElectionStatus{Proposal: e.ID, Status: p.Status.String(), FailureReason: p.FailureReason, Tally: p.Tally}
	switch p.Status {
	case governance.StatusRejected:
		es.Next = fmt.Sprintf("the election was rejected (yes %.1f%%, no %.1f%%): resubmit with `nnspatch release submit <release>` (with --redraft FILE to replace the draft first), or give up with `nnspatch release abandon <release> --reason TEXT`",
			p.Tally.Percent(p.Tally.Yes), p.Tally.Percent(p.Tally.No))
	case governance.StatusFailed:
		es.Next = "the election failed to execute (reason above): fix the cause, then resubmit with `nnspatch release submit <release> --redraft FILE`, or give up with `nnspatch release abandon <release> --reason TEXT`"
	case governance.StatusOpen, governance.StatusAdopted:
		es.Next = "wait for the vote and execution"
	}
	return es
}

func (t *Tracker) deriveBatches(l *Ledger, o *observation, st *Status) {
	for _, b := range l.Plan.Batches {
		bs := BatchStatus{Batch: b.Batch, Start: b.Start}
		for _, id := range b.Subnets {
			bs.Subnets = append(bs.Subnets, t.deriveSubnet(l, o, id))
		}
		bs.State = batchState(bs.Subnets)
		st.Batches = append(st.Batches, bs)
	}
}

func (t *Tracker) deriveSubnet(l *Ledger, o *observation, id string) SubnetStatus {
	in := SubnetInput{Target: l.Version, Now: o.now, Bake: time.Duration(l.Plan.Bake), Proposals: o.deploys[id],
		Intent: hasIntent(l, KindDeploy, id), Replaced: o.replaced[id], Record: l.subnet(id),
		Superseded: o.superseded(timeline.TargetID{Kind: timeline.KindSubnet, ID: id}, l.Version)}
	if s, ok := o.reg.SubnetByID(id); ok {
		in.RegistryVersion, in.Replicas = s.GuestOSVersion, len(s.Nodes)
	}
	if o.health != nil {
		if h, ok := o.health.Subnets[id]; ok {
			in.Health = &h
		}
	}
	ss := Derive(in)
	ss.Subnet = id
	prev := l.subnet(id)
	t.recordGate(l, o.now, prev, &ss)
	if ss.Record != prev {
		l.setSubnet(id, ss.Record)
	}
	return ss
}

// recordGate audits a subnet's gate results once each: passing its bake,
// starting to fail (subnet and check named) and recovering.
func (t *Tracker) recordGate(l *Ledger, now time.Time, prev SubnetRecord, ss *SubnetStatus) {
	switch failed := ss.State == StateFailed; {
	case failed && prev.Failed.IsZero():
		ss.Record.Failed = now.UTC()
		l.Record(now, t.Actor, "gate", fmt.Sprintf("%s failed its %s check: %s", gateTarget(ss.Subnet), ss.FailedCheck, ss.Detail), ss.Proposal)
	case failed:
		ss.Record.Failed = prev.Failed
	case !prev.Failed.IsZero():
		ss.Record.Failed = time.Time{}
		l.Record(now, t.Actor, "gate", fmt.Sprintf("%s no longer fails its gate: %s, %s", gateTarget(ss.Subnet), ss.State, ss.Detail), ss.Proposal)
	}
	if !ss.Record.Complete.IsZero() && prev.Complete.IsZero() {
		l.Record(now, t.Actor, "gate", fmt.Sprintf("%s passed its gate: healthy on %s for %s", gateTarget(ss.Subnet), shortVersion(l.Version), l.Plan.Bake), ss.Proposal)
	}
}

// gateTarget names a gated target in the audit: "subnet <id>", or the API
// boundary node stage.
func gateTarget(id string) string {
	if id == APIBoundaryTarget {
		return "the API boundary node stage"
	}
	return "subnet " + id
}

// batchState aggregates: failed if any failed, rolled back if any was
// rolled back, complete if all complete,
// pending if all pending, else the least advanced state.
func batchState(ss []SubnetStatus) State {
	order := []State{StateFailed, StatePending, StateProposing, StateWaitingForAdoption, StateUpgrading, StateBaking, StateComplete}
	seen := map[State]int{}
	for _, s := range ss {
		seen[s.State]++
	}
	if seen[StateFailed] > 0 {
		return StateFailed
	}
	if seen[StateRolledBack] > 0 {
		return StateRolledBack
	}
	if seen[StatePending] == len(ss) {
		return StatePending
	}
	for _, s := range order[2:] {
		if seen[s] > 0 {
			return s
		}
	}
	if seen[StatePending] > 0 {
		return StateProposing
	}
	return StateComplete
}

func rolloutState(l *Ledger, st *Status) RolloutState {
	switch {
	case l.Abandoned != nil:
		return RolloutAbandoned
	case st.Election.Status == governance.StatusRejected.String() || st.Election.Status == governance.StatusFailed.String():
		return RolloutElectFailed
	case st.Election.Status != governance.StatusExecuted.String() || l.Plan == nil:
		return RolloutPreparing
	}
	for _, b := range st.Batches {
		if b.State == StateFailed {
			return RolloutFailed
		}
	}
	for _, b := range st.Batches {
		if b.State == StateRolledBack {
			return RolloutRolledBack
		}
		if b.State != StateComplete {
			return RolloutUpgrading
		}
	}
	switch st.Unassigned.State {
	case StateComplete, StateSuperseded:
		if len(st.Unplanned) > 0 {
			return RolloutUpgrading
		}
		if s := apiBoundaryState(st); s != "" {
			return s
		}
		return RolloutComplete
	case StateFailed:
		return RolloutFailed
	case StateRolledBack:
		return RolloutRolledBack
	}
	return RolloutUnassigned
}

func quietStatus(q QuietPeriod, now time.Time) QuietStatus {
	qs := QuietStatus{Days: int(q.Length() / (24 * time.Hour))}
	if q.Start.IsZero() {
		return qs
	}
	qs.Started, qs.Start, qs.End = true, q.Start, q.End()
	qs.Over = !now.Before(qs.End)
	qs.Day = min(int(now.Sub(q.Start)/(24*time.Hour))+1, qs.Days)
	return qs
}

// blockers explains what holds the rollout back and fills nothing else.
func blockers(l *Ledger, st *Status) []string {
	var out []string
	switch st.State {
	case RolloutAbandoned:
		return []string{"the release was abandoned: " + l.Abandoned.Reason}
	case RolloutElectFailed:
		return []string{fmt.Sprintf("election proposal %d %s: resubmit or abandon the release", st.Election.Proposal, st.Election.Status)}
	case RolloutPreparing:
		if l.Plan == nil {
			out = append(out, "no rollout plan: run `nnspatch rollout plan`")
		}
		if st.Election.Status != governance.StatusExecuted.String() {
			out = append(out, fmt.Sprintf("the election is %s: %s", st.Election.Status, st.Election.Next))
		}
		return out
	}
	if fails := failures(st); len(fails) > 0 {
		return fails // no batch is next until they are resolved
	}
	if rb := rolledBackSubnets(st); len(rb) > 0 {
		for _, s := range rb {
			out = append(out, rolledBackLine(s)+"; "+RedeployHint)
		}
		return out
	}
	for _, b := range st.Batches {
		if b.State == StateComplete {
			continue
		}
		if b.State == StatePending && st.Now.Before(b.Start) {
			st.Next = &NextBatch{Batch: b.Batch, At: b.Start, In: b.Start.Sub(st.Now)}
			out = append(out, fmt.Sprintf("batch %d starts at %s (in %s)", b.Batch, b.Start.Format("2006-01-02 15:04 MST"), roundDur(b.Start.Sub(st.Now))))
		} else {
			out = append(out, fmt.Sprintf("batch %d is %s", b.Batch, describeBatch(b)))
			for _, sub := range b.Subnets {
				if why := signingHold(st, sub.Subnet); why != "" && sub.State == StatePending {
					out = append(out, why)
				}
			}
			st.Next = nextAfter(st, b.Batch)
		}
		return out
	}
	for _, id := range st.Unplanned {
		out = append(out, fmt.Sprintf("subnet %s is in no batch and does not run %s: add it to the plan (`nnspatch rollout plan <release> --file PLAN`); the quiet period starts once every subnet runs it", id, shortVersion(l.Version)))
	}
	if st.State == RolloutUnassigned && st.Now.Before(st.UnassignedStart) && st.Unassigned.State == StatePending {
		out = append(out, fmt.Sprintf("the unassigned nodes follow at %s (in %s)", st.UnassignedStart.Format("2006-01-02 15:04 MST"), roundDur(st.UnassignedStart.Sub(st.Now))))
	}
	if b := apiBoundaryBlocker(st); b != "" {
		out = append(out, b)
	}
	return out
}

// unplanned lists the registry's subnets that are in no batch of p and do
// not run version.
func unplanned(p *Plan, o *observation, version string) []string {
	var out []string
	for _, s := range o.reg.Subnets {
		if p.BatchOf(s.ID) < 0 && s.GuestOSVersion != version &&
			o.superseded(timeline.TargetID{Kind: timeline.KindSubnet, ID: s.ID}, version) == "" {
			out = append(out, s.ID)
		}
	}
	return out
}

// failures lists every failed subnet (and the unassigned nodes), naming
// the check that failed.
func failures(st *Status) []string {
	var out []string
	for _, b := range st.Batches {
		for _, s := range b.Subnets {
			if s.State == StateFailed {
				out = append(out, fmt.Sprintf("subnet %s failed its %s check: %s", s.Subnet, s.FailedCheck, s.Detail))
			}
		}
	}
	if u := st.Unassigned; u.State == StateFailed {
		out = append(out, fmt.Sprintf("the unassigned nodes failed their %s check: %s", u.FailedCheck, u.Detail))
	}
	if a := st.APIBoundary; a != nil && a.State == StateFailed {
		out = append(out, fmt.Sprintf("the API boundary nodes failed their %s check: %s", a.FailedCheck, a.Detail))
	}
	return out
}

func describeBatch(b BatchStatus) string {
	for _, s := range b.Subnets {
		if s.State == b.State {
			return fmt.Sprintf("%s: subnet %s %s", b.State, short(s.Subnet), s.Detail)
		}
	}
	return string(b.State)
}

func roundDur(d time.Duration) time.Duration {
	if d > time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}

// nextAfter is the first batch after batch n, with its planned start
// (it may start later: only once batch n is complete).
func nextAfter(st *Status, n int) *NextBatch {
	for _, b := range st.Batches {
		if b.Batch > n {
			return &NextBatch{Batch: b.Batch, At: b.Start, In: max(b.Start.Sub(st.Now), 0)}
		}
	}
	return nil
}
