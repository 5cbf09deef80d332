package rollback

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
	rb "github.com/nnspatch/nnspatch/rollback"
)

// ErrNoNeuron reports a submission without a proposer neuron.
var ErrNoNeuron = errors.New("no proposer neuron; start nnspatch tui with --neuron N")

// ReleaseSource is the rollback of a release directory, the way
// `nnspatch rollback plan|submit|status --release DIR` does it: the plan
// halts the rollout first, takes the failing subnets from the rollout's
// gates, and the progress is kept in the release's rollback.json, so the
// CLI and the app follow the same rollback.
type ReleaseSource struct {
	// Tracker is the release's rollout tracker; its Now is the network's
	// clock and its Store the release directory.
	Tracker *rollout.Tracker
	// Client reads the registry, its history and proposals, and submits.
	Client *governance.Client
	// Neuron proposes (0: submitting is refused).
	Neuron uint64
	// Policy checks security-mode texts before submitting.
	Policy proposals.Policy
	// StatePath overrides <release dir>/rollback.json.
	StatePath string

	mu      sync.Mutex
	heights map[string]heightObs
}

var (
	_ Source  = (*ReleaseSource)(nil)
	_ Watcher = (*ReleaseSource)(nil)
)

func (s *ReleaseSource) executor() *rb.Executor {
	path := s.StatePath
	if path == "" {
		path = filepath.Join(s.Tracker.Store.Dir, "rollback.json")
	}
	return &rb.Executor{Gov: s.Client, File: rb.StateFile{Path: path}, Ledger: rb.ReleaseLedger{Tracker: s.Tracker},
		Neuron: s.Neuron, Policy: s.Policy, Now: s.Tracker.Now}
}

// Plan implements Source.
func (s *ReleaseSource) Plan(ctx context.Context) (*rb.Plan, error) {
	l, err := s.Tracker.Store.Read()
	if err != nil {
		return nil, err
	}
	st, err := s.Tracker.Status(ctx)
	if err != nil {
		return nil, err
	}
	in := rb.Input{Release: l.Version, Mode: l.Mode, Halt: true}
	in.Failing, in.Problem = failingSubnets(st)
	// Pressing p with no failure detected asks for every target (the page
	// says so), like the CLI's --all-targets.
	in.AllTargets = len(in.Failing) == 0
	if in.History, err = rb.ReadHistory(ctx, s.Client); err != nil {
		return nil, err
	}
	if in.Registry, err = in.History.Registry(); err != nil {
		return nil, err
	}
	log, err := s.Client.RegistryLog(ctx)
	if err != nil {
		return nil, err
	}
	if in.Timeline, err = timeline.Build(log); err != nil {
		return nil, err
	}
	if in.Now, err = s.Tracker.Now(ctx); err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	return rb.Build(in)
}

// failingSubnets lists the subnets whose gate failed and describes the
// first failure in one line (empty: the rollback package's default).
func failingSubnets(st *rollout.Status) (out []string, problem string) {
	for _, b := range st.Batches {
		for _, sn := range b.Subnets {
			if sn.State != rollout.StateFailed {
				continue
			}
			out = append(out, sn.Subnet)
			if problem == "" {
				problem = fmt.Sprintf("subnet %s failed the %s check after its GuestOS update: %s", sn.Subnet, sn.FailedCheck, sn.Detail)
			}
		}
	}
	return out, problem
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

// Watch implements Watcher: it takes a health snapshot (the tracker's
// source: Prometheus, or a local network's /metrics) and checks each
// subnet target against the version it is restored to. Finalization is
// judged from the height growth between observations at least
// rollout.MinHeightInterval apart (network time) when the source reports
// only heights; without a health source it returns nothing.
func (s *ReleaseSource) Watch(ctx context.Context, p *rb.Plan) ([]TargetHealth, error) {
	out := []TargetHealth{}
	if s.Tracker.Health == nil {
		return out, nil
	}
	snap, err := s.Tracker.Health.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("observe the rollback's targets: %w", err)
	}
	now, err := s.Tracker.Now(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	for _, t := range p.Targets {
		if t.Subnet == "" {
			continue
		}
		sub := s.finalizing(t.Subnet, snap.Subnets[t.Subnet], now)
		out = append(out, TargetHealth{Subnet: t.Subnet, Version: t.Restore, Checks: health.Evaluate(sub, t.Restore)})
	}
	return out, nil
}

// heightObs is a subnet's finalized height as last compared.
type heightObs struct {
	height float64
	at     time.Time
	fin    *bool
}

// finalizing fills sub.Finalizing from the heights seen, keeping the last
// verdict until a comparison is due.
func (s *ReleaseSource) finalizing(id string, sub health.Subnet, now time.Time) health.Subnet {
	if sub.Finalizing != nil || sub.Height == nil {
		return sub
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, ok := s.heights[id]
	if ok && now.Sub(prev.at) < rollout.MinHeightInterval {
		sub.Finalizing = prev.fin
		return sub
	}
	var fin *bool
	if ok {
		grew := *sub.Height > prev.height
		fin = &grew
	}
	if s.heights == nil {
		s.heights = map[string]heightObs{}
	}
	s.heights[id] = heightObs{height: *sub.Height, at: now, fin: fin}
	sub.Finalizing = fin
	return sub
}
