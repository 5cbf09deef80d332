package main

import (
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

type proposalRenderOptions struct {
	IO     *IOStreams
	JSON   func() bool
	Policy func() (proposals.Policy, error)
	File   string
}

func newCmdProposalRender(f *Factory, runF func(*proposalRenderOptions) error) *cobra.Command {
	opts := &proposalRenderOptions{IO: f.IO, JSON: f.JSONOutput, Policy: newDraftCommon(f).Policy}
	return &cobra.Command{
		Use:   "render <draft-file>",
		Short: "Show a draft as voters will see it",
		Long: `Show a draft file as the NNS will hold it: title, topic, forum URL, summary, the
decoded payload field by field, the Candid payload in hex with its size and
SHA-256, and any validation problems. Untrusted text is sanitized for the terminal.`,
		Example: "$ nnspatch proposal render elect.yaml\n$ nnspatch proposal render elect.yaml --json | jq -r .proposal.payload_sha256",
		Args:    exactArgs(1, "a draft file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			return runOrRunF(opts, runF, proposalRenderRun)
		},
	}
}

func proposalRenderRun(o *proposalRenderOptions) error {
	policy, err := o.Policy()
	if err != nil {
		return err
	}
	d, err := proposals.LoadDraft(o.File)
	if err != nil {
		return err
	}
	r, err := proposals.Render(d)
	if err != nil {
		return err
	}
	r.Problems = nonNilProblems(proposals.ValidateWith(d, policy))
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.ProposalRender{Envelope: jsonout.NewEnvelope(), File: o.File, Proposal: r})
	}
	return proposals.WriteText(o.IO.Out, r)
}
