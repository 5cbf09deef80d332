package main

import (
	"io"
	"strings"
	"unicode"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

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
		if _, err := io.WriteString(out, bashWordsShim); err != nil {
			return err
		}
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
// the config (ic, local and any defined under networks:), --identity with
// the dfx and icp-cli identity names (and files).
func registerGlobalCompletions(root *cobra.Command, f *Factory) {
	_ = root.RegisterFlagCompletionFunc("identity", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return governance.IdentityNames(governance.IdentityEnvFromOS()), cobra.ShellCompDirectiveDefault
	})
	_ = root.RegisterFlagCompletionFunc("network", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return cfg.NetworkNames(), cobra.ShellCompDirectiveNoFileComp
	})
}

// registerEnumCompletions walks the command tree and completes every
// --topic and --status flag with the names governance knows.
func registerEnumCompletions(cmd *cobra.Command) {
	fixed := func(vals []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	cmd.LocalNonPersistentFlags().VisitAll(func(fl *pflag.Flag) {
		switch fl.Name {
		case "topic":
			_ = cmd.RegisterFlagCompletionFunc("topic", fixed(topicCompletions()))
		case "status":
			_ = cmd.RegisterFlagCompletionFunc("status", fixed([]string{"open", "rejected", "adopted", "executed", "failed"}))
		}
	})
	for _, c := range cmd.Commands() {
		registerEnumCompletions(c)
	}
}

// topicCompletions are the topic names in the dashed form --topic takes.
func topicCompletions() []string {
	var out []string
	for _, t := range governance.AllTopics() {
		if t != 0 {
			out = append(out, dashed(t.String()))
		}
	}
	return out
}

// dashed turns "IcOsVersionElection" into "ic-os-version-election".
func dashed(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// bashWordsShim defines _get_comp_words_by_ref when the bash-completion
// package did not: cobra's V2 script calls it even without that package
// (macOS's bash, minimal containers). It splits the line up to the cursor
// at blanks, so "--flag=value" and "a:b" stay one word, as the package's
// "-n =:" asks.
const bashWordsShim = `# nnspatch: a minimal _get_comp_words_by_ref for shells without the
# bash-completion package.
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
_get_comp_words_by_ref() {
    local line="${COMP_LINE:0:COMP_POINT}"
    read -r -a words <<< "$line"
    if [[ -z "$line" || "$line" =~ [[:space:]]$ ]]; then words+=(""); fi
    cword=$(( ${#words[@]} - 1 ))
    cur="${words[cword]}"
    prev=""
    if (( cword > 0 )); then prev="${words[cword-1]}"; fi
}
fi

`
