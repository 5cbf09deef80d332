// Package common holds what every TUI component shares: the Common value
// (size, styles, keymap, logger, clocks), the Component interface, the
// messages the root handles (status, error, fresh and stale data, open a
// proposal, back), the one width measure of text (Width, Truncate, Pad,
// Wrap), text-field editing, the URL opener and small text helpers.
package common

import (
	"io"
	"log"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/tui/keymap"
	"github.com/nnspatch/nnspatch/tui/styles"
)

// Common is embedded by every component.
type Common struct {
	// Width and Height are the component's size in cells.
	Width, Height int
	// Styles is the shared style sheet.
	Styles *styles.Styles
	// Keys is the shared keymap.
	Keys *keymap.KeyMap
	// Log writes to the TUI's log file (never to the terminal).
	Log *log.Logger
	// Now is the clock countdowns are measured against.
	Now func() time.Time
	// Wall is the local clock: the age of data and the expiry of status
	// messages are measured with it.
	Wall func() time.Time
	// Release is the release selected on every page (shared by copies).
	Release *Selection
}

// New returns a Common with the default styles and keymap, logging to w
// (nil discards) and measuring time with now (nil means time.Now).
func New(w io.Writer, now func() time.Time) Common {
	if w == nil {
		w = io.Discard
	}
	if now == nil {
		now = time.Now
	}
	return Common{Styles: styles.DefaultStyles(), Keys: keymap.DefaultKeyMap(),
		Log: log.New(w, "ui ", log.LstdFlags|log.Lmsgprefix), Now: now, Wall: time.Now, Release: &Selection{}}
}

// WithPrefix returns a copy of c whose logger prefixes lines with
// "ui.<name> ", so the log says which component wrote it.
func (c Common) WithPrefix(name string) Common {
	c.Log = log.New(c.Log.Writer(), "ui."+name+" ", c.Log.Flags())
	return c
}

// SetSize records the component's size.
func (c *Common) SetSize(w, h int) { c.Width, c.Height = w, h }

// Component is what every page and component implements.
type Component interface {
	tea.Model
	help.KeyMap
	// SetSize gives the component its size in cells.
	SetSize(width, height int)
}

// Page is a Component the root shows as a tab.
type Page interface {
	Component
	// Title is the tab's name.
	Title() string
	// Capturing reports whether the page consumes every key (a text input
	// or a confirmation has focus), so the root must not act on page or
	// quit keys.
	Capturing() bool
	// Refresh returns the command that reloads the page's data (nil when
	// a load is under way or the page has nothing to load).
	Refresh() tea.Cmd
}

// Messages to the root. A page returns them from its commands; the root
// knows which page's command produced one and keeps it with that page, so
// a page's status and errors show only on that page.

// ErrorMsg reports a failed action (a vote, a submission); the root shows
// it on the page's status line until it expires or esc dismisses it, and
// the app keeps running.
type ErrorMsg struct {
	// Op says what failed, e.g. "vote yes on 1041".
	Op  string
	Err error
}

// Error implements error.
func (e ErrorMsg) Error() string { return e.Op + ": " + e.Err.Error() }

// ErrorCmd returns a command that reports err as an ErrorMsg.
func ErrorCmd(op string, err error) tea.Cmd {
	return func() tea.Msg { return ErrorMsg{Op: op, Err: err} }
}

// StatusMsg is a one-line success or progress note for the page's status
// line; it expires after a few seconds.
type StatusMsg string

// StatusCmd returns a command that shows s on the page's status line.
func StatusCmd(s string) tea.Cmd { return func() tea.Msg { return StatusMsg(s) } }

// FreshMsg tells the root the page's data was just loaded: the age on its
// status line starts again from zero and a stale mark goes.
type FreshMsg struct{}

// ClearErrorMsg is the former name of FreshMsg.
type ClearErrorMsg = FreshMsg

// FreshCmd returns a command that reports a successful load.
func FreshCmd() tea.Cmd { return func() tea.Msg { return FreshMsg{} } }

// StaleMsg tells the root a refresh of the page's data failed: the page
// keeps what it shows, and its status line marks it stale with the error
// until a refresh succeeds.
type StaleMsg struct {
	// Op says what failed, e.g. "list proposals".
	Op  string
	Err error
}

// Error implements error.
func (e StaleMsg) Error() string { return e.Op + ": " + e.Err.Error() }

// StaleCmd returns a command that reports a failed refresh.
func StaleCmd(op string, err error) tea.Cmd {
	return func() tea.Msg { return StaleMsg{Op: op, Err: err} }
}

// OpenProposalMsg asks the root to show proposal ID on the detail page;
// Status, when set, goes to the detail page's status line (e.g. "submitted
// proposal #2001" after the Draft page submitted it).
type OpenProposalMsg struct {
	ID     uint64
	Status string
}

// BackMsg asks the root to go back to the page the user came from.
type BackMsg struct{}

// TickMsg is the root's refresh tick; pages refresh their data on it.
type TickMsg time.Time

// Clock is the local clock shifted to the network's time as last read, so
// countdowns follow the network (a local network's virtual clock) without
// a network call per frame. Safe for concurrent use.
type Clock struct{ offset atomic.Int64 }

// Now returns the network's time, as far as the clock knows it.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Sync records that the network read network when the local clock read
// local.
func (c *Clock) Sync(network, local time.Time) { c.offset.Store(int64(network.Sub(local))) }

// ClockMsg carries a reading of the network's clock.
type ClockMsg struct {
	Network, Local time.Time
	Err            error
}

// Picker draws a one-line chooser, "label [selected]  other", shortening
// the names until the line fits width (down to 8 characters each).
func Picker(s *styles.Styles, label string, names []string, sel, width int) string {
	for n := 64; ; n -= 4 {
		parts, plain := make([]string, len(names)), Width(label)
		for i, name := range names {
			short := Short(name, n)
			plain += Width(short) + 3
			if i == sel {
				parts[i] = s.ActiveTab.Render("[" + short + "]")
			} else {
				parts[i] = " " + short + " "
			}
		}
		if plain <= width || n <= 8 {
			return label + strings.Join(parts, " ")
		}
	}
}
