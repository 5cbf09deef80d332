package main

import (
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/proposals/artifact/progress"
)

// newProgress returns a hashing progress callback that draws a bar on
// stderr, and a func that ends the bar's line. When stderr is not a
// terminal both do nothing: progress is decoration, never data.
func newProgress(ios *IOStreams) (artifact.ProgressFunc, func()) {
	if !ios.IsStderrTTY() {
		return nil, func() {}
	}
	b := &progress.Bar{W: ios.ErrOut}
	return b.Update, b.Finish
}
