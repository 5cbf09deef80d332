package rollback

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// ErrStepFailed reports a rollback proposal that was rejected or failed.
var ErrStepFailed = errors.New("rollback step failed")

// ErrNoLedger reports a plan that halts a rollout executed without the
// release's ledger.
var ErrNoLedger = errors.New("no release ledger is open")

// StepFailedError says which step's proposal did not pass, and why.
type StepFailedError struct {
	N        int
	Proposal uint64
	Status   governance.Status
	Reason   string
}

// Error implements error.
func (e *StepFailedError) Error() string {
	s := fmt.Sprintf("rollback step %d: proposal %d %s", e.N, e.Proposal, e.Status)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is reports whether target is ErrStepFailed.
func (e *StepFailedError) Is(target error) bool { return target == ErrStepFailed }

// Governance is what the executor needs of governance.Client.
type Governance interface {
	Registry(ctx context.Context) (*governance.Registry, error)
	GetProposal(ctx context.Context, id uint64) (*governance.Proposal, error)
	Preflight(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (*governance.Preflight, error)
	MakeProposal(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (uint64, error)
}

// Ledger is the release ledger as the executor uses it: it halts the
// rollout and records every rollback action.
type Ledger interface {
	// Halted reports whether the release's rollout is halted.
	Halted(ctx context.Context) (bool, error)
	// Halt halts the rollout, recording why.
	Halt(ctx context.Context, reason string) error
	// Record appends a rollback action to the audit log.
	Record(ctx context.Context, detail string, proposal uint64) error
}

// Executor submits a plan's steps, each once and only when its
// precondition holds, recording progress in File before and after every
// submission.
type Executor struct {
	Gov  Governance
	File StateFile
	// Ledger halts the rollout and records actions; nil for a plan
	// without a release (it then must not contain a halt step).
	Ledger Ledger
	// Neuron is the proposer neuron.
	Neuron uint64
	// Policy checks the security-mode texts again before submitting.
	Policy proposals.Policy
	// Now returns the network's time.
	Now func(ctx context.Context) (time.Time, error)
	// Health observes the replicas: a subnet's step is done only once
	// JudgeTarget finds it healthy on the restored version (every replica
	// runs it, it finalizes, no alert); heights are compared across runs
	// through the state file. Nil judges from the registry alone, and the
	// step's detail says so.
	Health health.Source
}

// StepStatus is one step as Status reports it.
type StepStatus struct {
	N              int               `json:"n"`
	Kind           StepKind          `json:"kind"`
	Subnet         string            `json:"subnet,omitempty"`
	Version        string            `json:"version,omitempty"`
	State          StepState         `json:"state"`
	Proposal       uint64            `json:"proposal,omitempty"`
	ProposalStatus governance.Status `json:"proposal_status,omitempty"`
	Detail         string            `json:"detail"`
}

// Status is the progress of a rollback.
type Status struct {
	Release string       `json:"release"`
	Now     time.Time    `json:"now"`
	Steps   []StepStatus `json:"steps"`
	// Done reports that every step's expected state holds.
	Done bool `json:"done"`
	// Targets are the subnet targets' checks on their restored versions
	// (JudgeTarget, the rule of the steps' expected states) of a GuestOS
	// rollback; nil when the replicas are not observed (no health source)
	// and for HostOS and canister rollbacks, whose targets are nodes and
	// canisters (their steps' conditions judge them).
	Targets []TargetHealth `json:"targets,omitempty"`
}

// Start records a new plan in the state file, unless one is there: a
// state that exists is kept (the run resumes it).
func (e *Executor) Start(ctx context.Context, p *Plan) (*State, error) {
	unlock, err := e.File.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := e.File.Load()
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, ErrNoState) {
		return nil, err
	}
	st = NewState(p)
	return st, e.File.Save(st)
}

// Submit takes every step that is due: it marks steps whose expected
// state holds as done, checks submitted proposals, and submits each
// pending step whose precondition holds. It returns the resulting status.
func (e *Executor) Submit(ctx context.Context) (*Status, error) {
	return e.run(ctx, true)
}

// Status reports progress without submitting anything (it does record
// steps found done).
func (e *Executor) Status(ctx context.Context) (*Status, error) {
	return e.run(ctx, false)
}

func (e *Executor) run(ctx context.Context, submit bool) (*Status, error) {
	unlock, err := e.File.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := e.File.Load()
	if err != nil {
		return nil, err
	}
	r := &runner{e: e, st: st, submit: submit}
	if err := r.observe(ctx); err != nil {
		return nil, err
	}
	var failed error
	for i := range st.Plan.Steps {
		err := r.step(ctx, i)
		var sf *StepFailedError
		switch {
		case errors.As(err, &sf) && failed == nil:
			failed = err
		case err != nil && sf == nil:
			return r.status(ctx), err
		}
	}
	return r.status(ctx), failed
}

// runner is one pass over the steps.
type runner struct {
	e      *Executor
	st     *State
	submit bool
	world  World
	now    time.Time
	props  map[uint64]*governance.Proposal
}

func (r *runner) observe(ctx context.Context) error {
	var err error
	r.props = nil
	if r.now, err = r.e.Now(ctx); err != nil {
		return fmt.Errorf("read the network's time: %w", err)
	}
	if r.world.Registry, err = r.e.Gov.Registry(ctx); err != nil {
		return err
	}
	if r.e.Health != nil {
		snap, err := r.e.Health.Snapshot(ctx)
		if err != nil {
			return fmt.Errorf("observe the replicas' health: %w", err)
		}
		var h rollout.Heights
		h.Restore(r.st.Heights)
		r.world.Health = judgeFinalization(&h, snap, r.world.Registry, subnetTargets(r.st.Plan), r.now)
		if marks := h.Marks(); !maps.EqualFunc(marks, r.st.Heights, sameMark) {
			r.st.Heights = marks
			if err := r.e.File.Save(r.st); err != nil {
				return err
			}
		}
	}
	if r.e.Ledger != nil {
		if r.world.Halted, err = r.e.Ledger.Halted(ctx); err != nil {
			return err
		}
	}
	r.world.ModuleHashes, err = readModuleHashes(ctx, r.e.Gov, r.st.Plan)
	return err
}

// sameMark reports whether two kept heights are the same observation.
func sameMark(a, b rollout.HeightMark) bool {
	return a.Height == b.Height && a.At.Equal(b.At) && (a.Finalizing == nil) == (b.Finalizing == nil) &&
		(a.Finalizing == nil || *a.Finalizing == *b.Finalizing)
}

func (r *runner) save(rec *StepRecord, state StepState, detail string) error {
	rec.State, rec.Detail = state, detail
	return r.e.File.Save(r.st)
}

func (r *runner) step(ctx context.Context, i int) error {
	s, rec := r.st.Plan.Steps[i], &r.st.Steps[i]
	if rec.State == StateDone {
		return nil
	}
	if s.Expect.Holds(r.world) {
		return r.done(rec, s)
	}
	if rec.State == StateSubmitted {
		return r.checkProposal(ctx, s, rec)
	}
	if rec.State == StateFailed && !r.submit {
		return nil // the next Submit resubmits it
	}
	if !s.Precondition.Holds(r.world) {
		if rec.Detail != "waiting for: "+s.Precondition.Text {
			return r.save(rec, rec.State, "waiting for: "+s.Precondition.Text)
		}
		return nil
	}
	if !r.submit {
		return nil
	}
	if s.Kind == StepHalt {
		return r.halt(ctx, s, rec)
	}
	if err := r.propose(ctx, s, rec); err != nil {
		return err
	}
	if s.Expect.Holds(r.world) {
		return r.done(rec, s)
	}
	return nil
}

// done records a step whose expected state holds. Without a health
// source a subnet's state is the registry's, and the detail says so.
func (r *runner) done(rec *StepRecord, s Step) error {
	rec.Done = r.now.UTC()
	detail := s.Expect.Text
	if s.Expect.Kind == CondSubnetRuns && r.world.Health == nil {
		detail = fmt.Sprintf("the registry assigns subnet %s GuestOS %s (replicas not observed: no health source)", s.Subnet, s.Version)
	}
	return r.save(rec, StateDone, detail)
}

// checkProposal follows a submitted step's proposal.
func (r *runner) checkProposal(ctx context.Context, s Step, rec *StepRecord) error {
	p, err := r.proposal(ctx, rec.Proposal)
	if err != nil {
		return err
	}
	switch p.Status {
	case governance.StatusRejected, governance.StatusFailed:
		if err := r.save(rec, StateFailed, fmt.Sprintf("proposal %d %s %s", p.ID, p.Status, governance.SanitizeLine(p.FailureReason))); err != nil {
			return err
		}
		return &StepFailedError{N: s.N, Proposal: p.ID, Status: p.Status, Reason: governance.SanitizeLine(p.FailureReason)}
	case governance.StatusExecuted:
		return r.save(rec, StateSubmitted, fmt.Sprintf("proposal %d executed; waiting for: %s", p.ID, s.Expect.Text))
	}
	return r.save(rec, StateSubmitted, fmt.Sprintf("proposal %d %s", p.ID, p.Status))
}

func (r *runner) proposal(ctx context.Context, id uint64) (*governance.Proposal, error) {
	if p, ok := r.props[id]; ok {
		return p, nil
	}
	p, err := r.e.Gov.GetProposal(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read rollback proposal %d: %w", id, err)
	}
	if r.props == nil {
		r.props = map[uint64]*governance.Proposal{}
	}
	r.props[id] = p
	return p, nil
}

func (r *runner) halt(ctx context.Context, s Step, rec *StepRecord) error {
	if r.e.Ledger == nil {
		return fmt.Errorf("rollback step %d: the plan halts a rollout but %w", s.N, ErrNoLedger)
	}
	if err := r.e.Ledger.Halt(ctx, r.st.Plan.Problem); err != nil {
		return fmt.Errorf("rollback step %d: halt the rollout: %w", s.N, err)
	}
	r.world.Halted = true
	rec.Done = r.now.UTC()
	return r.save(rec, StateDone, s.Expect.Text)
}

// propose submits a step's draft: intent first, then the proposal id.
func (r *runner) propose(ctx context.Context, s Step, rec *StepRecord) error {
	if err := loadWasm(s.Draft); err != nil {
		return fmt.Errorf("rollback step %d: %w", s.N, err)
	}
	req, err := proposals.ValidRequest(*s.Draft, r.e.Policy)
	if err != nil {
		return fmt.Errorf("rollback step %d: %w", s.N, err)
	}
	fp, err := fingerprint(*s.Draft)
	if err != nil {
		return fmt.Errorf("rollback step %d: %w", s.N, err)
	}
	rec.PayloadSHA256, rec.Intended = fp, r.now.UTC()
	if err := r.save(rec, StateIntended, "submission recorded, waiting for the proposal id"); err != nil {
		return err
	}
	// Another process rolling back the same way waits here, then finds
	// this proposal as a twin.
	if wl, ok := r.e.Gov.(governance.WriteLocker); ok {
		unlock, err := wl.LockWrite(ctx, governance.ProposalKey(req))
		if err != nil {
			return fmt.Errorf("rollback step %d: %w", s.N, err)
		}
		defer unlock()
	}
	pf, err := r.e.Gov.Preflight(ctx, r.e.Neuron, req)
	if err != nil {
		return fmt.Errorf("rollback step %d: %w", s.N, err)
	}
	id := pf.Existing
	if id == 0 {
		if err := pf.Err(); err != nil {
			return fmt.Errorf("rollback step %d: %w", s.N, err)
		}
		if id, err = r.e.Gov.MakeProposal(ctx, r.e.Neuron, req); err != nil {
			return fmt.Errorf("rollback step %d: submit: %w", s.N, err)
		}
	}
	rec.Proposal, rec.Submitted = id, r.now.UTC()
	if err := r.save(rec, StateSubmitted, fmt.Sprintf("proposal %d submitted", id)); err != nil {
		return err
	}
	if r.e.Ledger != nil {
		if err := r.e.Ledger.Record(ctx, fmt.Sprintf("rollback step %d: %s as proposal %d", s.N, stepHeadline(s), id), id); err != nil {
			return err
		}
	}
	// A proposal may execute at once; later steps see its effect.
	return r.observe(ctx)
}

func (r *runner) status(ctx context.Context) *Status {
	out := &Status{Release: r.st.Plan.Release, Now: r.now, Steps: []StepStatus{}, Done: true}
	for i, s := range r.st.Plan.Steps {
		rec := r.st.Steps[i]
		ss := StepStatus{N: s.N, Kind: s.Kind, Subnet: s.Subnet, Version: s.Version, State: rec.State, Proposal: rec.Proposal, Detail: rec.Detail}
		if rec.Proposal != 0 {
			if p, err := r.proposal(ctx, rec.Proposal); err == nil {
				ss.ProposalStatus = p.Status
			}
		}
		if rec.State != StateDone {
			out.Done = false
		}
		out.Steps = append(out.Steps, ss)
	}
	if r.world.Health != nil && r.st.Plan.Kind == "" {
		out.Targets = r.targets(ctx)
	}
	return out
}

// targets judges each subnet target of the plan with JudgeTarget, telling
// a wait for its version from a failure by its deploy step's progress.
func (r *runner) targets(ctx context.Context) []TargetHealth {
	out := []TargetHealth{}
	for _, t := range r.st.Plan.Targets {
		if t.Subnet == "" {
			continue
		}
		out = append(out, JudgeTarget(r.world.Registry, r.world.Health, t.Subnet, t.Restore, r.deployProgress(ctx, t.Subnet)))
	}
	return out
}

// deployProgress is the progress of the step deploying to subnet.
func (r *runner) deployProgress(ctx context.Context, subnet string) DeployProgress {
	for i, s := range r.st.Plan.Steps {
		if s.Kind != StepDeploy || s.Subnet != subnet {
			continue
		}
		rec := r.st.Steps[i]
		dp := DeployProgress{State: rec.State, Proposal: rec.Proposal}
		if rec.Proposal != 0 {
			if p, err := r.proposal(ctx, rec.Proposal); err == nil {
				dp.Status = p.Status
			}
		}
		return dp
	}
	return DeployProgress{}
}
