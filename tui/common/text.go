package common

import (
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
)

// Line makes untrusted single-line text from the chain safe to display.
func Line(s string) string { return governance.SanitizeLine(s) }

// Text makes untrusted multi-line text from the chain safe to display.
func Text(s string) string { return governance.Sanitize(s) }

// Fit truncates s to width cells (with an ellipsis) and pads it with spaces
// to exactly width cells.
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return Pad(Truncate(s, width, "…"), width)
}

// Clip truncates every line of s to width cells and keeps at most height
// lines, padding with empty lines to exactly height.
func Clip(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = Truncate(l, width, "…")
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Countdown formats a remaining duration compactly: "3d04h", "5h12m",
// "12m", "45s"; zero or less is "due".
func Countdown(d time.Duration) string {
	switch {
	case d <= 0:
		return "due"
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	default:
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
}

// Age formats how long ago something happened, compactly: "0s", "45s",
// "12m", "5h12m", "3d04h".
func Age(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	return Countdown(d)
}

// Stamp formats a time in UTC to the minute.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// Short abbreviates a long id (a subnet, a commit or a release name) to
// its first n cells followed by an ellipsis, cutting between grapheme
// clusters.
func Short(id string, n int) string {
	if Width(id) <= n {
		return id
	}
	return Truncate(id, n, "") + "…"
}
