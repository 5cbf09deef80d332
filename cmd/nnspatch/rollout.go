package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

func newCmdRollout(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout <command>",
		Short: "Plan and drive a release's staged rollout",
		Long: `Plan the staged rollout of a release from the live registry, follow each subnet
through pending, proposing, waiting for adoption, upgrading, baking and complete,
and submit the next batch's deploy proposals once the previous batch has been
healthy for its bake time. The NNS subnet goes alone in the last batch and the
unassigned nodes follow it, then the API boundary nodes (when the plan has that
stage, as the default policy's plans do); then the quiet period starts.

Health gates read a Prometheus server (--prometheus or prometheus_url) or, on a
local network, its /metrics directly: every replica reports the new version in
ic_replica_info, the subnet keeps finalizing, and no alert is pending or firing.`,
	}
	cmd.AddCommand(newCmdRolloutPlan(f, nil), newCmdRolloutStatus(f, nil), newCmdRolloutAdvance(f, nil),
		newCmdRolloutHalt(f, nil), newCmdRolloutResume(f, nil))
	return cmd
}

type rolloutPlanOptions struct {
	*releaseRefOptions
	File      string
	Output    string
	BatchSize int
	Interval  time.Duration
	Bake      time.Duration
	Start     string
	// Policy is --policy: a built-in policy name or a policy file; empty
	// takes rollout_policy from the config.
	Policy string
	// BatchSizeSet, IntervalSet, BakeSet and PerSubnetSet report the flags
	// given (otherwise the policy's or the kind's default applies).
	BakeSet, PerSubnetSet bool
	// BatchSizeSet and IntervalSet report --batch-size and --interval given
	// (they then override the policy's).
	BatchSizeSet, IntervalSet bool
	// PerSubnet is --per-subnet (HostOS releases).
	PerSubnet int
}

func newCmdRolloutPlan(f *Factory, runF func(*rolloutPlanOptions) error) *cobra.Command {
	opts := &rolloutPlanOptions{}
	cmd, ref := newReleaseRefCmd(f, "plan <release> [--file <plan.yaml>]", "Plan the staged rollout from the live registry",
		`Build a plan from the live registry (or read --file), validate it and store it in
the release ledger; the plan is printed as YAML, headed by its calendar (the date
and time of every batch in the policy's time zone, as YAML comments).

The plan follows a policy (--policy, else rollout_policy in the config): "dfinity"
(the default; DFINITY's practice: a canary application subnet first, application
subnets before system subnets, the signing subnet uzr34 and its backup pzp6e each
alone and on different days, batches Monday to Thursday between 07:00 and 15:00 UTC,
the NNS subnet alone and last in the following week, then the unassigned nodes and
the API boundary nodes), "continuous" (registry order, batches back to back at any
hour, the NNS right after, no API boundary node stage), or a policy YAML file whose
keys override dfinity's (time_zone, days, hours, batch_size, interval, canaries,
canary_count, alone, separate_days, application_first, nns_next_week,
api_boundary_nodes). --batch-size and --interval override the policy's.

--file takes nnspatch's plan
shape (batches with start times, as printed) or DFINITY's day-keyed one:
"Monday:" / "Tuesday next week:" -> "H:MM" (UTC) -> [subnets] or {batch, subnets},
counted from the week of --start; subnets may be unambiguous id prefixes. Validation lists every problem:
the NNS subnet not alone in the last batch, unknown, ambiguous or duplicate
subnets, subnets in no batch, the signing subnet and its backup less than a day
apart, or a version that is not elected.

Additional exit codes:
  3  the plan is invalid`,
		"$ nnspatch rollout plan $COMMIT\n$ nnspatch rollout plan $COMMIT --policy zurich-policy.yaml --start 2026-12-07T08:00:00+01:00\n$ nnspatch rollout plan $COMMIT --policy continuous --batch-size 5 --interval 90m --bake 30m -o plan.yaml\n$ nnspatch rollout plan $COMMIT --file plan.yaml",
		false, nil, func(ctx context.Context, _ *releaseRefOptions) error {
			return runOrRunF(opts, runF, func(o *rolloutPlanOptions) error { return rolloutPlanRun(ctx, o) })
		})
	opts.releaseRefOptions = ref
	fl := cmd.Flags()
	fl.StringVar(&opts.File, "file", "", "use this plan `file` instead of building one")
	fl.StringVarP(&opts.Output, "output", "o", "", "also write the plan to this `file`")
	fl.IntVar(&opts.BatchSize, "batch-size", rollout.DefaultBatchSize, "subnets per batch")
	fl.DurationVar(&opts.Interval, "interval", rollout.DefaultInterval, "time between batches")
	fl.DurationVar(&opts.Bake, "bake", rollout.DefaultBake, "how long each subnet must stay healthy before the next batch")
	fl.StringVar(&opts.Start, "start", "", "first batch `time` (RFC 3339; default: now on the network's clock)")
	fl.StringVar(&opts.Policy, "policy", "", "plan `policy`: dfinity, continuous or a policy YAML file (default: rollout_policy in the config)")
	pre := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		opts.BatchSizeSet, opts.IntervalSet = c.Flags().Changed("batch-size"), c.Flags().Changed("interval")
		opts.BakeSet, opts.PerSubnetSet = c.Flags().Changed("bake"), c.Flags().Changed("per-subnet")
		if pre != nil {
			return pre(c, args)
		}
		return nil
	}
	fl.IntVar(&opts.PerSubnet, "per-subnet", rollout.DefaultHostOSPerSubnet, "HostOS releases: nodes of each subnet per main-stage batch")
	return cmd
}

func rolloutPlanRun(ctx context.Context, o *rolloutPlanOptions) error {
	s, err := o.store(o.Ref)
	if err != nil {
		return err
	}
	l, err := s.Read()
	if err != nil {
		return err
	}
	t, err := o.tracker(ctx, s, false)
	if err != nil {
		return err
	}
	if l.ReleaseKind() != rollout.ReleaseGuestOS {
		return kindPlanRun(ctx, o, t, l)
	}
	p, err := o.plan(ctx, t, l.Version)
	if err != nil {
		return err
	}
	saved, err := t.SavePlan(ctx, p)
	if err != nil {
		var pe *rollout.PlanError
		if errors.As(err, &pe) {
			for _, pr := range pe.Problems {
				fmt.Fprintln(o.IO.ErrOut, "error: "+pr.String())
			}
		}
		return err
	}
	if o.Output != "" {
		if err := rollout.WritePlan(o.Output, saved); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "Planned %d batches for %s; next: nnspatch rollout advance %s\n", len(saved.Batches), o.Ref, o.Ref)
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.RolloutPlan{Envelope: jsonout.NewEnvelope(), Plan: saved})
	}
	return writePlan(o.IO.Out, saved)
}

func (o *rolloutPlanOptions) plan(ctx context.Context, t *rollout.Tracker, version string) (*rollout.Plan, error) {
	req, err := o.request()
	if err != nil {
		return nil, err
	}
	return req.GuestOSPlan(ctx, t, version)
}

// request is the plan the flags ask for over the config's rollout_policy:
// --batch-size, --interval, --bake and --per-subnet override the policy
// only when given.
func (o *rolloutPlanOptions) request() (rollout.PlanRequest, error) {
	req := rollout.PlanRequest{Policy: o.Policy, File: o.File}
	if o.Start != "" {
		start, err := time.Parse(time.RFC3339, o.Start)
		if err != nil {
			return req, FlagErrorf("--start: %v", err)
		}
		req.Start = start
	}
	if req.Policy == "" && req.File == "" {
		cfg, err := o.f.Config()
		if err != nil {
			return req, err
		}
		req.Policy = cfg.RolloutPolicy
	}
	if o.BatchSizeSet {
		req.BatchSize = o.BatchSize
	}
	if o.IntervalSet {
		req.Interval = o.Interval
	}
	if o.BakeSet {
		req.Bake = o.Bake
	}
	if o.PerSubnetSet {
		req.PerSubnet = o.PerSubnet
	}
	return req, nil
}

func writePlan(w io.Writer, p *rollout.Plan) error {
	writeCalendar(w, p)
	fmt.Fprintf(w, "version: %s\nbake: %s\n", p.Version, p.Bake)
	if p.Policy != "" {
		fmt.Fprintf(w, "policy: %s\n", p.Policy)
	}
	if p.TimeZone != "" {
		fmt.Fprintf(w, "time_zone: %s\n", p.TimeZone)
	}
	fmt.Fprintln(w, "batches:")
	for _, b := range p.Batches {
		fmt.Fprintf(w, "  - batch: %d\n    start: %s\n    subnets:\n", b.Batch, b.Start.Format(time.RFC3339))
		for _, s := range b.Subnets {
			fmt.Fprintf(w, "      - %s\n", s)
		}
	}
	_, err := fmt.Fprintf(w, "unassigned_nodes: %s\n", p.UnassignedNodes.Format(time.RFC3339))
	if s := p.APIBoundaryNodes; s != nil && err == nil {
		_, err = fmt.Fprintf(w, "api_boundary_nodes:\n  start: %s\n", s.Start.Format(time.RFC3339))
		if len(s.Nodes) > 0 {
			fmt.Fprintln(w, "  nodes:")
		}
		for _, n := range s.Nodes {
			fmt.Fprintf(w, "    - %s\n", n)
		}
	}
	return err
}

// writeCalendar heads the plan with its calendar as YAML comments: the
// weekday, date and time of every batch and stage in the plan's time zone.
func writeCalendar(w io.Writer, p *rollout.Plan) {
	tz := p.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	fmt.Fprintf(w, "# Calendar (%s):\n", tz)
	for _, e := range rollout.Calendar(p) {
		label := "        "
		if e.Batch > 0 {
			label = fmt.Sprintf("batch %2d", e.Batch)
		}
		fmt.Fprintf(w, "#   %s  %s  %s\n", label, e.Start.Format("Mon 2006-01-02 15:04 MST"), e.What)
	}
}

func newCmdRolloutStatus(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "status <release> [--watch]", "Show each batch, each subnet's state and what blocks progress",
		`Observe governance, the registry and health, and show every batch with each
subnet's state, the time to the next batch, what blocks progress and the quiet
period ("quiet period day 3 of 10, disclosure due 2026-12-05"). With --watch it
refreshes every --interval until the rollout is complete, failed or halted.

Additional exit codes:
  8  --watch ended before the rollout was complete
  9  a subnet failed its gate (the subnet and the check are named), a subnet
     was rolled back (state rolled_back: "rolled back to <version> by proposal
     N"; see `+"`nnspatch rollout advance --help`"+`), or the rollout is halted
     (the reason is shown; see `+"`nnspatch rollout resume`"+`)`,
		"$ nnspatch rollout status $COMMIT\n$ nnspatch rollout status $COMMIT --watch --interval 1m\n$ nnspatch rollout status $COMMIT --json | jq '.status.batches[].state'",
		false, runF, rolloutStatusRun)
	opts.addHealthFlags(cmd.Flags())
	cmd.Flags().BoolVar(&opts.Watch, "watch", false, "refresh until the rollout is complete or failed")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Minute, "refresh interval of --watch")
	return cmd
}

func newCmdReleaseStatus(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "status <release>", "Show the release's election, rollout and quiet period",
		`Show the election proposal's state (with the failure reason or the tally when it
was rejected or failed, and what to do next: resubmit, possibly re-drafted, or abandon),
the rollout's batches and the quiet period.

Additional exit codes:
  9  the election did not pass, a subnet failed its gate, or the rollout is halted`,
		"$ nnspatch release status $COMMIT\n$ nnspatch release status $COMMIT --json | jq .status.election",
		false, runF, rolloutStatusRun)
	opts.addHealthFlags(cmd.Flags())
	return cmd
}

func rolloutStatusRun(ctx context.Context, o *releaseRefOptions) error {
	t, err := o.openRelease(ctx, o.Ref, false)
	if err != nil {
		return err
	}
	for {
		v, err := t.Look(ctx)
		if err != nil {
			return badQuery(err)
		}
		st := v.GuestOS
		if st == nil {
			return kindStatusReport(o, v)
		}
		if err := o.report(st); err != nil {
			return err
		}
		final := st.State == rollout.RolloutComplete || st.State == rollout.RolloutFailed ||
			st.State == rollout.RolloutElectFailed || st.State == rollout.RolloutAbandoned || st.State == rollout.RolloutHalted ||
			st.State == rollout.RolloutRolledBack
		if !o.Watch || final {
			return statusExit(st)
		}
		select {
		case <-ctx.Done():
			return &PendingError{What: "rollout of " + o.Ref}
		case <-time.After(o.Interval):
		}
	}
}

func (o *releaseRefOptions) report(st *rollout.Status) error {
	withRef(st, o.Ref)
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.RolloutStatus{Envelope: jsonout.NewEnvelope(), Status: st})
	}
	return writeStatus(o.IO.Out, st)
}

// withRef names the release where the library's next steps say <release>.
func withRef(st *rollout.Status, ref string) {
	st.Election.Next = strings.ReplaceAll(st.Election.Next, "<release>", ref)
	for i, b := range st.Blockers {
		st.Blockers[i] = strings.ReplaceAll(b, "<release>", ref)
	}
}

// statusExit maps a failed or halted state to its error (exit 9),
// silently: the status was printed already.
func statusExit(st *rollout.Status) error {
	switch st.State {
	case rollout.RolloutFailed, rollout.RolloutElectFailed, rollout.RolloutHalted, rollout.RolloutRolledBack:
		return &CodeError{Code: ExitRefused}
	}
	return nil
}

func writeStatus(w io.Writer, st *rollout.Status) error {
	fmt.Fprintf(w, "Release %s (%s)  state: %s  at %s\n", st.Version, st.Mode, st.State, st.Now.Format("2006-01-02 15:04 MST"))
	writeHalt(w, st)
	e := st.Election
	writeElection(w, e)
	if e.FailureReason != "" {
		fmt.Fprintf(w, "  reason: %s\n", proposals.Sanitize(e.FailureReason))
	}
	if e.Next != "" {
		fmt.Fprintf(w, "  next: %s\n", e.Next)
	}
	for _, b := range st.Batches {
		fmt.Fprintf(w, "Batch %-2d %s  %s %s\n", b.Batch, b.Start.Format("2006-01-02 15:04"), b.State.Symbol(), b.State)
		for _, s := range b.Subnets {
			writeSubnetLine(w, s)
		}
	}
	if !st.UnassignedStart.IsZero() {
		fmt.Fprintf(w, "Unassigned nodes %s\n", st.UnassignedStart.Format("2006-01-02 15:04"))
		writeSubnetLine(w, st.Unassigned)
	}
	if a := st.APIBoundary; a != nil {
		fmt.Fprintf(w, "API boundary nodes %s (%d to upgrade)\n", st.APIBoundaryStart.Format("2006-01-02 15:04"), len(st.APIBoundaryPending))
		writeSubnetLine(w, *a)
	}
	if nx := st.Next; nx != nil {
		fmt.Fprintf(w, "Next: batch %d planned at %s", nx.Batch, nx.At.Format("2006-01-02 15:04 MST"))
		if nx.In > 0 {
			fmt.Fprintf(w, " (in %s)", nx.In.Round(time.Second))
		}
		fmt.Fprintln(w, ", once the batches before it are complete")
	}
	for _, b := range st.Blockers {
		fmt.Fprintf(w, "Blocked: %s\n", proposals.Sanitize(b))
	}
	fmt.Fprintf(w, "Quiet: %s\n", st.Quiet)
	if d := st.Disclosure; d != nil {
		forced := ""
		if d.Forced {
			forced = " (forced: " + proposals.Sanitize(d.Reason) + ")"
		}
		fmt.Fprintf(w, "Disclosed: %s at %s%s\n", proposals.Sanitize(d.SourceURL), d.At.Format("2006-01-02 15:04 MST"), forced)
	}
	_, err := fmt.Fprint(w)
	return err
}

func writeSubnetLine(w io.Writer, s rollout.SubnetStatus) {
	p := ""
	if s.Proposal != 0 {
		p = fmt.Sprintf(" [proposal %d]", s.Proposal)
	}
	name := s.Subnet
	if i := strings.IndexByte(name, '-'); i > 0 {
		name = name[:i]
	}
	fmt.Fprintf(w, "  %s %-10s %-21s %s%s\n", s.State.Symbol(), name, s.State, proposals.Sanitize(s.Detail), p)
}

func newCmdRolloutAdvance(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "advance <release>", "Submit the next batch's deploy proposals when its gate allows",
		`Submit the deploy proposals of the next batch, only when every earlier batch is
complete (each subnet healthy for the bake time) and the batch's start time has
come; after the NNS batch, the unassigned nodes' proposal, then the API boundary
nodes' (DeployGuestosToSomeApiBoundaryNodes, 47, for the nodes not on the version
yet) when the plan has that stage. A subnet with an open,
adopted or executed proposal for the version never gets a second one, and every
submission is recorded (intent first) in the ledger.

A subnet that ran the version and was then rolled back (a deploy of another
version executed after the version's deploy, e.g. by `+"`nnspatch rollback submit`"+`)
is never proposed the version again, also after `+"`nnspatch rollout resume`"+`: the
rollout stops there (exit 9) and status shows the subnet as rolled_back ("rolled
back to <version> by proposal N"). Ship the fix as a new release, or, when the
cause was outside the version, re-deploy it with --redeploy-rolled-back: the
rolled-back subnets of the current batch are proposed again and each re-deploy
is recorded as an override in the audit log. --retry-failed-proposals does not
apply to rolled-back subnets.

Additional exit codes:
  8  nothing to submit yet (the reason is printed: start time, adoption, bake)
  9  a gate failed: the subnet and the check are named; nothing was submitted;
     or a subnet was rolled back (named with the rollback's version and
     proposal); or the rollout is halted: the reason is named (lift it with
     `+"`nnspatch rollout resume <release> --reason TEXT`"+`)`,
		"$ nnspatch rollout advance $COMMIT --neuron 80 --yes\n$ nnspatch rollout advance $COMMIT --retry-failed-proposals --yes\n$ nnspatch rollout advance $COMMIT --redeploy-rolled-back --yes",
		true, runF, rolloutAdvanceRun)
	opts.addHealthFlags(cmd.Flags())
	cmd.Flags().BoolVar(&opts.Retry, "retry-failed-proposals", false, "propose again for subnets whose deploy was rejected or failed (recorded as an override)")
	cmd.Flags().BoolVar(&opts.Redeploy, "redeploy-rolled-back", false, "propose the version again for rolled-back subnets of the current batch (recorded as an override)")
	return cmd
}

func rolloutAdvanceRun(ctx context.Context, o *releaseRefOptions) error {
	t, err := o.openRelease(ctx, o.Ref, true)
	if err != nil {
		return err
	}
	t.RetryProposals, t.RedeployRolledBack = o.Retry, o.Redeploy
	if err := confirm(o.IO, o.Yes(), advanceQuestion(ctx, o, t)); err != nil {
		return err
	}
	return advanceRun(ctx, o, t)
}

// advanceQuestion asks to confirm an advance, naming what it submits when
// the user is asked (the library's preview, which the TUI's confirmation
// shows too; without it when --retry-failed-proposals or
// --redeploy-rolled-back widen the choice, or the release cannot be read).
func advanceQuestion(ctx context.Context, o *releaseRefOptions, t *rollout.Tracker) string {
	q := fmt.Sprintf("Advance the rollout of %s with neuron %d?", o.Ref, t.Neuron)
	if o.Yes() || !o.IO.CanPrompt() || o.Retry || o.Redeploy {
		return q
	}
	v, err := t.Look(ctx)
	if err != nil {
		return q
	}
	return fmt.Sprintf("Advance the rollout of %s with neuron %d: %s?", o.Ref, t.Neuron, proposals.Sanitize(v.PreviewAdvance().Describe()))
}

// advanceRun advances the release, whatever its kind
// (rollout.Tracker.AdvanceRelease), and reports what was submitted: one
// line per proposal on stderr, the proposal ids on stdout (--json: the
// submissions and the status the advance saw).
func advanceRun(ctx context.Context, o *releaseRefOptions, t *rollout.Tracker) error {
	adv, err := t.AdvanceRelease(ctx)
	if adv != nil {
		for _, sub := range adv.Submitted {
			fmt.Fprintf(o.IO.ErrOut, "Submitted %s%s: proposal %d\n", sub.Kind, subnetSuffix(sub.Subnet), sub.Proposal)
		}
		if o.JSON() {
			if jerr := writeAdvanced(o, adv); jerr != nil {
				return jerr
			}
		} else {
			for _, sub := range adv.Submitted {
				fmt.Fprintln(o.IO.Out, sub.Proposal)
			}
		}
	}
	var we *rollout.WaitError
	if errors.As(err, &we) {
		return &PendingError{What: "rollout of " + o.Ref + " (" + strings.Join(we.Reasons, "; ") + ")"}
	}
	return badQuery(rolledBackError(o.Ref, haltedError(o.Ref, err)))
}

// rolledBackError names the release in a rolled-back rollout's error and
// its hint (exit 9, from exitRules); other errors are returned unchanged.
func rolledBackError(ref string, err error) error {
	var re *rollout.RolledBackError
	if !errors.As(err, &re) {
		return err
	}
	return &refError{msg: re.Error(), err: err, ref: ref}
}

// badQuery turns a query Prometheus refused into a usage error naming the
// flag and config key that set it (exit 2); other errors are returned unchanged.
func badQuery(err error) error {
	var qe *health.QueryError
	if !errors.As(err, &qe) {
		return err
	}
	return &CodeError{Code: ExitUsage, Err: &refError{msg: fmt.Sprintf("%s (--query-%s or query_%s in the config)", qe.Error(), qe.Query, qe.Query), err: err}}
}

func subnetSuffix(s string) string {
	if s == "" || s == rollout.APIBoundaryTarget {
		return ""
	}
	return " to " + s
}

// writeHalt says whether the halt shown is this machine's (local) or on
// chain, and lists the other on-chain facts that stop the rollout.
func writeHalt(w io.Writer, st *rollout.Status) {
	shown := ""
	if h := st.Halted; h != nil {
		if st.HaltSource == rollout.HaltChain {
			shown = h.Reason
			fmt.Fprintf(w, "Halted (on chain, every release manager sees it): %s (otherwise %s)\n", proposals.Sanitize(h.Reason), st.Underlying)
		} else {
			fmt.Fprintf(w, "Halted (local: this release directory only) since %s by %s: %s (otherwise %s)\n",
				h.At.Format("2006-01-02 15:04 MST"), shortPrincipal(h.By), proposals.Sanitize(h.Reason), st.Underlying)
		}
	}
	for _, c := range st.ChainHalts {
		if c.Detail != shown {
			fmt.Fprintf(w, "On chain: %s\n", proposals.Sanitize(c.Detail))
		}
	}
}

// writeElection prints the election line; a status not read from
// governance now says where it comes from.
func writeElection(w io.Writer, e rollout.ElectionStatus) {
	fmt.Fprintf(w, "Election: %s", e.Status)
	switch {
	case e.Source == rollout.ElectionFromRegistry:
		fmt.Fprint(w, " (per the registry, which lists the version as elected; governance no longer has the proposal)")
	case e.Source == rollout.ElectionFromLedger:
		fmt.Fprintf(w, " (proposal %d, garbage-collected by governance: as recorded in the ledger)", e.Proposal)
	case e.Proposal != 0:
		fmt.Fprintf(w, " (proposal %d, yes %.1f%% no %.1f%%)", e.Proposal, e.Tally.Percent(e.Tally.Yes), e.Tally.Percent(e.Tally.No))
	}
	fmt.Fprintln(w)
}
