package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/internal/fsutil"
	"github.com/spf13/cobra"
)

// signOptions are the air-gapped signing flags of vote and submit.
type signOptions struct {
	// SignOnly is --sign-only: write signed messages here instead of sending.
	SignOnly string
	// ExpiresIn is --expires-in: the signed messages expire this long after
	// signing and can be sent during the 5 minutes before.
	ExpiresIn time.Duration
}

func addSignFlags(cmd *cobra.Command, o *signOptions) {
	cmd.Flags().StringVar(&o.SignOnly, "sign-only", "", "sign offline and write the messages to `file` (send later with `nnspatch send`)")
	cmd.Flags().DurationVar(&o.ExpiresIn, "expires-in", 5*time.Minute, "with --sign-only: the messages expire this long after signing and can be sent in the 5 minutes before")
}

func (o signOptions) check() error {
	if o.SignOnly == "" && o.ExpiresIn != 5*time.Minute {
		return FlagErrorf("--expires-in needs --sign-only")
	}
	if o.ExpiresIn <= 0 {
		return FlagErrorf("--expires-in must be positive")
	}
	return nil
}

// writeSigned signs each request offline and writes them to the file.
func (o signOptions) writeSigned(f *Factory, ios *IOStreams, reqs []govdid.ManageNeuronRequest) error {
	n, err := f.resolveNetwork("fetch")
	if err != nil {
		n, err = f.resolveNetwork("")
	}
	if err != nil {
		return err
	}
	id, err := f.loadIdentity()
	if err != nil {
		return err
	}
	expires := time.Now().Add(o.ExpiresIn)
	var msgs []governance.SignedMessage
	for _, r := range reqs {
		m, err := governance.SignManageNeuron(id, n, r, expires)
		if err != nil {
			return err
		}
		msgs = append(msgs, *m)
	}
	data, err := json.MarshalIndent(governance.NewSignedFile(msgs...), "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFile(o.SignOnly, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write signed messages: %w", err)
	}
	fmt.Fprintf(ios.ErrOut, "Signed %d message(s) as %s into %s; send between %s and %s with `nnspatch send %s`\n",
		len(msgs), id.Sender().Encode(), o.SignOnly, stamp(msgs[0].SendAfter), stamp(msgs[0].Expires), o.SignOnly)
	if !f.JSONOutput() {
		return nil
	}
	doc := jsonout.SignedFile{Envelope: jsonout.NewEnvelope(), File: o.SignOnly, Sender: id.Sender().Encode(),
		SendAfter: msgs[0].SendAfter, Expires: msgs[0].Expires, RequestIDs: []string{}}
	for _, m := range msgs {
		doc.RequestIDs = append(doc.RequestIDs, m.RequestID)
	}
	return jsonout.Write(ios.Out, doc)
}

// confirm asks a yes/no question on stderr unless yes is set. Without a
// terminal it refuses with a *NoConfirmError.
func confirm(ios *IOStreams, yes bool, question string) error {
	if yes {
		return nil
	}
	if !ios.CanPrompt() {
		return &NoConfirmError{}
	}
	fmt.Fprintf(ios.ErrOut, "%s [y/N] ", question)
	line, err := bufio.NewReader(ios.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
		return nil
	}
	return ErrCancel
}

type voteOptions struct {
	IO       *IOStreams
	JSON     func() bool
	Client   func(ctx context.Context, rootKey string) (*governance.Client, error)
	Yes      func() bool
	f        *Factory
	Net      netOptions
	Sign     signOptions
	Proposal uint64
	Vote     governance.Vote
	Neuron   []string
	NeuronID []uint64
	// AcceptRisk is --accept-risk: "mainnet" allows voting on mainnet.
	AcceptRisk string
}

func newCmdVote(f *Factory, runF func(*voteOptions) error) *cobra.Command {
	opts := &voteOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, f: f,
		Yes: func() bool { return f.Globals.Yes }}
	cmd := &cobra.Command{
		ValidArgsFunction: voteArgsCompletion,
		Use:               "vote <proposal-id> (yes|no)",
		Short:             "Vote on a proposal with one or more neurons",
		Long: `Vote yes or no on a proposal with each --neuron (default: neuron from the config).
Prints one result line per neuron; a neuron that had already cast the same
ballot (for example through following) is reported as "already voted", not as
a failure. A neuron that had already voted the other way is a conflict: its
ballot stands and is shown. A vote whose reply cannot be verified was sent and
is reported as unknown: check it with ` + "`nnspatch proposal show`" + `.

Voting on the Internet Computer mainnet (network ic, a mainnet URL, or any
network with the IC's root key) needs --accept-risk=mainnet.

With --sign-only FILE the votes are signed offline and written to FILE for
` + "`nnspatch send`" + ` on an online machine.

Additional exit codes:
  4  the identity controls none of the failing neurons
  7  a vote's reply could not be verified (its outcome is unknown)
  9  governance refused a vote, or a neuron had already voted the other way`,
		Example: `$ nnspatch vote 139800 yes --neuron 80 --neuron 81 --yes
$ nnspatch vote 139800 yes --neuron 80 --network ic --accept-risk=mainnet
$ nnspatch vote 139800 no --neuron 80 --sign-only vote.json --expires-in 2h`,
		Args: exactArgs(2, "a proposal id and yes or no"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parse(args); err != nil {
				return err
			}
			return runOrRunF(opts, runF, func(o *voteOptions) error { return voteRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().StringArrayVar(&opts.Neuron, "neuron", nil, "neuron `id` to vote with (repeatable; default: neuron from the config)")
	cmd.Flags().StringVar(&opts.AcceptRisk, "accept-risk", "", "accept the risk of voting on mainnet (`mainnet`)")
	addNetFlags(cmd, &opts.Net)
	addSignFlags(cmd, &opts.Sign)
	return cmd
}

func (o *voteOptions) parse(args []string) error {
	id, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return FlagErrorf("proposal id %q is not a number", args[0])
	}
	o.Proposal = id
	switch strings.ToLower(args[1]) {
	case "yes", "y":
		o.Vote = governance.VoteYes
	case "no", "n":
		o.Vote = governance.VoteNo
	default:
		return FlagErrorf("vote must be yes or no, got %q", args[1])
	}
	ids, err := parseNeurons(o.Neuron)
	if err != nil {
		return err
	}
	o.NeuronID = ids
	if err := checkAcceptRiskValue(o.AcceptRisk); err != nil {
		return err
	}
	return o.Sign.check()
}

func parseNeurons(ss []string) ([]uint64, error) {
	var out []uint64
	for _, s := range ss {
		for _, part := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return nil, FlagErrorf("--neuron %q is not a neuron id", part)
			}
			out = append(out, n)
		}
	}
	return out, nil
}

func (o *voteOptions) neurons() ([]uint64, error) {
	if len(o.NeuronID) > 0 {
		return o.NeuronID, nil
	}
	cfg, err := o.f.Config()
	if err != nil {
		return nil, err
	}
	if cfg.Neuron == 0 {
		return nil, FlagErrorf("--neuron is required (or set neuron in the config file)")
	}
	return []uint64{cfg.Neuron}, nil
}

func voteRun(ctx context.Context, o *voteOptions) error {
	neurons, err := o.neurons()
	if err != nil {
		return err
	}
	if o.Sign.SignOnly != "" {
		var reqs []govdid.ManageNeuronRequest
		for _, n := range neurons {
			reqs = append(reqs, governance.VoteCommand(n, o.Proposal, o.Vote))
		}
		return o.Sign.writeSigned(o.f, o.IO, reqs)
	}
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	if err := checkMainnetRisk(c.Network, o.AcceptRisk, "voting"); err != nil {
		return err
	}
	p, err := c.GetProposal(ctx, o.Proposal)
	if err != nil {
		return err
	}
	writeVoteSummary(o.IO.ErrOut, *p, o.Vote, neurons)
	if err := confirm(o.IO, o.Yes(), fmt.Sprintf("Vote %s on proposal %d with neuron(s) %v on %s?", o.Vote, o.Proposal, neurons, c.Network.Name)); err != nil {
		return err
	}
	unlock, err := lockWrite(ctx, c, governance.VoteKey(o.Proposal))
	if err != nil {
		return err
	}
	results := c.VoteMany(ctx, neurons, o.Proposal, o.Vote)
	unlock()
	if o.JSON() {
		err = jsonout.Write(o.IO.Out, jsonout.Votes{Envelope: jsonout.NewEnvelope(), Proposal: o.Proposal, Vote: o.Vote.String(), Results: results})
	} else {
		err = writeVoteResults(o.IO.Out, results)
	}
	if err != nil {
		return err
	}
	return firstVoteFailure(results)
}

func writeVoteResults(w io.Writer, rs []governance.VoteResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NEURON\tRESULT\tDETAIL")
	for _, r := range rs {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", r.Neuron, voteMark(r), voteDetail(r))
	}
	return tw.Flush()
}

// voteMark is the RESULT column: ✓ only for a ballot that is what was
// asked for, ? for a vote that was sent but not confirmed.
func voteMark(r governance.VoteResult) string {
	switch r.Outcome {
	case governance.OutcomeVoted:
		return "✓ voted"
	case governance.OutcomeAlreadyVoted:
		return "✓ already voted"
	case governance.OutcomeConflict:
		return "✗ already voted " + r.Existing
	case governance.OutcomeUnknown:
		return "? unknown"
	}
	return "✗ failed"
}

func voteDetail(r governance.VoteResult) string {
	var uo *governance.UnknownOutcomeError
	var bu *governance.BallotUnreadableError
	switch {
	case r.Err == nil:
		return ""
	case errors.As(r.Err, &uo):
		return governance.SanitizeLine(fmt.Sprintf("sent, reply not verified: check with `%s` (%v)", uo.Check, uo.Err))
	case errors.As(r.Err, &bu):
		return governance.SanitizeLine(fmt.Sprintf("%v (check with `nnspatch proposal show %d`)", r.Err, bu.Proposal))
	}
	return governance.SanitizeLine(r.Err.Error())
}

// firstVoteFailure returns an error carrying the first failure so the exit
// code reflects it; the table already showed every neuron.
func firstVoteFailure(rs []governance.VoteResult) error {
	counts := map[string]int{}
	var first error
	for _, r := range rs {
		if r.Err != nil {
			counts[r.Outcome]++
			if first == nil {
				first = r.Err
			}
		}
	}
	if first == nil {
		return nil
	}
	var parts []string
	for _, o := range []string{governance.OutcomeFailed, governance.OutcomeConflict, governance.OutcomeUnknown} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	return fmt.Errorf("%s of %d vote(s): %w", strings.Join(parts, ", "), len(rs), first)
}

// voteArgsCompletion completes the vote's second argument.
func voteArgsCompletion(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 1 {
		return []string{"yes", "no"}, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}
