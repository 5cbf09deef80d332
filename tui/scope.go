package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/tui/common"
)

// How long a status message stays on its page's status line: a success
// note briefly, an error longer (esc dismisses it sooner).
const (
	statusTTL = 6 * time.Second
	errorTTL  = 30 * time.Second
)

// scopedMsg is a message for the status line produced by a command of
// page Page: it stays with that page.
type scopedMsg struct {
	Page int
	Msg  tea.Msg
}

// scope tags the status-line messages cmd produces with page, also those
// of the commands inside a batch.
func scope(page int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch m := cmd().(type) {
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(m))
			for i, c := range m {
				out[i] = scope(page, c)
			}
			return out
		case common.StatusMsg, common.ErrorMsg, common.FreshMsg, common.StaleMsg:
			return scopedMsg{Page: page, Msg: m}
		default:
			return m
		}
	}
}

// note is a page's last status message.
type note struct {
	text  string
	err   bool
	until time.Time
}

// pageState is what the root keeps for each page: its last message and
// how old and how healthy its data is.
type pageState struct {
	note note
	// loaded is when the page's data last loaded (zero: never).
	loaded time.Time
	// stale is the error of the last refresh, until one succeeds.
	stale *common.StaleMsg
}

// visibleNote returns the page's message unless it expired.
func (s *pageState) visibleNote(now time.Time) (note, bool) {
	if s.note.text == "" || !now.Before(s.note.until) {
		return note{}, false
	}
	return s.note, true
}

// record keeps a status-line message with its page.
func (a *App) record(page int, msg tea.Msg) {
	if page < 0 || page >= len(a.state) {
		return
	}
	s, now := &a.state[page], a.Wall()
	switch m := msg.(type) {
	case common.StatusMsg:
		s.note = note{text: string(m), until: now.Add(statusTTL)}
	case common.ErrorMsg:
		a.Log.Printf("error on %s: %v", a.pages[page].Title(), m)
		s.note = note{text: m.Error(), err: true, until: now.Add(errorTTL)}
	case common.FreshMsg:
		s.loaded, s.stale = now, nil
	case common.StaleMsg:
		a.Log.Printf("refresh of %s failed: %v", a.pages[page].Title(), m)
		s.stale = &m
	}
}

// frameMsg redraws the screen once a second, so ages count up and status
// messages expire without a key press.
type frameMsg struct{}

func (a *App) frameCmd() tea.Cmd {
	if a.deps.Refresh <= 0 {
		return nil
	}
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return frameMsg{} })
}
