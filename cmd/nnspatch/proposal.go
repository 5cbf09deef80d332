package main

import "github.com/spf13/cobra"

// newCmdProposal builds the `proposal` command group.
func newCmdProposal(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "proposal <command>",
		Aliases: []string{"proposals"},
		Short:   "List, show, validate, render and submit proposals",
		Long: `Work with proposals on the NNS (list, show) and with one proposal as a draft
file on disk (validate, render, submit). Every reply from the network is
verified against its root key. ` + "`nnspatch proposals list`" + ` is the same command.`,
	}
	// Subcommands: add exactly ONE line for yours, keeping the list sorted.
	cmd.AddCommand(
		newCmdProposalsList(f, nil),
		newCmdProposalRender(f, nil),
		newCmdProposalShow(f, nil),
		newCmdProposalSubmit(f, nil),
		newCmdProposalValidate(f, nil),
		newCmdProposalWait(f, nil),
	)
	return cmd
}
