package main

import (
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

const deployExitCodes = `

Additional exit codes:
  3  the draft is invalid (every problem is printed; nothing is written)`

type draftDeployOptions struct {
	*draftCommon
	Subnet  string
	Version string
	Nodes   []string
}

func newCmdDraftDeployGuestOS(f *Factory, runF func(*draftDeployOptions) error) *cobra.Command {
	opts := &draftDeployOptions{draftCommon: newDraftCommon(f)}
	cmd := &cobra.Command{
		Use:   "deploy-guestos --subnet <id> --version <commit> -o <file>",
		Short: "Draft a GuestOS deployment to one subnet",
		Long:  "Draft a DeployGuestosToAllSubnetNodes proposal: upgrade every node of --subnet to the elected --version." + deployExitCodes,
		Example: `$ nnspatch draft deploy-guestos --subnet $SUBNET --version $COMMIT -o deploy.yaml
$ nnspatch draft deploy-guestos --security --subnet $SUBNET --version $COMMIT -o deploy.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.checkDeploy(true, false); err != nil {
				return err
			}
			return runOrRunF(opts, runF, draftDeployGuestOSRun)
		},
	}
	opts.addFlags(cmd.Flags(), true)
	cmd.Flags().StringVar(&opts.Subnet, "subnet", "", "subnet `id` (textual principal)")
	cmd.Flags().StringVar(&opts.Version, "version", "", "elected GuestOS `commit` to deploy")
	return cmd
}

func newCmdDraftDeployUnassigned(f *Factory, runF func(*draftDeployOptions) error) *cobra.Command {
	opts := &draftDeployOptions{draftCommon: newDraftCommon(f)}
	cmd := &cobra.Command{
		Use:     "deploy-unassigned --version <commit> -o <file>",
		Short:   "Draft a GuestOS deployment to the unassigned nodes",
		Long:    "Draft a DeployGuestosToAllUnassignedNodes proposal for the elected --version." + deployExitCodes,
		Example: "$ nnspatch draft deploy-unassigned --version $COMMIT -o unassigned.yaml",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.checkDeploy(false, false); err != nil {
				return err
			}
			return runOrRunF(opts, runF, draftDeployUnassignedRun)
		},
	}
	opts.addFlags(cmd.Flags(), true)
	cmd.Flags().StringVar(&opts.Version, "version", "", "elected GuestOS `commit` to deploy")
	return cmd
}

func newCmdDraftDeployHostOS(f *Factory, runF func(*draftDeployOptions) error) *cobra.Command {
	opts := &draftDeployOptions{draftCommon: newDraftCommon(f)}
	cmd := &cobra.Command{
		Use:     "deploy-hostos --version <commit> --node <id>... -o <file>",
		Short:   "Draft a HostOS deployment to some nodes",
		Long:    "Draft a DeployHostosToSomeNodes proposal: set the elected HostOS --version on the --node nodes." + deployExitCodes,
		Example: "$ nnspatch draft deploy-hostos --version $COMMIT --node $NODE1 --node $NODE2 -o hostos.yaml",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.checkDeploy(false, true); err != nil {
				return err
			}
			return runOrRunF(opts, runF, draftDeployHostOSRun)
		},
	}
	opts.addFlags(cmd.Flags(), true)
	cmd.Flags().StringVar(&opts.Version, "version", "", "elected HostOS `commit` to deploy")
	cmd.Flags().StringArrayVar(&opts.Nodes, "node", nil, "node `id` (textual principal; repeatable)")
	return cmd
}

func (o *draftDeployOptions) checkDeploy(subnet, nodes bool) error {
	if err := o.check(); err != nil {
		return err
	}
	if o.Version == "" {
		return FlagErrorf("--version is required: the elected version to deploy")
	}
	if subnet && o.Subnet == "" {
		return FlagErrorf("--subnet is required: the subnet to upgrade")
	}
	if nodes && len(o.Nodes) == 0 {
		return FlagErrorf("--node is required at least once: the nodes to upgrade")
	}
	return nil
}

func draftDeployGuestOSRun(o *draftDeployOptions) error {
	texts, err := o.texts()
	if err != nil {
		return err
	}
	id, err := principalFlag("--subnet", o.Subnet)
	if err != nil {
		return err
	}
	d, err := proposals.NewDeployGuestOS(proposals.DeployOptions{Texts: texts, Mode: o.mode(), SubnetID: id, Version: o.Version})
	if err != nil {
		return fmt.Errorf("draft deploy-guestos: %w", err)
	}
	return o.write(d)
}

func draftDeployUnassignedRun(o *draftDeployOptions) error {
	texts, err := o.texts()
	if err != nil {
		return err
	}
	d, err := proposals.NewDeployUnassigned(proposals.UnassignedOptions{Texts: texts, Mode: o.mode(), Version: o.Version})
	if err != nil {
		return fmt.Errorf("draft deploy-unassigned: %w", err)
	}
	return o.write(d)
}

func draftDeployHostOSRun(o *draftDeployOptions) error {
	texts, err := o.texts()
	if err != nil {
		return err
	}
	ids, err := nodeFlags(o.Nodes)
	if err != nil {
		return err
	}
	d, err := proposals.NewDeployHostOS(proposals.DeployHostOSOptions{Texts: texts, Mode: o.mode(), Version: o.Version, NodeIDs: ids})
	if err != nil {
		return fmt.Errorf("draft deploy-hostos: %w", err)
	}
	return o.write(d)
}

// nodeFlags parses the --node values.
func nodeFlags(nodes []string) ([]principal.Principal, error) {
	ids := make([]principal.Principal, 0, len(nodes))
	for _, n := range nodes {
		id, err := principalFlag("--node", n)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// principalFlag parses a principal id given with flag. agent-go's decode
// errors can quote raw bytes, so only printable causes are shown.
func principalFlag(flag, s string) (principal.Principal, error) {
	id, err := proposals.ParsePrincipal(s)
	if err == nil {
		return id, nil
	}
	cause := err.Error()
	if strings.IndexFunc(cause, func(r rune) bool { return r < ' ' || r > '~' }) >= 0 {
		cause = "not a valid textual principal"
	}
	return principal.Principal{}, FlagErrorf("%s %q is not a principal id (%s); pass its full textual form, as `nnspatch subnets` prints it", flag, s, cause)
}
