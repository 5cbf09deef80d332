package progress

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/nnspatch/nnspatch/proposals/artifact"
)

// DefaultWidth is the line width used when Bar.Width is zero.
const DefaultWidth = 80

// DefaultInterval is the minimum time between redraws when
// Bar.Interval is zero.
const DefaultInterval = 100 * time.Millisecond

// Bar renders artifact progress reports as a single line redrawn with a
// carriage return. Reports for several sources (artifact.HashAll) are
// summed into one bar. Set the exported fields before the first Update; a
// Bar is safe for concurrent use.
type Bar struct {
	// W receives the drawing; required.
	W io.Writer
	// Width is the line width in columns; zero means DefaultWidth.
	Width int
	// Label replaces the default label (the source's base name, or
	// "N sources").
	Label string
	// Interval is the minimum time between redraws; zero means
	// DefaultInterval. The final state of every source is always drawn.
	Interval time.Duration
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time

	mu      sync.Mutex
	start   time.Time
	last    time.Time
	drawn   bool
	sources map[string]artifact.Progress
	order   []string
}

// Update records p and redraws when the interval has passed or a source
// has finished. It has the signature of artifact.ProgressFunc.
func (b *Bar) Update(p artifact.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if b.sources == nil {
		b.sources = map[string]artifact.Progress{}
		b.start = now
	}
	if _, ok := b.sources[p.Source]; !ok {
		b.order = append(b.order, p.Source)
	}
	b.sources[p.Source] = p
	finished := p.Total >= 0 && p.Done >= p.Total
	if b.drawn && !finished && now.Sub(b.last) < b.interval() {
		return
	}
	b.draw(now)
}

// Finish draws the final state and ends the line, so later output starts
// on a fresh line. It does nothing if nothing was drawn.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.drawn {
		return
	}
	b.draw(b.now())
	fmt.Fprint(b.W, "\n")
	b.drawn = false
}

func (b *Bar) draw(now time.Time) {
	var done, total int64
	for _, p := range b.sources {
		done += p.Done
		if p.Total < 0 || total < 0 {
			total = -1
		} else {
			total += p.Total
		}
	}
	line := Render(b.label(), done, total, now.Sub(b.start), b.width())
	fmt.Fprint(b.W, "\r"+line)
	b.last, b.drawn = now, true
}

func (b *Bar) label() string {
	switch {
	case b.Label != "":
		return b.Label
	case len(b.order) == 1:
		return baseName(b.order[0])
	}
	return fmt.Sprintf("%d sources", len(b.order))
}

func (b *Bar) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Bar) width() int {
	if b.Width > 0 {
		return b.Width
	}
	return DefaultWidth
}

func (b *Bar) interval() time.Duration {
	if b.Interval > 0 {
		return b.Interval
	}
	return DefaultInterval
}

// baseName shortens a path or URL to its last element.
func baseName(source string) string {
	if artifact.IsURL(source) {
		if u, err := url.Parse(source); err == nil && u.Path != "" && u.Path != "/" {
			return path.Base(u.Path)
		}
		return source
	}
	return path.Base(source)
}

// statsWidth fits the widest statistics, "100%  1023.9 MiB/1023.9 MiB
// 1023.9 MiB/s", so the bar keeps its width while the numbers change.
const statsWidth = 41

// Render returns one bar line exactly width columns wide (padded with
// spaces so it overwrites a longer previous line), e.g.
//
//	update-img.tar.zst [=====>      ]   45%  460.8 MiB/1.0 GiB  210.3 MiB/s
//
// A negative total (unknown size) drops the bar and the percentage; on a
// narrow line the bar, then the rate, are dropped first.
func Render(label string, done, total int64, elapsed time.Duration, width int) string {
	sizes := humanBytes(done)
	if total >= 0 {
		sizes = fmt.Sprintf("%3d%%  %s/%s", percent(done, total), sizes, humanBytes(total))
	}
	stats := sizes + "  " + rate(done, elapsed)
	label = fit(label, max(width/3, 8))
	labelWidth := len([]rune(label))
	if barWidth := width - labelWidth - statsWidth - 5; total >= 0 && barWidth >= 5 {
		return pad(label+" ["+bar(done, total, barWidth)+"]  "+stats, width)
	}
	if labelWidth+1+len(stats) > width {
		stats = sizes
	}
	return pad(label+" "+stats, width)
}

func percent(done, total int64) int64 {
	if total <= 0 {
		return 100
	}
	return min(100, done*100/total)
}

// bar draws width cells: "=" for done, ">" at the head, spaces after.
func bar(done, total int64, width int) string {
	filled := width
	if total > 0 {
		filled = int(min(done, total) * int64(width) / total)
	}
	if filled >= width {
		return strings.Repeat("=", width)
	}
	head := ""
	if filled > 0 {
		head, filled = ">", filled-1
	}
	return strings.Repeat("=", filled) + head + strings.Repeat(" ", width-filled-len(head))
}

func rate(done int64, elapsed time.Duration) string {
	if elapsed <= 0 {
		return "--/s"
	}
	return humanBytes(int64(float64(done)/elapsed.Seconds())) + "/s"
}

// humanBytes formats n with binary units: "512 B", "1.5 KiB", "1.0 GiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit && exp < 5; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// fit shortens s to at most n runes, marking the cut with "…".
func fit(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func pad(s string, width int) string {
	r := []rune(s)
	if len(r) >= width {
		return string(r[:width])
	}
	return s + strings.Repeat(" ", width-len(r))
}
