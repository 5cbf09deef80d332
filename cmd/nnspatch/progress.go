package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/proposals/artifact"
)

// progressBar draws a one-line hashing progress bar on a terminal. It
// redraws at most every 100ms and finishes the line when a source is done.
type progressBar struct {
	w     io.Writer
	width int
	last  time.Time
	now   func() time.Time
}

// newProgressFunc returns an artifact.ProgressFunc drawing on w, or nil when
// w is not a terminal: progress is decoration, never data.
func newProgressFunc(ios *IOStreams) artifact.ProgressFunc {
	if !ios.IsStderrTTY() {
		return nil
	}
	b := &progressBar{w: ios.ErrOut, width: 30, now: time.Now}
	return b.report
}

func (b *progressBar) report(p artifact.Progress) {
	done := p.Total >= 0 && p.Done == p.Total
	if !done && b.now().Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = b.now()
	fmt.Fprintf(b.w, "\r%s", b.line(p))
	if done {
		fmt.Fprintln(b.w)
	}
}

// line renders "[#####.....]  42% 12.0/28.6 MiB name".
func (b *progressBar) line(p artifact.Progress) string {
	const mib = 1 << 20
	if p.Total <= 0 {
		return fmt.Sprintf("hashing %s: %.1f MiB", p.Source, float64(p.Done)/mib)
	}
	filled := int(int64(b.width) * p.Done / p.Total)
	bar := strings.Repeat("#", filled) + strings.Repeat(".", b.width-filled)
	return fmt.Sprintf("[%s] %3d%% %.1f/%.1f MiB %s", bar, 100*p.Done/p.Total,
		float64(p.Done)/mib, float64(p.Total)/mib, p.Source)
}
