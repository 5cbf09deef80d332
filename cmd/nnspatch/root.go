package main

import (
	"time"

	"github.com/spf13/cobra"
)

// NewCmdRoot builds the whole command tree over f.
func NewCmdRoot(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nnspatch <command> [flags]",
		Short: "Draft, submit and track NNS security patch releases",
		Long: `nnspatch drafts, checks, submits and tracks NNS governance proposals for
Internet Computer security patch releases: withheld-source GuestOS elections,
staged rollouts, the quiet period, disclosure, checksum verification and
rollbacks.`,
		Example: `$ nnspatch draft elect-guestos --security --version COMMIT --artifact update-img.tar.zst \
    --measurements launch-measurements.json --forum-url FORUM_POST -o elect.yaml
$ nnspatch proposal render elect.yaml
$ nnspatch proposal submit elect.yaml --neuron 80 --dry-run
$ nnspatch help exit-codes`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// With no arguments on a terminal nnspatch opens the terminal app.
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 && f.IO.IsStdoutTTY() && f.IO.IsStdinTTY() {
				return tuiRun(c.Context(), &tuiOptions{env: newReleaseEnv(f), Refresh: 10 * time.Second, Limit: 500})
			}
			return c.Help()
		},
	}
	addGlobalFlags(cmd, f.Globals)
	registerGlobalCompletions(cmd, f)
	f.flags = cmd.PersistentFlags()
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &FlagError{Err: err} })
	cmd.CompletionOptions.DisableDefaultCmd = true

	// Command registration: the one place every command group is added.
	// Add exactly ONE line for your command group, keeping the list sorted.
	cmd.AddCommand(
		newCmdAPIBoundaryNodes(f, nil),
		newCmdArtifact(f),
		newCmdCompletion(f),
		newCmdConfig(f),
		newCmdDraft(f),
		newCmdDrill(f),
		newCmdIdentity(f),
		newCmdLocalnet(f),
		newCmdNeuron(f),
		newCmdNodes(f, nil),
		newCmdProposal(f),
		newCmdRegistry(f),
		newCmdRelease(f),
		newCmdRollback(f),
		newCmdRollout(f),
		newCmdSend(f, nil),
		newCmdSubnets(f, nil),
		newCmdTUI(f, nil),
		newCmdVersion(f),
		newCmdVerify(f, nil),
		newCmdVersions(f, nil),
		newCmdVote(f, nil),
	)
	cmd.AddCommand(helpTopics()...)
	registerEnumCompletions(cmd)
	return cmd
}

func addGlobalFlags(cmd *cobra.Command, g *GlobalOptions) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&g.Network, "network", "", "network name from the config (ic, local, …) or a URL")
	fl.StringVar(&g.Identity, "identity", "", "dfx or icp-cli identity name, PEM file, or hsm:slot=0,id=HEX for a key in a PKCS#11 token")
	fl.StringVar(&g.ConfigFile, "config", "", "config `file` (default $NNSPATCH_CONFIG_HOME/config.yaml)")
	fl.BoolVar(&g.JSON, "json", false, "print JSON (versioned envelope) on stdout")
	fl.BoolVar(&g.Yes, "yes", false, "do not ask for confirmation")
	fl.BoolVarP(&g.Verbose, "verbose", "v", false, "print more status on stderr")
}
