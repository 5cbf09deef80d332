package main

import (
	"fmt"

	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

func newCmdDraftDeployAPIBoundaryNodes(f *Factory, runF func(*draftDeployOptions) error) *cobra.Command {
	opts := &draftDeployOptions{draftCommon: newDraftCommon(f)}
	cmd := &cobra.Command{
		Use:   "deploy-api-boundary-nodes --version <commit> --node <id>... -o <file>",
		Short: "Draft a GuestOS deployment to some API boundary nodes",
		Long: `Draft a DeployGuestosToSomeApiBoundaryNodes proposal (NNS function 47): point the --node
API boundary nodes at the elected GuestOS --version. ` + "`nnspatch api-boundary-nodes`" + ` lists
them; at submission, preflight refuses ids that are not API boundary nodes (exit 9).` + deployExitCodes,
		Example: `$ nnspatch draft deploy-api-boundary-nodes --version $COMMIT --node $BN1 --node $BN2 -o apibn.yaml
$ nnspatch draft deploy-api-boundary-nodes --security --version $COMMIT \
    $(nnspatch api-boundary-nodes --json | jq -r '.nodes[] | "--node", .id') -o apibn.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.checkDeploy(false, true); err != nil {
				return err
			}
			return runOrRunF(opts, runF, draftDeployAPIBoundaryNodesRun)
		},
	}
	opts.addFlags(cmd.Flags(), true)
	cmd.Flags().StringVar(&opts.Version, "version", "", "elected GuestOS `commit` to deploy")
	cmd.Flags().StringArrayVar(&opts.Nodes, "node", nil, "API boundary node `id` (textual principal; repeatable)")
	return cmd
}

func draftDeployAPIBoundaryNodesRun(o *draftDeployOptions) error {
	texts, err := o.texts()
	if err != nil {
		return err
	}
	ids, err := nodeFlags(o.Nodes)
	if err != nil {
		return err
	}
	d, err := proposals.NewDeployAPIBoundaryNodes(proposals.APIBoundaryNodesOptions{Texts: texts, Mode: o.mode(), Version: o.Version, NodeIDs: ids})
	if err != nil {
		return fmt.Errorf("draft deploy-api-boundary-nodes: %w", err)
	}
	return o.write(d)
}
