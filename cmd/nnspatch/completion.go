package main

import "github.com/spf13/cobra"

type completionOptions struct {
	IO    *IOStreams
	Shell string
	Root  func() *cobra.Command
}

func newCmdCompletion(f *Factory) *cobra.Command {
	opts := &completionOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "completion <bash|zsh|fish|powershell>",
		Short: "Print a shell completion script",
		Long: `Print a completion script for the given shell on stdout.

Load it for the current bash session with
  source <(nnspatch completion bash)
or install it permanently, e.g. for zsh, into a directory on $fpath as _nnspatch.`,
		Example:   "$ nnspatch completion bash > /etc/bash_completion.d/nnspatch\n$ nnspatch completion zsh > \"${fpath[1]}/_nnspatch\"",
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      exactArgs(1, "a shell name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shell = args[0]
			opts.Root = cmd.Root
			return completionRun(opts)
		},
	}
	return cmd
}

func completionRun(opts *completionOptions) error {
	root, out := opts.Root(), opts.IO.Out
	switch opts.Shell {
	case "bash":
		return root.GenBashCompletionV2(out, true)
	case "zsh":
		return root.GenZshCompletion(out)
	case "fish":
		return root.GenFishCompletion(out, true)
	case "powershell":
		return root.GenPowerShellCompletionWithDesc(out)
	}
	return FlagErrorf("unsupported shell %q: use bash, zsh, fish or powershell", opts.Shell)
}

// registerGlobalCompletions completes --network with the network names of
// the config (ic, local and any defined under networks:).
func registerGlobalCompletions(root *cobra.Command, f *Factory) {
	_ = root.RegisterFlagCompletionFunc("network", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return cfg.NetworkNames(), cobra.ShellCompDirectiveNoFileComp
	})
}
