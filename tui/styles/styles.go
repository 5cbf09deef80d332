// Package styles is the TUI's one style sheet: every colour and text style
// the pages use, built once by DefaultStyles from adaptive light/dark colour
// pairs. View code never builds a lipgloss style of its own.
package styles

import "github.com/charmbracelet/lipgloss"

// Palette colours adapt to light and dark terminal backgrounds. With
// NO_COLOR set (or no colour support) lipgloss renders them as plain text,
// so every meaning they carry is also spelled out in symbols or words.
var (
	accent   = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B9A6FF"}
	muted    = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8C8C8C"}
	good     = lipgloss.AdaptiveColor{Light: "#0B7A2B", Dark: "#5FD787"}
	bad      = lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	warn     = lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#FFC857"}
	selectBg = lipgloss.AdaptiveColor{Light: "#E4DEFF", Dark: "#3A2F6B"}
)

// Styles is the nested style sheet.
type Styles struct {
	// App frames the whole screen.
	Header, Tab, ActiveTab, Network lipgloss.Style
	// StatusLine shows transient results; ErrorLine shows failures.
	StatusLine, ErrorLine, HelpLine lipgloss.Style
	// Title is a page or section title; Muted is secondary text.
	Title, Section, Muted, Label lipgloss.Style
	// Selected is the highlighted row.
	Selected lipgloss.Style
	// Good, Bad and Warn mark outcomes (always next to a symbol or word).
	Good, Bad, Warn lipgloss.Style
	// Badge is the withheld-source badge.
	Badge lipgloss.Style
	// Tally colours the tally bar segments.
	Tally struct{ Yes, No, Undecided, Line lipgloss.Style }
	// Input is a focused form field; Dialog is a confirmation box.
	Input, Dialog lipgloss.Style
}

// DefaultStyles builds the style sheet.
func DefaultStyles() *Styles {
	s := &Styles{}
	s.Header = lipgloss.NewStyle().Bold(true)
	s.Tab = lipgloss.NewStyle().Foreground(muted)
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Network = lipgloss.NewStyle().Foreground(muted)
	s.StatusLine = lipgloss.NewStyle().Foreground(good)
	s.ErrorLine = lipgloss.NewStyle().Foreground(bad).Bold(true)
	s.HelpLine = lipgloss.NewStyle().Foreground(muted)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Section = lipgloss.NewStyle().Bold(true)
	s.Muted = lipgloss.NewStyle().Foreground(muted)
	s.Label = lipgloss.NewStyle().Foreground(muted)
	s.Selected = lipgloss.NewStyle().Background(selectBg).Bold(true)
	s.Good = lipgloss.NewStyle().Foreground(good)
	s.Bad = lipgloss.NewStyle().Foreground(bad)
	s.Warn = lipgloss.NewStyle().Foreground(warn)
	s.Badge = lipgloss.NewStyle().Bold(true).Foreground(warn)
	s.Tally.Yes = lipgloss.NewStyle().Foreground(good)
	s.Tally.No = lipgloss.NewStyle().Foreground(bad)
	s.Tally.Undecided = lipgloss.NewStyle().Foreground(muted)
	s.Tally.Line = lipgloss.NewStyle().Foreground(accent)
	s.Input = lipgloss.NewStyle().Foreground(accent)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(warn).Padding(0, 1)
	return s
}
