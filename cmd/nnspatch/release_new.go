package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type releaseNewOptions struct {
	*draftElectOptions
	env       *releaseEnv
	Dir       string
	QuietDays int
	// Kind is --kind: guestos (default), hostos or nns-canister.
	Kind string
	// Upgrades are the --upgrade drafts of an NNS canister release.
	Upgrades []string
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
		Example: `$ nnspatch release new --security --version $COMMIT --artifact update-img.tar.zst --measurements m.json --forum-url $POST
$ nnspatch release new --version $COMMIT --sha256 $SHA --measurements-waiver "lab build" --dir /srv/releases/hotfix`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkKind(opts.Kind); err != nil {
				return err
			}
			if opts.Kind == rollout.ReleaseCanister {
				return releaseNewCanisterRun(cmd.Context(), canisterOpts(cmd, opts))
			}
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
	cmd.Flags().StringVar(&opts.Kind, "kind", rollout.ReleaseGuestOS, "what the release patches: guestos, hostos (same flags, a HostOS election) or nns-canister (--upgrade drafts)")
	cmd.Flags().StringArrayVar(&opts.Upgrades, "upgrade", nil, "with --kind nns-canister: an upgrade-canister draft `file`, once per canister, in upgrade order")
	return cmd
}

// canisterOpts gathers the flags an NNS canister release uses.
func canisterOpts(cmd *cobra.Command, o *releaseNewOptions) *canisterNewOptions {
	security, _ := cmd.Flags().GetBool("security")
	version, _ := cmd.Flags().GetString("version")
	return &canisterNewOptions{env: o.env, Upgrades: o.Upgrades, Version: version, Security: security, Dir: o.Dir, QuietDays: o.QuietDays}
}

func releaseNewRun(ctx context.Context, o *releaseNewOptions) error {
	if o.Kind == rollout.ReleaseHostOS {
		return releaseNewHostOSRun(ctx, o)
	}
	eo, err := o.electOptions(ctx)
	if err != nil {
		return err
	}
	d, err := proposals.NewElectGuestOS(eo)
	if err != nil {
		return fmt.Errorf("draft elect-guestos: %w", err)
	}
	if !o.NoForumURL {
		if err := proposals.RequireForumURL(d); err != nil {
			return fmt.Errorf("release new: %w", err)
		}
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
	l, err := rollout.NewRelease(ctx, s, d, o.env.actor(), o.env.now(ctx), rollout.WithQuietPeriodDays(o.QuietDays))
	if err != nil {
		return err
	}
	if attached := o.attachExisting(ctx, s, l); attached != nil {
		fmt.Fprintf(o.IO.ErrOut, "Created %s release %s in %s; governance already has its election: proposal %d (%s), recorded; next: nnspatch release status %s\n",
			l.Mode, l.Version, s.Dir, attached.Election.ID, attached.Election.Status, s.Dir)
		if l, err = s.Read(); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(o.IO.ErrOut, "Created %s release %s in %s; next: nnspatch release submit %s\n", l.Mode, l.Version, s.Dir, s.Dir)
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.Release{Envelope: jsonout.NewEnvelope(), Dir: s.Dir, Ledger: l})
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

// attachExisting records the election governance already has for the new
// release's version and package (another release manager's), so the
// release shows it instead of "not submitted". It returns nil when there
// is none, or when the network cannot be asked (a warning says so;
// `release submit` looks again before submitting).
func (o *releaseNewOptions) attachExisting(ctx context.Context, s rollout.Store, l *rollout.Ledger) *rollout.AttachResult {
	t, err := o.env.bareTracker(ctx, s)
	if err == nil {
		var res *rollout.AttachResult
		if res, err = t.Attach(ctx, rollout.AttachOptions{Version: l.Version, SHA256: l.Artifact.SHA256}); err == nil {
			return res
		}
	}
	if !errors.Is(err, rollout.ErrElectionNotFound) {
		fmt.Fprintf(o.IO.ErrOut, "warning: could not look for an existing election of %s on the network (%v); `nnspatch release submit` looks again before submitting\n", l.Version, err)
	}
	return nil
}
