package rollback

import (
	"context"
	"errors"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	rb "github.com/nnspatch/nnspatch/rollback"
)

// ErrNoNeuron reports a submission without a proposer neuron.
var ErrNoNeuron = errors.New("no proposer neuron; start nnspatch tui with --neuron N")

// ReleaseSource is the rollback of a release directory through the same
// library functions as `nnspatch rollback plan|submit|status --release DIR`:
// rollback.PlanRelease (halt first, failing subnets from the rollout's
// gates, pending deploys named) and rollback.ReleaseExecutor (progress in
// the release's rollback.json, with the targets' health judged by
// rollback.JudgeTarget, the rule its steps are done by).
type ReleaseSource struct {
	// Tracker is the release's rollout tracker; its Now is the network's
	// clock and its Store the release directory.
	Tracker *rollout.Tracker
	// Client reads the registry, its history and proposals, and submits.
	Client *governance.Client
	// Neuron proposes (0: submitting is refused).
	Neuron uint64
	// StatePath overrides <release dir>/rollback.json.
	StatePath string
	// ReleasesDir is releases_dir: versions whose release there was halted
	// or abandoned are never restored, as with the CLI.
	ReleasesDir string
}

var _ Source = (*ReleaseSource)(nil)

func (s *ReleaseSource) executor() *rb.Executor {
	return rb.ReleaseExecutor(s.Tracker, s.Client, s.StatePath, s.Neuron)
}

// KindError is the Plan of an NNS canister release: its rollback
// reinstalls the previous wasm modules, files the page cannot ask for, so
// the CLI plans it (`nnspatch rollback plan --release DIR --wasm
// CANISTER=FILE`).
type KindError struct {
	// Kind is the release's kind (rollout.ReleaseCanister).
	Kind string
}

// Error implements error.
func (e *KindError) Error() string {
	return "rollback of " + e.Kind + " releases: use the CLI `nnspatch rollback plan --release DIR --wasm CANISTER=FILE`"
}

// Plan implements Source. Pressing p with no failure detected asks for
// every target (the page says so), like the CLI's --all-targets. A HostOS
// release is planned by rollback.PlanHostOSRelease, as the CLI does; an NNS
// canister release is a *KindError.
func (s *ReleaseSource) Plan(ctx context.Context) (*rb.Plan, error) {
	l, err := s.Tracker.Store.Read()
	if err != nil {
		return nil, err
	}
	switch k := l.ReleaseKind(); k {
	case rollout.ReleaseGuestOS:
		return rb.PlanRelease(ctx, s.Tracker, s.Client, rb.ReleaseOptions{AllWhenNoFailure: true, ReleasesDir: s.ReleasesDir})
	case rollout.ReleaseHostOS:
		return rb.PlanHostOSRelease(ctx, s.Tracker, "")
	default:
		return nil, &KindError{Kind: k}
	}
}

// Started implements Source.
func (s *ReleaseSource) Started(ctx context.Context) (*rb.Plan, error) {
	st, err := s.executor().File.Load()
	switch {
	case errors.Is(err, rb.ErrNoState):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return st.Plan, nil
}

// Start implements Source.
func (s *ReleaseSource) Start(ctx context.Context, p *rb.Plan) error {
	if s.Neuron == 0 {
		return ErrNoNeuron
	}
	_, err := s.executor().Start(ctx, p)
	return err
}

// Submit implements Source.
func (s *ReleaseSource) Submit(ctx context.Context) (*rb.Status, error) {
	if s.Neuron == 0 {
		return nil, ErrNoNeuron
	}
	return s.executor().Submit(ctx)
}

// Status implements Source.
func (s *ReleaseSource) Status(ctx context.Context) (*rb.Status, error) {
	return s.executor().Status(ctx)
}
