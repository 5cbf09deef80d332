package main

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams carries the standard streams of one invocation and what is known
// about the terminal behind them, so commands never touch os.Stdout directly.
type IOStreams struct {
	// In is standard input.
	In io.Reader
	// Out is standard output: the data a command was asked for, nothing else.
	Out io.Writer
	// ErrOut is standard error: progress, status, warnings and errors.
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
}

// System returns IOStreams bound to the process's standard streams.
func System() *IOStreams {
	return &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
}

// TestStreams returns IOStreams on in-memory buffers (no terminal) together
// with the buffers for stdin, stdout and stderr.
func TestStreams() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetTTY sets the terminal flags of all three streams; tests use it to run a
// command as if it were interactive.
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// CanPrompt reports whether the user can be asked a question: both stdin and
// stderr are terminals.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// TerminalOut is the writer under Out: Main watches Out through a wrapper,
// and a terminal app needs the terminal itself (its file descriptor).
func (s *IOStreams) TerminalOut() io.Writer {
	if u, ok := s.Out.(interface{ Unwrap() io.Writer }); ok {
		return u.Unwrap()
	}
	return s.Out
}

func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
