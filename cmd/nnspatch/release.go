package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newCmdRelease(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release <command>",
		Short: "Track a patch release in its ledger",
		Long: `A release is a directory (default ./releases/<version>/, or releases_dir in the
config) holding release.yaml: the version, mode, artifact hash and URLs, the
election draft, the rollout plan, every proposal the release made and an audit
log of every action with the acting principal. Writes are atomic and locked, so
two nnspatch processes on one release take turns. <release> is a version (found
under the releases directory) or a release directory.`,
	}
	cmd.AddCommand(newCmdReleaseNew(f, nil), newCmdReleaseSubmit(f, nil), newCmdReleaseStatus(f, nil),
		newCmdReleaseLog(f, nil), newCmdReleaseVote(f, nil), newCmdReleaseAbandon(f, nil), newCmdReleaseDisclose(f, nil))
	return cmd
}

// releaseEnv is what every release and rollout command shares: where
// releases live, the network, the neuron and the health source.
type releaseEnv struct {
	IO         *IOStreams
	JSON       func() bool
	Yes        func() bool
	f          *Factory
	Net        netOptions
	Neuron     uint64
	Prometheus string
	Window     time.Duration
	MetricsGap time.Duration
	Queries    health.Queries
	AcceptRisk string
}

func newReleaseEnv(f *Factory) *releaseEnv {
	return &releaseEnv{IO: f.IO, JSON: f.JSONOutput, Yes: func() bool { return f.Globals.Yes }, f: f}
}

// addNetFlags registers the network flags; writes adds --neuron and --accept-risk.
func (e *releaseEnv) addFlags(cmd *cobra.Command, writes bool) {
	addNetFlags(cmd, &e.Net)
	if writes {
		cmd.Flags().Uint64Var(&e.Neuron, "neuron", 0, "proposer neuron `id` (default: neuron from the config)")
		cmd.Flags().StringVar(&e.AcceptRisk, "accept-risk", "", "accept the risk of submitting to mainnet (`mainnet`)")
	}
}

// addHealthFlags registers the health-gate flags.
func (e *releaseEnv) addHealthFlags(fl *pflag.FlagSet) {
	fl.StringVar(&e.Prometheus, "prometheus", "", "Prometheus `url` for health gates (default: prometheus_url, else the local network's /metrics)")
	fl.DurationVar(&e.Window, "alert-window", health.DefaultWindow, "range of the finalization query, and of the alert query when longer than the plan's bake")
	fl.StringVar(&e.Queries.Version, "query-version", "", "PromQL: replicas by (ic_subnet, ic_active_version)")
	fl.StringVar(&e.Queries.Finalizing, "query-finalizing", "", "PromQL: finalized height growth by ic_subnet over {{.Window}}")
	fl.StringVar(&e.Queries.Alerts, "query-alerts", "", "PromQL: alerts by (ic_subnet, alertname, alertstate) over {{.Window}}")
	fl.DurationVar(&e.MetricsGap, "metrics-gap", 0, "scrape /metrics twice this far apart (0: once, compared with the last observation)")
}

// store resolves <release>: a directory with a ledger, or a version under
// the releases directory.
func (e *releaseEnv) store(ref string) (rollout.Store, error) {
	if strings.ContainsRune(ref, filepath.Separator) || fileExists(filepath.Join(ref, rollout.LedgerFile)) {
		return rollout.Store{Dir: ref}, nil
	}
	dir, err := e.releasesDir()
	if err != nil {
		return rollout.Store{}, err
	}
	return rollout.Store{Dir: filepath.Join(dir, ref)}, nil
}

// releasesDir is releases_dir when configured, else ./releases.
func (e *releaseEnv) releasesDir() (string, error) {
	l, err := e.f.LoadedConfig()
	if err != nil {
		return "", err
	}
	if l.Sources["releases_dir"] == config.SourceDefault {
		return "releases", nil
	}
	return l.Config.ReleasesDir, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// tracker connects to the network and builds the release's tracker;
// writes resolves the neuron and checks the mainnet risk flag.
func (e *releaseEnv) tracker(ctx context.Context, s rollout.Store, writes bool) (*rollout.Tracker, error) {
	if writes {
		if err := e.resolveNeuron(); err != nil {
			return nil, err
		}
	}
	c, err := e.f.governanceClient(ctx, e.Net.RootKey)
	if err != nil {
		return nil, err
	}
	if writes && c.Network.IsMainnet() && e.AcceptRisk != "mainnet" {
		return nil, FlagErrorf("submitting to mainnet needs --accept-risk=mainnet")
	}
	cfg, err := e.f.Config()
	if err != nil {
		return nil, err
	}
	return &rollout.Tracker{Store: s, Gov: c, Health: withBake(e.healthSource(cfg, c.Network), planBake(s)), Now: networkClock(c.Network),
		Actor: c.Sender().Encode(), Neuron: e.Neuron, Policy: cfg.Policy()}, nil
}

func (e *releaseEnv) resolveNeuron() error {
	if e.Neuron != 0 {
		return nil
	}
	cfg, err := e.f.Config()
	if err != nil {
		return err
	}
	if cfg.Neuron == 0 {
		return FlagErrorf("--neuron is required (or set neuron in the config file)")
	}
	e.Neuron = cfg.Neuron
	return nil
}

// planBake is the bake time of the release's plan (0 without a plan or a
// readable ledger; the commands report those themselves).
func planBake(s rollout.Store) time.Duration {
	l, err := s.Read()
	if err != nil || l.Plan == nil {
		return 0
	}
	return time.Duration(l.Plan.Bake)
}

// withBake makes a Prometheus source's alerts query look back over at
// least the bake time, so no alert during a bake goes unseen.
func withBake(src health.Source, bake time.Duration) health.Source {
	if p, ok := src.(health.Prometheus); ok {
		p.AlertWindow = bake
		return p
	}
	return src
}

// healthSource picks Prometheus (flag, then config), else the local
// network's /metrics; nil (with a warning) when neither exists.
func (e *releaseEnv) healthSource(cfg *config.Config, n governance.Network) health.Source {
	prom := e.Prometheus
	if prom == "" {
		prom = cfg.PrometheusURL
	}
	if prom != "" {
		return health.Prometheus{URL: prom, Queries: e.Queries, Window: e.Window}
	}
	if isLoopbackURL(n.URL) {
		return health.Metrics{URL: strings.TrimRight(n.URL, "/") + "/metrics", Gap: e.MetricsGap, Once: e.MetricsGap == 0}
	}
	fmt.Fprintln(e.IO.ErrOut, "warning: no prometheus_url configured: health gates cannot pass; set it or pass --prometheus")
	return nil
}

// networkClock reads the local network's virtual clock, or the real one.
func networkClock(n governance.Network) func(context.Context) (time.Time, error) {
	if !isLoopbackURL(n.URL) {
		return func(context.Context) (time.Time, error) { return time.Now().UTC(), nil }
	}
	admin := localnet.Admin{URL: n.URL}
	return func(ctx context.Context) (time.Time, error) {
		st, err := admin.Status(ctx)
		if err != nil {
			return time.Now().UTC(), nil // a local replica that is not nnspatch localnet
		}
		return st.Now, nil
	}
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// actor returns the principal of the configured identity for offline
// actions, or a placeholder naming the local user.
func (e *releaseEnv) actor() string {
	if id, err := e.f.loadIdentity(); err == nil {
		return id.Sender().Encode()
	}
	return "local-user:" + os.Getenv("USER")
}

type releaseNewOptions struct {
	*draftElectOptions
	env       *releaseEnv
	Dir       string
	QuietDays int
}

func newCmdReleaseNew(f *Factory, runF func(*releaseNewOptions) error) *cobra.Command {
	opts := &releaseNewOptions{env: newReleaseEnv(f)}
	electCmd := newCmdDraftElect(f, proposals.KindElectGuestOS, func(o *draftElectOptions) error { opts.draftElectOptions = o; return nil })
	cmd := &cobra.Command{
		Use:   "new --version <commit> (--sha256 <hex> | --artifact <file|url>...) [--dir <dir>]",
		Short: "Create a release: its election draft and ledger",
		Long: `Draft the GuestOS election like ` + "`nnspatch draft elect-guestos`" + ` (same flags) and create
the release directory with election.yaml and release.yaml. Nothing is submitted.

Additional exit codes:
  3  the draft is invalid (every problem is printed; nothing is created)
  6  the artifact copies differ from each other or from --sha256`,
		Example: `$ nnspatch release new --security --version $COMMIT --artifact update-img.tar.zst --measurements m.json
$ nnspatch release new --version $COMMIT --sha256 $SHA --measurements-waiver "lab build" --dir /srv/releases/hotfix`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("output") {
				_ = electCmd.Flags().Set("output", "election.yaml")
			}
			if err := electCmd.RunE(electCmd, nil); err != nil {
				return err
			}
			return runOrRunF(opts, runF, func(o *releaseNewOptions) error { return releaseNewRun(cmd.Context(), o) })
		},
	}
	electCmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Name != "output" && fl.Name != "force" {
			cmd.Flags().AddFlag(fl)
		}
	})
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "release `directory` (default: <releases_dir>/<version>)")
	cmd.Flags().IntVar(&opts.QuietDays, "quiet-days", rollout.DefaultQuietPeriodDays, "quiet period before disclosure, in `days`")
	return cmd
}

func releaseNewRun(ctx context.Context, o *releaseNewOptions) error {
	eo, err := o.electOptions(ctx)
	if err != nil {
		return err
	}
	d, err := proposals.NewElectGuestOS(eo)
	if err != nil {
		return fmt.Errorf("draft elect-guestos: %w", err)
	}
	policy, err := o.Policy()
	if err != nil {
		return err
	}
	probs := proposals.ValidateWith(d, policy)
	for _, p := range probs {
		fmt.Fprintln(o.IO.ErrOut, proposals.Sanitize(p.String()))
	}
	s, err := o.storeFor()
	if err != nil {
		return err
	}
	if proposals.HasErrors(probs) {
		return &DraftInvalidError{File: filepath.Join(s.Dir, rollout.ElectionDraftFile), Errors: countErrors(probs), NotWritten: true}
	}
	if o.QuietDays <= 0 {
		return FlagErrorf("--quiet-days must be at least 1, got %d", o.QuietDays)
	}
	l, err := rollout.NewRelease(ctx, s, d, o.env.actor(), time.Now(), rollout.WithQuietPeriodDays(o.QuietDays))
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Created %s release %s in %s; next: nnspatch release submit %s\n", l.Mode, l.Version, s.Dir, s.Dir)
	if o.JSON() {
		return jsonout.Write(o.IO.Out, releaseDoc{Envelope: jsonout.NewEnvelope(), Dir: s.Dir, Ledger: l})
	}
	_, err = fmt.Fprintln(o.IO.Out, s.Dir)
	return err
}

func (o *releaseNewOptions) storeFor() (rollout.Store, error) {
	if o.Dir != "" {
		return rollout.Store{Dir: o.Dir}, nil
	}
	dir, err := o.env.releasesDir()
	if err != nil {
		return rollout.Store{}, err
	}
	return rollout.Store{Dir: filepath.Join(dir, o.Version)}, nil
}

// releaseDoc is printed by `release new|log --json`.
type releaseDoc struct {
	jsonout.Envelope
	Dir    string          `json:"dir"`
	Ledger *rollout.Ledger `json:"release"`
}

type releaseRefOptions struct {
	*releaseEnv
	Ref      string
	Vote     string
	Proposal uint64
	Redraft  string
	Reason   string
	Source   string
	Force    bool
	Retry    bool
	Watch    bool
	Interval time.Duration
}

func newReleaseRefCmd(f *Factory, use, short, long, example string, writes bool, runF func(*releaseRefOptions) error,
	run func(context.Context, *releaseRefOptions) error) (*cobra.Command, *releaseRefOptions) {
	opts := &releaseRefOptions{releaseEnv: newReleaseEnv(f)}
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: exactArgs(1, "a release (version or directory)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if opts.Force && opts.Reason == "" {
				return FlagErrorf("--force needs --reason")
			}
			if cmd.Flags().Lookup("watch") != nil && cmd.Flags().Changed("interval") && !opts.Watch {
				return FlagErrorf("--interval needs --watch")
			}
			return runOrRunF(opts, runF, func(o *releaseRefOptions) error { return run(cmd.Context(), o) })
		},
	}
	opts.addFlags(cmd, writes)
	return cmd, opts
}

func newCmdReleaseSubmit(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "submit <release>", "Submit the release's election proposal",
		`Submit election.yaml through the preflight checks and record the proposal id.
The intent is recorded before submitting and reconciled with governance on a
retry, so running it again never submits twice. After a rejected or failed
election, --redraft FILE replaces the draft and submits it again.

Additional exit codes:
  3  the draft is invalid
  4  the identity does not control the neuron
  9  a preflight check failed or governance refused`,
		"$ nnspatch release submit $COMMIT --neuron 80 --yes\n$ nnspatch release submit ./releases/$COMMIT --redraft elect-v2.yaml --yes",
		true, runF, releaseSubmitRun)
	cmd.Flags().StringVar(&opts.Redraft, "redraft", "", "replace the election draft with this draft `file` first")
	return cmd
}

func releaseSubmitRun(ctx context.Context, o *releaseRefOptions) error {
	s, err := o.store(o.Ref)
	if err != nil {
		return err
	}
	t, err := o.tracker(ctx, s, true)
	if err != nil {
		return err
	}
	if o.Redraft != "" {
		d, err := proposals.LoadDraft(o.Redraft)
		if err != nil {
			return err
		}
		if err := t.Redraft(ctx, d); err != nil {
			return err
		}
	}
	if err := confirm(o.IO, o.Yes(), fmt.Sprintf("Submit the election of release %s with neuron %d?", o.Ref, t.Neuron)); err != nil {
		return err
	}
	id, err := t.SubmitElection(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Election proposal %d recorded in %s\n", id, s.Path())
	if o.JSON() {
		return jsonout.Write(o.IO.Out, submittedDoc{Envelope: jsonout.NewEnvelope(), Submitted: []rollout.Submitted{{Kind: rollout.KindElect, Proposal: id}}})
	}
	_, err = fmt.Fprintln(o.IO.Out, id)
	return err
}

// submittedDoc is printed by `release submit --json` and `rollout advance --json`.
type submittedDoc struct {
	jsonout.Envelope
	Submitted []rollout.Submitted `json:"submitted"`
	Status    *rollout.Status     `json:"status,omitempty"`
}

func newCmdReleaseLog(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, _ := newReleaseRefCmd(f, "log <release>", "Print the release's audit trail",
		"Print every recorded action on the release, oldest first: time, acting principal, action, proposal and detail. Offline.",
		"$ nnspatch release log $COMMIT\n$ nnspatch release log ./releases/$COMMIT --json | jq '.release.audit[]'",
		false, runF, releaseLogRun)
	return cmd
}

func releaseLogRun(_ context.Context, o *releaseRefOptions) error {
	s, err := o.store(o.Ref)
	if err != nil {
		return err
	}
	l, err := s.Read()
	if err != nil {
		return err
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, releaseDoc{Envelope: jsonout.NewEnvelope(), Dir: s.Dir, Ledger: l})
	}
	return writeAudit(o.IO.Out, l.Audit)
}

func writeAudit(w io.Writer, events []rollout.Event) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tPRINCIPAL\tACTION\tPROPOSAL\tDETAIL")
	for _, e := range events {
		p := "-"
		if e.Proposal != 0 {
			p = fmt.Sprint(e.Proposal)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02 15:04:05"), shortPrincipal(e.Principal), e.Action, p, proposals.Sanitize(e.Detail))
	}
	return tw.Flush()
}

func shortPrincipal(p string) string {
	if i := strings.IndexByte(p, '-'); i > 0 && len(p) > 20 {
		return p[:i] + "…"
	}
	return p
}

func newCmdReleaseAbandon(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "abandon <release> --reason <text>", "Give up a release, recording why",
		"Mark the release abandoned (e.g. after its election was rejected) with the reason and the acting principal. Advancing it is refused afterwards.",
		`$ nnspatch release abandon $COMMIT --reason "election rejected; superseded by the next patch" --yes`,
		false, runF, releaseAbandonRun)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the release is abandoned (required)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

func releaseAbandonRun(ctx context.Context, o *releaseRefOptions) error {
	s, err := o.store(o.Ref)
	if err != nil {
		return err
	}
	t, err := o.tracker(ctx, s, false)
	if err != nil {
		return err
	}
	if err := confirm(o.IO, o.Yes(), "Abandon release "+o.Ref+"?"); err != nil {
		return err
	}
	if err := t.Abandon(ctx, o.Reason); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Release %s abandoned\n", o.Ref)
	return nil
}

func newCmdReleaseDisclose(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "disclose <release> --source-url <url>", "Record the disclosure of the withheld source",
		`Record that the source of the release was published at --source-url. Before the
quiet period ended this is refused unless --force is given with --reason, which
is recorded in the audit log.

Additional exit codes:
  9  the quiet period has not ended (and no --force)`,
		"$ nnspatch release disclose $COMMIT --source-url https://github.com/dfinity/ic/tree/$COMMIT\n"+
			`$ nnspatch release disclose $COMMIT --source-url URL --force --reason "exploit is public"`,
		false, runF, releaseDiscloseRun)
	cmd.Flags().StringVar(&opts.Source, "source-url", "", "where the source was published (required)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "disclose before the quiet period ended (needs --reason)")
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the disclosure is forced")
	_ = cmd.MarkFlagRequired("source-url")
	return cmd
}

func releaseDiscloseRun(ctx context.Context, o *releaseRefOptions) error {
	s, err := o.store(o.Ref)
	if err != nil {
		return err
	}
	t, err := o.tracker(ctx, s, false)
	if err != nil {
		return err
	}
	d, err := t.Disclose(ctx, o.Source, o.Force, o.Reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Disclosure of %s recorded at %s\n", o.Ref, d.At.Format(time.RFC3339))
	if o.JSON() {
		return jsonout.Write(o.IO.Out, struct {
			jsonout.Envelope
			Disclosure *rollout.Disclosure `json:"disclosure"`
		}{jsonout.NewEnvelope(), d})
	}
	return nil
}

func newCmdReleaseVote(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "vote <release> --vote <yes|no> [--proposal <id>]", "Vote on the release's election (or another of its proposals)",
		"Cast the neuron's vote on the release's election proposal (or --proposal) and record it in the audit log.",
		"$ nnspatch release vote $COMMIT --vote yes --neuron 27 --yes",
		true, runF, releaseVoteRun)
	cmd.Flags().StringVar(&opts.Vote, "vote", "", "`yes` or no (required)")
	cmd.Flags().Uint64Var(&opts.Proposal, "proposal", 0, "proposal `id` (default: the release's election)")
	_ = cmd.MarkFlagRequired("vote")
	return cmd
}

func releaseVoteRun(ctx context.Context, o *releaseRefOptions) error {
	v := map[string]governance.Vote{"yes": governance.VoteYes, "no": governance.VoteNo}[strings.ToLower(o.Vote)]
	if v == governance.VoteUnspecified {
		return FlagErrorf("--vote takes yes or no, got %q", o.Vote)
	}
	s, err := o.store(o.Ref)
	if err != nil {
		return err
	}
	t, err := o.tracker(ctx, s, true)
	if err != nil {
		return err
	}
	if err := confirm(o.IO, o.Yes(), fmt.Sprintf("Vote %s with neuron %d?", v, t.Neuron)); err != nil {
		return err
	}
	id, err := t.Vote(ctx, o.Proposal, v)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Neuron %d voted %s on proposal %d\n", t.Neuron, v, id)
	return nil
}
