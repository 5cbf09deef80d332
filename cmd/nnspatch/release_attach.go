package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

type releaseAttachOptions struct {
	env       *releaseEnv
	Version   string
	SHA256    string
	Security  bool
	Regular   bool
	Dir       string
	QuietDays int
	Plan      string
}

func newCmdReleaseAttach(f *Factory, runF func(*releaseAttachOptions) error) *cobra.Command {
	opts := &releaseAttachOptions{env: newReleaseEnv(f)}
	cmd := &cobra.Command{
		Use:   "attach <version> [--sha256 <hex>] [--dir <dir>] [--plan <file>]",
		Short: "Attach a release whose election is on chain (another release manager's)",
		Long: `Create a release directory for a GuestOS version whose election proposal governance
already has, e.g. one another release manager submitted. The election is found by
its payload: the version and the release package's SHA-256 (--sha256; default: the
hash the registry lists for the elected version). The deploy proposals of the
version are recorded with their facts, and subnets already running it start their
bake at their registry switch, so this directory shows the same ` + "`release status`" + `
as the first one. A rollout plan is a local schedule: pass the first release
manager's plan file with --plan (` + "`rollout plan -o FILE`" + ` writes one) or run
` + "`nnspatch rollout plan`" + ` afterwards. Halts, disclosures, abandonments and the
audit log stay local to each directory.

When governance already garbage-collected the election proposal (it keeps only
the newest settled proposals per topic), the registry's record of the elected
version stands in for it. Attaching an existing directory of the same version
records the election in it. Nothing is submitted.

Additional exit codes:
  2  the version is not elected and no --sha256 was given
  9  no election of the version with that hash exists, or the directory
     records another election`,
		Example: `$ nnspatch release attach $COMMIT
$ nnspatch release attach $COMMIT --sha256 $SHA --plan plan.yaml
$ nnspatch release attach $COMMIT --dir /srv/releases/hotfix --json`,
		Args: exactArgs(1, "a GuestOS version (commit)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Version = args[0]
			if opts.SHA256 != "" {
				if b, err := hex.DecodeString(opts.SHA256); err != nil || len(b) != 32 {
					return FlagErrorf("--sha256 must be 64 hex digits, got %q", opts.SHA256)
				}
			}
			if opts.Security && opts.Regular {
				return FlagErrorf("--security and --regular exclude each other")
			}
			if opts.QuietDays < 0 {
				return FlagErrorf("--quiet-days must be at least 1, got %d", opts.QuietDays)
			}
			return runOrRunF(opts, runF, func(o *releaseAttachOptions) error { return releaseAttachRun(cmd.Context(), o) })
		},
	}
	fl := cmd.Flags()
	opts.env.addFlags(cmd, false)
	opts.env.addHealthFlags(fl)
	fl.StringVar(&opts.SHA256, "sha256", "", "release package `hex` SHA-256 (default: the registry's, once the version is elected)")
	fl.BoolVar(&opts.Security, "security", false, "a security release (default: read from the election's summary)")
	fl.BoolVar(&opts.Regular, "regular", false, "a regular release (default: read from the election's summary)")
	fl.StringVar(&opts.Dir, "dir", "", "release `directory` (default: <releases_dir>/<version>)")
	fl.IntVar(&opts.QuietDays, "quiet-days", 0, "quiet period before disclosure, in `days` (default 10)")
	fl.StringVar(&opts.Plan, "plan", "", "adopt this rollout plan `file` (nnspatch's or DFINITY's day-keyed shape)")
	return cmd
}

func releaseAttachRun(ctx context.Context, o *releaseAttachOptions) error {
	s, err := o.store()
	if err != nil {
		return err
	}
	t, err := o.env.tracker(ctx, s, false)
	if err != nil {
		return err
	}
	res, err := t.Attach(ctx, rollout.AttachOptions{Version: o.Version, SHA256: o.SHA256, Mode: o.mode(), QuietDays: o.QuietDays})
	if err != nil {
		return attachError(err)
	}
	if o.Plan != "" {
		if res.Status, err = adoptPlan(ctx, t, o.Plan, o.Version); err != nil {
			return err
		}
	}
	fmt.Fprintln(o.env.IO.ErrOut, attachSummary(s.Dir, res))
	if o.env.JSON() {
		return jsonout.Write(o.env.IO.Out, jsonout.ReleaseAttach{Envelope: jsonout.NewEnvelope(), Dir: s.Dir, Attach: res})
	}
	return writeStatus(o.env.IO.Out, res.Status)
}

func (o *releaseAttachOptions) mode() proposals.Mode {
	switch {
	case o.Security:
		return proposals.ModeSecurity
	case o.Regular:
		return proposals.ModeRegular
	}
	return ""
}

func (o *releaseAttachOptions) store() (rollout.Store, error) {
	if o.Dir != "" {
		return rollout.Store{Dir: o.Dir}, nil
	}
	dir, err := o.env.releasesDir()
	if err != nil {
		return rollout.Store{}, err
	}
	return rollout.Store{Dir: filepath.Join(dir, o.Version)}, nil
}

// adoptPlan stores the plan file in the attached release and returns the
// status with it.
func adoptPlan(ctx context.Context, t *rollout.Tracker, file, version string) (*rollout.Status, error) {
	start, err := t.Now(ctx)
	if err != nil {
		return nil, err
	}
	p, err := rollout.ReadPlanFile(file, rollout.PlanOptions{Version: version, Start: start})
	if err != nil {
		return nil, err
	}
	if _, err := t.SavePlan(ctx, p); err != nil {
		return nil, err
	}
	return t.Status(ctx)
}

// attachError turns a missing package hash into a usage error.
func attachError(err error) error {
	if errors.Is(err, rollout.ErrNoPackageHash) {
		return FlagErrorf("%w", err)
	}
	return err
}

// attachSummary is the one-line progress message of an attach.
func attachSummary(dir string, res *rollout.AttachResult) string {
	what := "Attached"
	if !res.Created {
		what = "Recorded the chain's election in"
	}
	e := res.Election
	election := fmt.Sprintf("election proposal %d (%s)", e.ID, e.Status)
	if e.ID == 0 {
		election = "the election (governance no longer has the proposal; the registry lists the version as elected)"
	}
	return fmt.Sprintf("%s release %s in %s: %s, %d deploy proposal(s) recorded; next: nnspatch release status %s",
		what, e.Version, dir, election, res.Deploys, dir)
}
