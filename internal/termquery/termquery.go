// Package termquery keeps nnspatch's commands from querying the terminal at
// start-up.
//
// bubbletea v1's package init asks the terminal for its background colour
// (an OSC 11 query answered through the tty, 5 seconds' timeout) so that
// lipgloss knows it before a program takes the terminal. nnspatch links
// bubbletea into the one binary, so every command, `nnspatch version`
// included, paid that query: 5 s under `script`, on a serial console or on
// any pty whose other side does not answer.
//
// This package sets the background explicitly in its init, which runs
// before bubbletea's: since Go 1.21 packages are initialized in the order of
// their sorted import paths once their own imports are, and this module's
// path ("early.nnspatch.invalid/...") sorts before
// "github.com/charmbracelet/bubbletea" (it is a separate module in this
// repository, replaced to this directory, for exactly that reason). The
// TUI asks the terminal itself, with Detect, when it actually starts.
package termquery

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func init() { lipgloss.SetHasDarkBackground(true) }

// Detect asks the terminal on w for its background colour and tells
// lipgloss. Call it only when a terminal app is about to run on w.
func Detect(w io.Writer) {
	lipgloss.SetHasDarkBackground(termenv.NewOutput(w).HasDarkBackground())
}
