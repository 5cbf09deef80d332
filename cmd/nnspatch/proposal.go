package main

import "github.com/spf13/cobra"

// newCmdProposal builds the `proposal` command group.
func newCmdProposal(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proposal <command>",
		Short: "Validate, render, submit and show proposals",
		Long:  "Work with one proposal: a draft file on disk, or a proposal on the NNS.",
	}
	// Subcommands: add exactly ONE line for yours, keeping the list sorted.
	cmd.AddCommand(
		newCmdProposalRender(f, nil),
		newCmdProposalShow(f, nil),
		newCmdProposalSubmit(f, nil),
		newCmdProposalValidate(f, nil),
		newCmdProposalWait(f, nil),
	)
	return cmd
}
