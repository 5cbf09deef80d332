package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

// Main runs nnspatch with args over ios and returns the exit code. It is
// main without os.Exit, so tests and testscript can call it.
func Main(args []string, ios *IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f := NewFactory(ios)
	defer f.closeIdentity()
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	return int(printError(ios, cmd, err))
}

// printError prints err once on stderr (with usage for flag errors and a
// hint when the exit-code table has one) and returns the exit code.
func printError(ios *IOStreams, cmd *cobra.Command, err error) ExitCode {
	code, hint := exitCodeFor(err)
	if err == nil || errors.Is(err, ErrSilent) || errors.Is(err, ErrCancel) {
		return code
	}
	var ce *CodeError
	if errors.As(err, &ce) && ce.Err == nil {
		return code
	}
	fmt.Fprintf(ios.ErrOut, "nnspatch: %s\n", err)
	var fe *FlagError
	if errors.As(err, &fe) && cmd != nil {
		fmt.Fprintf(ios.ErrOut, "\n%s", cmd.UsageString())
	}
	if hint != "" {
		fmt.Fprintf(ios.ErrOut, "hint: %s\n", hint)
	}
	return code
}
