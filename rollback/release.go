package rollback

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/timeline"
)

// StateFileName is the rollback state file in a release directory.
const StateFileName = "rollback.json"

// Network is what planning a rollback reads from the network: the
// registry's history (get_changes_since) and its timeline log.
// governance.Client implements it.
type Network interface {
	ChangesSource
	RegistryLog(ctx context.Context) (*governance.RegistryLog, error)
}

// ReleaseOptions shape the rollback of a release directory beyond what its
// ledger and rollout status say (the flags of `nnspatch rollback plan`).
type ReleaseOptions struct {
	// Subnets limits the rollback to these subnets.
	Subnets []string
	// Failing are subnets seen failing, added after the failed gates.
	Failing []string
	// To restores this version everywhere.
	To string
	// Problem says what failed (default: the first failed gate).
	Problem string
	// Exclude are versions never to restore.
	Exclude []string
	// AllTargets also rolls back healthy targets.
	AllTargets bool
	// AllWhenNoFailure rolls back every target when no gate failed and no
	// subnet is named failing (the TUI's p says so before planning).
	AllWhenNoFailure bool
	// Templates override the built-in texts.
	Templates Templates
	// APIBoundary also rolls back the API boundary nodes (their stage's
	// failure adds them anyway).
	APIBoundary bool
	// ReleasesDir holds every release directory (releases_dir): a version
	// whose release there was halted or abandoned is never restored
	// (rollout.BadVersions). Empty reads none.
	ReleasesDir string
}

// FailingError reports a subnet named failing (ReleaseOptions.Failing)
// that is not in the registry or does not run the release.
type FailingError struct {
	// Err says which subnet and why.
	Err error
}

// Error implements error.
func (e *FailingError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FailingError) Unwrap() error { return e.Err }

// ReleaseInput is the planning input of a release directory's rollback,
// built the one way the CLI (`rollback plan|submit --release`) and the TUI's
// Rollback page build it: the version, mode and deny words from the ledger
// and tracker, a halt of the rollout first, the failing subnets and the
// problem from the rollout's failed gates, the deploy proposals still
// pending (a halt does not stop them), then the registry, its history and
// timeline, and the network's time.
func ReleaseInput(ctx context.Context, t *rollout.Tracker, net Network, o ReleaseOptions) (Input, error) {
	l, err := t.Store.Read()
	if err != nil {
		return Input{}, err
	}
	st, err := t.Status(ctx)
	if err != nil {
		return Input{}, err
	}
	policy := t.Policy
	in := Input{Release: l.Version, Mode: l.Mode, Halt: true, Subnets: o.Subnets, To: o.To, Exclude: o.Exclude,
		AllTargets: o.AllTargets, Templates: o.Templates, Policy: &policy}
	var failed []string
	failed, in.Problem = FailingSubnets(st, o.Problem)
	in.Failing = append(append([]string(nil), o.Failing...), failed...)
	in.Pending, in.Stalled = PendingDeploys(st), StalledSubnets(st)
	in.APIBoundary = o.APIBoundary || st.APIBoundary != nil && st.APIBoundary.State == rollout.StateFailed
	if o.ReleasesDir != "" {
		if in.Bad, err = rollout.BadVersions(o.ReleasesDir); err != nil {
			return Input{}, err
		}
	}
	if o.AllWhenNoFailure && len(in.Failing) == 0 {
		in.AllTargets = true
	}
	if err := in.ReadNetwork(ctx, net); err != nil {
		return Input{}, err
	}
	if err := CheckFailing(in.Registry, in.Release, o.Failing); err != nil {
		return Input{}, &FailingError{Err: err}
	}
	if in.Now, err = t.Now(ctx); err != nil {
		return Input{}, fmt.Errorf("read the network's time: %w", err)
	}
	return in, nil
}

// PlanRelease plans the rollback of a release directory: ReleaseInput,
// then Build.
func PlanRelease(ctx context.Context, t *rollout.Tracker, net Network, o ReleaseOptions) (*Plan, error) {
	in, err := ReleaseInput(ctx, t, net, o)
	if err != nil {
		return nil, err
	}
	return Build(in)
}

// ReadNetwork fills the registry, its history and its timeline.
func (in *Input) ReadNetwork(ctx context.Context, net Network) error {
	var err error
	if in.History, err = ReadHistory(ctx, net); err != nil {
		return err
	}
	if in.Registry, err = in.History.Registry(); err != nil {
		return err
	}
	log, err := net.RegistryLog(ctx)
	if err != nil {
		return err
	}
	in.Timeline, err = timeline.Build(log)
	return err
}

// StalledSubnets lists the release's subnets whose gate failed on the
// finalizing check: they do not finalize at all (the NNS
// subnet among them needs a recovery, not a proposal).
func StalledSubnets(st *rollout.Status) []string {
	var out []string
	for _, b := range st.Batches {
		for _, sn := range b.Subnets {
			if sn.State == rollout.StateFailed && sn.FailedCheck == health.CheckFinalizing {
				out = append(out, sn.Subnet)
			}
		}
	}
	return out
}

// FailingSubnets lists the subnets whose gate failed and, unless problem
// is given, describes the first failure in one line.
func FailingSubnets(st *rollout.Status, problem string) ([]string, string) {
	var out []string
	for _, b := range st.Batches {
		for _, sn := range b.Subnets {
			if sn.State != rollout.StateFailed {
				continue
			}
			out = append(out, sn.Subnet)
			if problem == "" {
				problem = fmt.Sprintf("subnet %s failed the %s check after its GuestOS update: %s", sn.Subnet, sn.FailedCheck, Unversioned(sn.Detail, st.Version))
			}
		}
	}
	return out, problem
}

// PendingDeploys lists the release's deploy proposals not executed yet.
func PendingDeploys(st *rollout.Status) []PendingDeploy {
	var out []PendingDeploy
	for _, b := range st.Batches {
		for _, sn := range b.Subnets {
			if sn.Proposal != 0 && (sn.State == rollout.StateWaitingForAdoption || sn.State == rollout.StateProposing) {
				out = append(out, PendingDeploy{Subnet: sn.Subnet, Proposal: sn.Proposal})
			}
		}
	}
	return out
}

// ReleaseExecutor is the Executor of a release directory's rollback: state
// in path (default <release dir>/rollback.json), the release's ledger, the
// tracker's health source, clock and security policy.
func ReleaseExecutor(t *rollout.Tracker, gov Governance, path string, neuron uint64) *Executor {
	if path == "" {
		path = filepath.Join(t.Store.Dir, StateFileName)
	}
	return &Executor{Gov: gov, File: StateFile{Path: path}, Ledger: ReleaseLedger{Tracker: t}, Neuron: neuron,
		Policy: t.Policy, Now: t.Now, Health: t.Health}
}
