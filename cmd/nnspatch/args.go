package main

import "github.com/spf13/cobra"

// noArgs rejects any positional argument with a FlagError.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return FlagErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// exactArgs requires n positional arguments named by what, e.g. "a draft file".
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return FlagErrorf("%s needs %s (%d argument(s)), got %d", cmd.CommandPath(), what, n, len(args))
		}
		return nil
	}
}

// minArgs requires at least n positional arguments named by what.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return FlagErrorf("%s needs %s", cmd.CommandPath(), what)
		}
		return nil
	}
}
