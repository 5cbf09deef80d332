package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/spf13/cobra"
)

// Main runs nnspatch with args over ios and returns the exit code. It is
// main without os.Exit, so tests and testscript can call it.
func Main(args []string, ios *IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out := &watchedWriter{w: ios.Out}
	streams := *ios
	streams.Out = out
	f := NewFactory(&streams)
	defer f.closeIdentity()
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(out)
	root.SetErr(streams.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	code := printError(&streams, cmd, err)
	if !out.wrote && f.JSONOutput() {
		writeErrorDoc(ios, err, code)
	}
	return int(code)
}

// watchedWriter records whether anything was written through it.
type watchedWriter struct {
	w     io.Writer
	wrote bool
}

// Unwrap returns the watched writer.
func (w *watchedWriter) Unwrap() io.Writer { return w.w }

// Write implements io.Writer.
func (w *watchedWriter) Write(p []byte) (int, error) {
	w.wrote = w.wrote || len(p) > 0
	return w.w.Write(p)
}

// writeErrorDoc prints, for a --json run that failed before printing its
// document, the error as one JSON document on stdout, so a script reading
// stdout always gets an object. Silent and cancelled errors get one too:
// the exit code is the fact a script needs.
func writeErrorDoc(ios *IOStreams, err error, code ExitCode) {
	if err == nil {
		return
	}
	_, hint := exitCodeFor(err)
	_ = jsonout.Write(ios.Out, jsonout.ErrorDoc{Envelope: jsonout.NewEnvelope(), Error: jsonout.Error{
		Message: err.Error(), Hint: hint, ExitCode: int(code), Kind: code.Name()}})
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
