package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
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
		newCmdReleaseLog(f, nil), newCmdReleaseVote(f, nil), newCmdReleaseAbandon(f, nil), newCmdReleaseDisclose(f, nil),
		newCmdReleaseAttach(f, nil))
	return cmd
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
	Redeploy bool
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
