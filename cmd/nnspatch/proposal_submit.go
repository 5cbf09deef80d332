package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

type proposalSubmitOptions struct {
	IO         *IOStreams
	JSON       func() bool
	Client     func(ctx context.Context, rootKey string) (*governance.Client, error)
	Policy     func() (proposals.Policy, error)
	Yes        func() bool
	f          *Factory
	Net        netOptions
	Sign       signOptions
	File       string
	Neuron     uint64
	DryRun     bool
	AcceptRisk string
}

func newCmdProposalSubmit(f *Factory, runF func(*proposalSubmitOptions) error) *cobra.Command {
	opts := &proposalSubmitOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, f: f,
		Policy: newDraftCommon(f).Policy, Yes: func() bool { return f.Globals.Yes }}
	cmd := &cobra.Command{
		Use:   "submit <draft-file>",
		Short: "Check a draft against the live NNS and submit it",
		Long: `Validate the draft, then run preflight checks against the live registry and
governance: the version to elect is not elected yet, no version to unelect runs
on a subnet, the unassigned nodes or an API boundary node, deploy targets are
elected, the identity controls the neuron (or is its hotkey) and the neuron can
pay the reject cost. If an open or adopted proposal with the same action exists
(or a recent executed one whose effect the registry still shows),
its id is printed and nothing is submitted, so a retry never submits twice.

Then it shows the title, topic, payload and payload hash, asks for confirmation
(--yes without a terminal) and submits. The new proposal id goes to stdout.
Against the ic network it also needs --accept-risk=mainnet.

Additional exit codes:
  3  the draft is invalid
  4  the identity does not control the neuron
  9  a preflight check failed (every failed check is listed) or governance refused`,
		Example: `$ nnspatch proposal submit elect.yaml --neuron 80 --dry-run
$ nnspatch proposal submit elect.yaml --neuron 80 --yes
$ nnspatch proposal submit elect.yaml --neuron 80 --network ic --accept-risk=mainnet
$ nnspatch proposal submit elect.yaml --neuron 80 --sign-only submit.json`,
		Args: exactArgs(1, "a draft file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.AcceptRisk != "" && opts.AcceptRisk != "mainnet" {
				return FlagErrorf("--accept-risk takes mainnet, got %q", opts.AcceptRisk)
			}
			if opts.DryRun && opts.Sign.SignOnly != "" {
				return FlagErrorf("--dry-run and --sign-only cannot be used together")
			}
			if err := opts.Sign.check(); err != nil {
				return err
			}
			return runOrRunF(opts, runF, func(o *proposalSubmitOptions) error { return proposalSubmitRun(cmd.Context(), o) })
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&opts.Neuron, "neuron", 0, "proposer neuron `id` (default: neuron from the config)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "run the checks and show the proposal without submitting")
	fl.StringVar(&opts.AcceptRisk, "accept-risk", "", "accept the risk of submitting to mainnet (`mainnet`)")
	addNetFlags(cmd, &opts.Net)
	addSignFlags(cmd, &opts.Sign)
	return cmd
}

func proposalSubmitRun(ctx context.Context, o *proposalSubmitOptions) error {
	d, req, err := o.loadRequest()
	if err != nil {
		return err
	}
	if err := o.resolveNeuron(); err != nil {
		return err
	}
	if o.Sign.SignOnly != "" {
		fmt.Fprintln(o.IO.ErrOut, "warning: signing offline skips the preflight checks; run `nnspatch proposal submit --dry-run` online first")
		return o.Sign.writeSigned(o.f, o.IO, []govdid.ManageNeuronRequest{governance.MakeProposalCommand(o.Neuron, req)})
	}
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	if err := o.checkRisk(c.Network); err != nil {
		return err
	}
	if !o.DryRun {
		// Another process submitting the same action waits here, then
		// finds this one's proposal as a twin: one proposal, not two.
		unlock, err := lockWrite(ctx, c, governance.ProposalKey(req))
		if err != nil {
			return err
		}
		defer unlock()
	}
	pf, err := c.Preflight(ctx, o.Neuron, req)
	if err != nil {
		return err
	}
	writeChecks(o.IO.ErrOut, pf.Checks)
	if pf.Existing != 0 {
		fmt.Fprintf(o.IO.ErrOut, "An identical proposal already exists (open, adopted, or executed with its effect in place): %d; not submitting again\n", pf.Existing)
		return o.report(jsonout.Submit{ProposalID: pf.Existing, Existing: true, PayloadSHA256: pf.PayloadSHA256, Checks: pf.Checks})
	}
	if err := pf.Err(); err != nil {
		return err
	}
	writeSubmitSummary(o.IO.ErrOut, d, req, pf.PayloadSHA256, c.Network.Name, o.Neuron)
	if o.DryRun {
		fmt.Fprintln(o.IO.ErrOut, "Dry run: nothing submitted")
		return o.report(jsonout.Submit{DryRun: true, PayloadSHA256: pf.PayloadSHA256, Checks: pf.Checks})
	}
	if err := confirm(o.IO, o.Yes(), fmt.Sprintf("Submit this proposal to %s with neuron %d?", c.Network.Name, o.Neuron)); err != nil {
		return err
	}
	id, err := c.MakeProposal(ctx, o.Neuron, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Submitted proposal %d (topic %s)\n", id, governance.Topic(d.Topic()))
	return o.report(jsonout.Submit{ProposalID: id, PayloadSHA256: pf.PayloadSHA256, Checks: pf.Checks})
}

// loadRequest validates the draft and builds its MakeProposalRequest; the
// problems of an invalid draft are printed on stderr.
func (o *proposalSubmitOptions) loadRequest() (proposals.Draft, govdid.MakeProposalRequest, error) {
	policy, err := o.Policy()
	if err != nil {
		return proposals.Draft{}, govdid.MakeProposalRequest{}, err
	}
	probs, err := loadProblems(o.File, policy)
	if err != nil {
		return proposals.Draft{}, govdid.MakeProposalRequest{}, err
	}
	if n := countErrors(probs); n > 0 {
		for _, p := range probs {
			fmt.Fprintln(o.IO.ErrOut, proposals.Sanitize(p.String()))
		}
		return proposals.Draft{}, govdid.MakeProposalRequest{}, &DraftInvalidError{File: o.File, Errors: n}
	}
	d, err := proposals.LoadDraft(o.File)
	if err != nil {
		return proposals.Draft{}, govdid.MakeProposalRequest{}, err
	}
	req, err := proposals.ValidRequest(d, policy)
	return d, req, err
}

func (o *proposalSubmitOptions) resolveNeuron() error {
	if o.Neuron != 0 {
		return nil
	}
	cfg, err := o.f.Config()
	if err != nil {
		return err
	}
	if cfg.Neuron == 0 {
		return FlagErrorf("--neuron is required (or set neuron in the config file)")
	}
	o.Neuron = cfg.Neuron
	return nil
}

func (o *proposalSubmitOptions) checkRisk(n governance.Network) error {
	if o.DryRun {
		return nil
	}
	return checkMainnetRisk(n, o.AcceptRisk, "submitting a proposal")
}

func (o *proposalSubmitOptions) report(doc jsonout.Submit) error {
	if o.JSON() {
		doc.Envelope = jsonout.NewEnvelope()
		if doc.Checks == nil {
			doc.Checks = []governance.Check{}
		}
		return jsonout.Write(o.IO.Out, doc)
	}
	if doc.ProposalID != 0 {
		_, err := fmt.Fprintln(o.IO.Out, doc.ProposalID)
		return err
	}
	return nil
}

func writeChecks(w io.Writer, checks []governance.Check) {
	fmt.Fprintln(w, "Preflight:")
	for _, c := range checks {
		fmt.Fprintf(w, "  %s %s: %s\n", checkMark(c.OK), c.Name, c.Detail)
	}
}

func writeSubmitSummary(w io.Writer, d proposals.Draft, req govdid.MakeProposalRequest, sha, network string, neuron uint64) {
	ew := &errWriter{w: w}
	ew.printf("\nProposal to submit on %s with neuron %d:\n", network, neuron)
	ew.printf("  Title:   %s\n", governance.SanitizeLine(d.Title))
	ew.printf("  Topic:   %s\n", governance.Topic(d.Topic()))
	if fn := req.Action.ExecuteNnsFunction; fn != nil {
		ew.printf("  Action:  %s\n", actionName(governance.Action{Kind: "ExecuteNnsFunction", NNSFunction: fn.NnsFunction}))
		if fields, err := proposals.DescribePayload(fn.NnsFunction, fn.Payload); err == nil {
			for _, f := range fields {
				ew.printf("    %s: %s\n", f.Key, governance.SanitizeLine(f.Value))
			}
		}
		ew.printf("  Payload: %d bytes, sha256 %s\n", len(fn.Payload), sha)
	} else if req.Action.Motion != nil {
		ew.printf("  Motion:  %s\n", governance.SanitizeLine(strings.TrimSpace(req.Action.Motion.MotionText)))
	}
}
