package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

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
	t, err := o.openRelease(ctx, o.Ref, true)
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
	if k, err := o.releaseKindOf(o.Ref); err != nil || k == rollout.ReleaseCanister {
		if err != nil {
			return err
		}
		return advanceRun(ctx, o, t)
	}
	id, err := t.SubmitElection(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Election proposal %d recorded in %s\n", id, t.Store.Path())
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.Submitted{Envelope: jsonout.NewEnvelope(), Submitted: []rollout.Submitted{{Kind: rollout.KindElect, Proposal: id}}})
	}
	_, err = fmt.Fprintln(o.IO.Out, id)
	return err
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
	t, err := o.openRelease(ctx, o.Ref, false)
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
	t, err := o.openRelease(ctx, o.Ref, false)
	if err != nil {
		return err
	}
	d, err := t.Disclose(ctx, o.Source, o.Force, o.Reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Disclosure of %s recorded at %s\n", o.Ref, d.At.Format(time.RFC3339))
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.ReleaseDisclosure{Envelope: jsonout.NewEnvelope(), Disclosure: d})
	}
	return nil
}

func newCmdReleaseVote(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, opts := newReleaseRefCmd(f, "vote <release> --vote <yes|no> [--proposal <id>]", "Vote on the release's election (or another of its proposals)",
		`Cast the neuron's vote on the release's election proposal (or --proposal) and
record it in the audit log. Votes cast with the plain `+"`nnspatch vote`"+` command are
not recorded in any release ledger: vote through this command when the vote
belongs in the release's audit trail.`,
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
	t, err := o.openRelease(ctx, o.Ref, true)
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
