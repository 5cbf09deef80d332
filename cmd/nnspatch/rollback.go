package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/rollback"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newCmdRollback(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollback <command>",
		Short: "Plan, submit and track the rollback of a GuestOS release",
		Long: `A rollback returns every subnet (and the unassigned nodes, if they moved) that
runs a release to the last version it ran before it, found in the registry's
history. A version unelected since is re-elected first with the SHA-256, URLs
and launch measurements of its deleted registry record. The failing subnet goes
first, then the others, most recently upgraded first; with --release the plan
also halts the release's rollout in its ledger.`,
	}
	cmd.AddCommand(newCmdRollbackPlan(f, nil), newCmdRollbackSubmit(f, nil), newCmdRollbackStatus(f, nil))
	return cmd
}

// rollbackOptions are the flags the rollback commands share.
type rollbackOptions struct {
	*releaseEnv
	Release string
	Version string
	Mode    string
	Subnets []string
	Failing []string
	To      string
	Problem string
	Exclude []string
	All     bool
	// APIBoundary is --api-boundary-nodes: roll back the API boundary nodes
	// that run the version too.
	APIBoundary bool
	Templates   string
	Format      string
	State       string
	Watch       bool
	Interval    time.Duration
	// Wasm are --wasm CANISTER=FILE (NNS canister releases).
	Wasm []string
}

func (o *rollbackOptions) addPlanFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&o.Release, "release", "", "the release to roll back: a version under the releases directory or a release `dir`")
	fl.StringVar(&o.Version, "version", "", "the GuestOS `version` to roll back (without a release ledger)")
	fl.StringVar(&o.Mode, "mode", "security", "mode of the texts with --version: security or regular")
	fl.StringSliceVar(&o.Subnets, "subnets", nil, "roll back only these subnet `ids` (default: every subnet running the version)")
	fl.StringSliceVar(&o.Failing, "failing", nil, "subnet `ids` seen failing, rolled back first (with --release: added to the failed gates)")
	fl.StringVar(&o.To, "to", "", "restore this `version` everywhere instead of each target's last good version")
	fl.StringVar(&o.Problem, "problem", "", "what failed, in one line for the proposals (default: the failed gate; a neutral line when no failure was detected)")
	fl.StringSliceVar(&o.Exclude, "exclude", nil, "never restore these `versions` (marked bad)")
	fl.BoolVar(&o.All, "all-targets", false, "also roll back healthy targets that run the version (default: only failing ones)")
	fl.BoolVar(&o.APIBoundary, "api-boundary-nodes", false, "also roll back the API boundary nodes that run the version (DeployGuestosToSomeApiBoundaryNodes, 47; default: when they failed their stage or with --all-targets)")
	fl.StringVar(&o.Templates, "templates", "", "YAML `file` of title/summary templates overriding rollback.deploy.title and friends")
	fl.StringArrayVar(&o.Wasm, "wasm", nil, "NNS canister releases: `CANISTER=FILE`, the previous wasm of a canister (checked against its module hash before the upgrade)")
}

func (o *rollbackOptions) check() error {
	if (o.Release == "") == (o.Version == "") {
		return FlagErrorf("pass exactly one of --release and --version")
	}
	if _, err := proposals.ParseMode(o.Mode); err != nil {
		return FlagErrorf("--mode: %v", err)
	}
	return nil
}

func newCmdRollbackPlan(f *Factory, runF func(*rollbackOptions) error) *cobra.Command {
	o := &rollbackOptions{releaseEnv: newReleaseEnv(f)}
	cmd := &cobra.Command{
		Use:   "plan (--release REL | --version V) [--subnets ID...] [--to VERSION] [--format text|markdown|json]",
		Short: "Show the ordered rollback steps, each with its precondition and expected state",
		Long: `Plan the rollback of a release from the registry and its history. Nothing is
submitted. Each step names its proposal, why it is there, what must hold before
it and what holds after it.

Additional exit codes:
  9  nothing runs the version, or a target has no version to return to`,
		Example: "$ nnspatch rollback plan --release $COMMIT\n$ nnspatch rollback plan --version $COMMIT --format markdown > rollback.md",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			if o.Format != "text" && o.Format != "markdown" && o.Format != "json" {
				return FlagErrorf("--format must be text, markdown or json")
			}
			return runOrRunF(o, runF, func(o *rollbackOptions) error { return rollbackPlanRun(cmd.Context(), o) })
		},
	}
	o.addFlags(cmd, false)
	o.addHealthFlags(cmd.Flags())
	o.addPlanFlags(cmd)
	cmd.Flags().StringVar(&o.Format, "format", "text", "output `format`: text, markdown or json")
	return cmd
}

func rollbackPlanRun(ctx context.Context, o *rollbackOptions) error {
	s, err := o.session(ctx, false)
	if err != nil {
		return err
	}
	p, err := s.plan(ctx, o)
	if err != nil {
		return err
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.RollbackPlan{Envelope: jsonout.NewEnvelope(), Plan: p})
	}
	return writeRollbackPlan(o.IO.Out, o.Format, p)
}

func writeRollbackPlan(w io.Writer, format string, p *rollback.Plan) error {
	switch format {
	case "markdown":
		return rollback.RenderMarkdown(w, p)
	case "json":
		return rollback.RenderJSON(w, p)
	}
	return rollback.RenderText(w, p)
}

// rollbackSession is a connected rollback: the client, and the release's
// tracker when there is one.
type rollbackSession struct {
	client  *governance.Client
	tracker *rollout.Tracker
	ledger  *rollout.Ledger
	now     func(context.Context) (time.Time, error)
	dir     string
}

func (o *rollbackOptions) session(ctx context.Context, writes bool) (*rollbackSession, error) {
	s := &rollbackSession{dir: "."}
	if o.Release != "" {
		st, err := o.store(o.Release)
		if err != nil {
			return nil, err
		}
		if s.tracker, err = o.tracker(ctx, st, writes); err != nil {
			return nil, err
		}
		if s.ledger, err = st.Read(); err != nil {
			return nil, err
		}
		s.client, s.now, s.dir = s.tracker.Gov.(*governance.Client), s.tracker.Now, st.Dir
		return s, nil
	}
	if writes {
		if err := o.resolveNeuron(); err != nil {
			return nil, err
		}
	}
	c, err := o.f.governanceClient(ctx, o.Net.RootKey)
	if err != nil {
		return nil, err
	}
	if writes {
		if err := checkMainnetRisk(c.Network, o.AcceptRisk, "submitting a rollback"); err != nil {
			return nil, err
		}
	}
	s.client, s.now = c, networkClock(c.Network)
	return s, nil
}

// plan builds the plan: with --release through rollback.PlanRelease, the
// function the TUI's Rollback page calls too (failing subnets from the
// rollout's gates, pending deploys, halt first); with --version from the
// registry and its history alone.
func (s *rollbackSession) plan(ctx context.Context, o *rollbackOptions) (*rollback.Plan, error) {
	if s.ledger != nil && s.ledger.ReleaseKind() != rollout.ReleaseGuestOS {
		return s.kindRollbackPlan(ctx, o)
	}
	var tpl rollback.Templates
	if o.Templates != "" {
		b, err := os.ReadFile(o.Templates)
		if err != nil {
			return nil, fmt.Errorf("read templates: %w", err)
		}
		if err := yaml.Unmarshal(b, &tpl); err != nil {
			return nil, FlagErrorf("--templates %s: %v", o.Templates, err)
		}
	}
	// Versions a release of which was halted or abandoned are never restored.
	dir, err := o.releasesDir()
	if err != nil {
		return nil, err
	}
	var p *rollback.Plan
	if s.ledger != nil {
		p, err = rollback.PlanRelease(ctx, s.tracker, s.client, rollback.ReleaseOptions{Subnets: o.Subnets, Failing: o.Failing,
			To: o.To, Problem: o.Problem, Exclude: o.Exclude, AllTargets: o.All, Templates: tpl, APIBoundary: o.APIBoundary, ReleasesDir: dir})
	} else {
		p, err = s.planVersion(ctx, o, tpl, dir)
	}
	var fe *rollback.FailingError
	switch {
	case errors.As(err, &fe):
		return nil, FlagErrorf("--failing: %v", fe.Err)
	case errors.Is(err, rollback.ErrNoTarget):
		return nil, &noTargetError{To: o.To, Err: err}
	}
	return p, err
}

// planVersion plans the rollback of --version without a release ledger.
func (s *rollbackSession) planVersion(ctx context.Context, o *rollbackOptions, tpl rollback.Templates, releasesDir string) (*rollback.Plan, error) {
	in := rollback.Input{Release: o.Version, Mode: proposals.Mode(o.Mode), Subnets: o.Subnets, To: o.To, Problem: o.Problem, Failing: o.Failing,
		Exclude: o.Exclude, AllTargets: o.All, Templates: tpl, APIBoundary: o.APIBoundary}
	var err error
	if in.Bad, err = rollout.BadVersions(releasesDir); err != nil {
		return nil, err
	}
	if err := in.ReadNetwork(ctx, s.client); err != nil {
		return nil, err
	}
	if err := rollback.CheckFailing(in.Registry, in.Release, o.Failing); err != nil {
		return nil, &rollback.FailingError{Err: err}
	}
	if in.Now, err = s.now(ctx); err != nil {
		return nil, err
	}
	return rollback.Build(in)
}

// noTargetError is a rollback.ErrNoTarget from planning, with the --to
// value the plan was built with, so the hint can tell "name a version"
// from "the version named cannot be restored".
type noTargetError struct {
	// To is the --to value, "" when it was not given.
	To string
	// Err is the planner's error.
	Err error
}

// Error implements error.
func (e *noTargetError) Error() string { return e.Err.Error() }

// Unwrap returns the planner's error.
func (e *noTargetError) Unwrap() error { return e.Err }

// noTargetHint says to pass --to only when it was not given.
func noTargetHint(err error) string {
	var ne *noTargetError
	switch {
	case errors.As(err, &ne) && ne.To != "":
		return "--to " + ne.To + " cannot be restored; pass --to with an earlier GuestOS version that is elected or in the registry history (`nnspatch versions`), or leave --to out to restore each target's last good version"
	case errors.As(err, &ne):
		return "pass --to VERSION to name the version to restore"
	}
	return "pass --to with a GuestOS version that ran before the release and is elected or in the registry history (`nnspatch versions`)"
}

func newCmdRollbackSubmit(f *Factory, runF func(*rollbackOptions) error) *cobra.Command {
	o := &rollbackOptions{releaseEnv: newReleaseEnv(f)}
	cmd := &cobra.Command{
		Use:   "submit (--release REL | --version V) [--state FILE] [--neuron N]",
		Short: "Submit the rollback's steps whose preconditions hold, idempotently",
		Long: `Plan the rollback (or resume the one in the state file) and submit every step
whose precondition holds: the halt, re-elections, then deployments once their
version is elected. Progress is recorded in the state file before and after each
submission (default: rollback.json in the release directory, or
rollback-<version>.json here), so running it again after a crash submits nothing
twice. Run it again, or ` + "`rollback status --watch`" + `, until every step is done.

Additional exit codes:
  4  the identity does not control the neuron
  9  a preflight check failed, or a rollback proposal was rejected or failed`,
		Example: "$ nnspatch rollback submit --release $COMMIT --neuron 80 --yes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			return runOrRunF(o, runF, func(o *rollbackOptions) error { return rollbackSubmitRun(cmd.Context(), o) })
		},
	}
	o.addFlags(cmd, true)
	o.addHealthFlags(cmd.Flags())
	o.addPlanFlags(cmd)
	cmd.Flags().StringVar(&o.State, "state", "", "rollback state `file`")
	return cmd
}

func (o *rollbackOptions) statePath(s *rollbackSession) string {
	switch {
	case o.State != "":
		return o.State
	case o.Release != "":
		return filepath.Join(s.dir, "rollback.json")
	}
	v := o.Version
	if len(v) > 8 {
		v = v[:8]
	}
	return "rollback-" + v + ".json"
}

func (s *rollbackSession) executor(o *rollbackOptions, path string) (*rollback.Executor, error) {
	cfg, err := o.f.Config()
	if err != nil {
		return nil, err
	}
	if s.tracker != nil {
		return rollback.ReleaseExecutor(s.tracker, s.client, path, o.Neuron), nil
	}
	return &rollback.Executor{Gov: s.client, File: rollback.StateFile{Path: path}, Neuron: o.Neuron, Policy: cfg.Policy(), Now: s.now,
		Health: o.healthSource(cfg, s.client.Network)}, nil
}

func rollbackSubmitRun(ctx context.Context, o *rollbackOptions) error {
	s, err := o.session(ctx, true)
	if err != nil {
		return err
	}
	ex, err := s.executor(o, o.statePath(s))
	if err != nil {
		return err
	}
	st, err := ex.File.Load()
	if errors.Is(err, rollback.ErrNoState) {
		p, perr := s.plan(ctx, o)
		if perr != nil {
			return perr
		}
		if err := rollback.RenderText(o.IO.ErrOut, p); err != nil {
			return err
		}
		if err := confirm(o.IO, o.Yes(), fmt.Sprintf("Submit this rollback with neuron %d?", o.Neuron)); err != nil {
			return err
		}
		st, err = ex.Start(ctx, p)
	} else if err == nil {
		err = o.checkResumed(s, ex.File.Path, st)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Rollback of %s: state in %s\n", st.Plan.Release, ex.File.Path)
	status, err := ex.Submit(ctx)
	if status != nil {
		if werr := o.writeRollbackStatus(status); werr != nil {
			return werr
		}
	}
	return err
}

// checkResumed refuses a state file that rolls back another version, and
// notes that the plan flags do not change a plan already under way.
func (o *rollbackOptions) checkResumed(s *rollbackSession, path string, st *rollback.State) error {
	want := o.Version
	if s.ledger != nil {
		want = s.ledger.Version
	}
	if want != "" && st.Plan.Release != want {
		return FlagErrorf("%s holds the rollback of GuestOS %s, not %s; pass another --state file", path, st.Plan.Release, want)
	}
	if len(o.Subnets) > 0 || len(o.Failing) > 0 || o.To != "" || o.Problem != "" || o.Templates != "" {
		fmt.Fprintf(o.IO.ErrOut, "note: resuming the plan in %s; --subnets, --failing, --to, --problem and --templates only shape a new plan\n", path)
	}
	return nil
}

func newCmdRollbackStatus(f *Factory, runF func(*rollbackOptions) error) *cobra.Command {
	o := &rollbackOptions{releaseEnv: newReleaseEnv(f), Mode: string(proposals.ModeSecurity)}
	cmd := &cobra.Command{
		Use:   "status (--release REL | --version V | --state FILE) [--watch] [--json]",
		Short: "Show each rollback step's state and proposal",
		Long: `Read the rollback's state file and the network: steps whose expected state holds
are done (a subnet's once every replica runs the restored version, no alert is
seen and it finalizes, per the health source; from /metrics heights that takes
two runs at least 5s apart, the heights kept in the state file), submitted steps
show their proposal's status. Each subnet target's checks follow: ✓ ok, … waiting
(deploy open, replicas upgrading, one height seen), ✗ failed. With --watch it
refreshes every --interval until every step is done.

Additional exit codes:
  8  --watch ended before every step was done
  9  a rollback proposal was rejected or failed`,
		Example: "$ nnspatch rollback status --release $COMMIT --watch --interval 30s",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.State == "" {
				if err := o.check(); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("interval") && !o.Watch {
				return FlagErrorf("--interval needs --watch")
			}
			return runOrRunF(o, runF, func(o *rollbackOptions) error { return rollbackStatusRun(cmd.Context(), o) })
		},
	}
	o.addFlags(cmd, false)
	o.addHealthFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.Release, "release", "", "the release (version or `dir`) whose rollback.json to read")
	cmd.Flags().StringVar(&o.Version, "version", "", "the rolled-back `version` (reads rollback-<version>.json)")
	cmd.Flags().StringVar(&o.State, "state", "", "rollback state `file`")
	cmd.Flags().BoolVar(&o.Watch, "watch", false, "refresh until every step is done")
	cmd.Flags().DurationVar(&o.Interval, "interval", 30*time.Second, "refresh interval of --watch")
	return cmd
}

func rollbackStatusRun(ctx context.Context, o *rollbackOptions) error {
	s, err := o.session(ctx, false)
	if err != nil {
		return err
	}
	ex, err := s.executor(o, o.statePath(s))
	if err != nil {
		return err
	}
	for {
		st, err := ex.Status(ctx)
		if st != nil {
			if werr := o.writeRollbackStatus(st); werr != nil {
				return werr
			}
		}
		if err != nil || !o.Watch || st.Done {
			return err
		}
		select {
		case <-ctx.Done():
			return &PendingError{What: "rollback of " + st.Release}
		case <-time.After(o.Interval):
		}
	}
}

func (o *rollbackOptions) writeRollbackStatus(st *rollback.Status) error {
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.RollbackStatus{Envelope: jsonout.NewEnvelope(), Status: st})
	}
	return writeRollbackStatus(o.IO.Out, st)
}

func writeRollbackStatus(w io.Writer, st *rollback.Status) error {
	var b strings.Builder
	state := "in progress"
	if st.Done {
		state = "done"
	}
	fmt.Fprintf(&b, "Rollback of %s: %s at %s\n", st.Release, state, st.Now.Format("2006-01-02 15:04 MST"))
	for _, s := range st.Steps {
		target := s.Subnet
		switch s.Kind {
		case rollback.StepUnassigned:
			target = "unassigned nodes"
		case rollback.StepAPIBoundary:
			target = "API boundary nodes"
		}
		prop := ""
		if s.Proposal != 0 {
			prop = fmt.Sprintf(" proposal %d (%s)", s.Proposal, s.ProposalStatus)
		}
		fmt.Fprintf(&b, "  %s %d. %-10s %s%s\n     %s\n", stepMark(s.State), s.N, s.Kind, target, prop, governance.SanitizeLine(s.Detail))
	}
	writeTargetHealth(&b, st.Targets)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTargetHealth prints each subnet target's checks on its restored
// version with the states the library gives them (rollback.JudgeTarget),
// marked as the TUI marks them: ✓ ok, … waiting, ✗ failed. While the
// version waits, the other checks wait on it and are not listed. Nothing
// without a health source.
func writeTargetHealth(b *strings.Builder, ts []rollback.TargetHealth) {
	if ts == nil {
		return
	}
	rec := rollback.CountRecovery(ts)
	fmt.Fprintf(b, "Targets on their restored versions: %d of %d healthy\n", rec.Healthy, rec.Total)
	for _, t := range ts {
		var notes []string
		for _, c := range t.Checks {
			if c.State != rollback.CheckOK {
				notes = append(notes, fmt.Sprintf("%s %s: %s", targetMark(c.State), c.Name, governance.SanitizeLine(c.Detail)))
			}
			if c.Name == health.CheckVersion && c.State == rollback.CheckWaiting {
				break
			}
		}
		line := "healthy"
		if len(notes) > 0 {
			line = strings.Join(notes, "; ")
		}
		fmt.Fprintf(b, "  %s %s on %s\n     %s\n", targetMark(t.State()), t.Subnet, short(t.Version, 10), line)
	}
}

// targetMark marks a target check's state.
func targetMark(s rollback.CheckState) string {
	switch s {
	case rollback.CheckOK:
		return "✓"
	case rollback.CheckFailed:
		return "✗"
	}
	return "…"
}

func stepMark(s rollback.StepState) string {
	switch s {
	case rollback.StateDone:
		return "✓"
	case rollback.StateFailed:
		return "✗"
	case rollback.StatePending:
		return "·"
	}
	return "…"
}
