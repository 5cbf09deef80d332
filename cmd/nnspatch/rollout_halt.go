package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

func newCmdRolloutHalt(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "halt <release> --reason <text>", "Stop the rollout until it is resumed",
		`Halt the rollout: `+"`nnspatch rollout advance`"+` submits nothing (exit 9) until
`+"`nnspatch rollout resume`"+`. The reason and the acting principal are recorded in
the audit log; status shows the halt. Proposals already submitted are not
touched. Halting a halted rollout records the new reason and keeps the halt.`,
		`$ nnspatch rollout halt $COMMIT --reason "subnet tdb26 alerts; investigating" --yes`,
		false, runF, rolloutHaltRun)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the rollout stops (required)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

func newCmdRolloutResume(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "resume <release> --reason <text>", "Lift a halt so the rollout can advance again",
		`Lift the halt recorded by `+"`nnspatch rollout halt`"+` (or by a rollback), recording
the reason and the acting principal. Gate failures still stop `+"`rollout advance`"+`
until the subnet is healthy again. Resuming after a rollback never re-proposes
the version to the subnets that were rolled back: advance stops on them (exit 9)
unless --redeploy-rolled-back is given (see `+"`nnspatch rollout advance --help`"+`).

Additional exit codes:
  9  the rollout is not halted`,
		`$ nnspatch rollout resume $COMMIT --reason "rolled back and patched; subnet healthy" --yes`,
		false, runF, rolloutResumeRun)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "what was resolved (required)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

func rolloutHaltRun(ctx context.Context, o *releaseRefOptions) error {
	return haltOrResume(ctx, o, "Halt", func(t *rollout.Tracker) error { return t.Halt(ctx, o.Reason, "") })
}

func rolloutResumeRun(ctx context.Context, o *releaseRefOptions) error {
	err := haltOrResume(ctx, o, "Resume", func(t *rollout.Tracker) error { return t.Resume(ctx, o.Reason, "") })
	if errors.Is(err, rollout.ErrNotHalted) {
		return &CodeError{Code: ExitRefused, Err: err}
	}
	return err
}

// haltOrResume confirms, applies fn and prints the resulting halt.
func haltOrResume(ctx context.Context, o *releaseRefOptions, verb string, fn func(*rollout.Tracker) error) error {
	t, err := o.openRelease(ctx, o.Ref, false)
	if err != nil {
		return err
	}
	if err := confirm(o.IO, o.Yes(), verb+" the rollout of "+o.Ref+"?"); err != nil {
		return err
	}
	if err := fn(t); err != nil {
		return err
	}
	h, err := t.Halted()
	if err != nil {
		return err
	}
	if h != nil {
		fmt.Fprintf(o.IO.ErrOut, "Rollout of %s halted in this release directory: %s; resume with: nnspatch rollout resume %s --reason TEXT\n"+
			"The halt is local: other release managers see it only through a shared release directory or their own `rollout halt` (README: \"Sharing a release\")\n",
			o.Ref, proposals.Sanitize(h.Reason), o.Ref)
	} else {
		fmt.Fprintf(o.IO.ErrOut, "Rollout of %s resumed; next: nnspatch rollout advance %s\n", o.Ref, o.Ref)
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.RolloutHalt{Envelope: jsonout.NewEnvelope(), Halted: h})
	}
	return nil
}

// haltedError names the release in a halted rollout's error and its hint
// (exit 9, from exitRules); other errors are returned unchanged.
func haltedError(ref string, err error) error {
	var he *rollout.HaltedError
	if !errors.As(err, &he) {
		return err
	}
	return &refError{msg: he.Error(), err: err, ref: ref}
}

// refError rewords an error for the command line, keeping its chain; ref,
// when set, is the release reference the hint names for "<release>".
type refError struct {
	msg string
	err error
	ref string
}

// Error implements error.
func (e *refError) Error() string { return e.msg }

// Unwrap returns the original error.
func (e *refError) Unwrap() error { return e.err }
