// Package progress draws a one-line text progress bar for artifact hashing
// onto any io.Writer, typically stderr. It has no terminal dependency: the
// caller decides (e.g. with golang.org/x/term) whether stderr is a terminal
// and only then attaches a Bar to artifact.Options.Progress.
package progress
