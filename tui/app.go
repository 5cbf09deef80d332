package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/tui/common"
)

// App is the root model: a tab bar, the active page, an error or status
// line and the key help. It owns the refresh tick and routes messages.
type App struct {
	common.Common
	pages  []common.Page
	active int
	// back is the page esc on the Detail page returns to.
	back int
	// state holds each page's status message and data age.
	state    []pageState
	network  string
	showHelp bool
	help     help.Model
	deps     Deps
	// clock follows the network's clock (nil: Deps.Now or local time).
	clock *common.Clock
}

// Init implements tea.Model: every page loads, and the tick starts.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.tickCmd(), a.clockCmd(), a.frameCmd()}
	for i, p := range a.pages {
		cmds = append(cmds, scope(i, p.Init()))
	}
	return tea.Batch(cmds...)
}

// tickCmd schedules the next refresh tick.
func (a *App) tickCmd() tea.Cmd {
	if a.deps.Refresh <= 0 {
		return nil
	}
	return tea.Tick(a.deps.Refresh, func(t time.Time) tea.Msg { return common.TickMsg(t) })
}

// clockCmd reads the network's clock (nil without one).
func (a *App) clockCmd() tea.Cmd {
	if a.clock == nil {
		return nil
	}
	read := a.deps.NetworkNow
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		local := time.Now()
		t, err := read(ctx)
		return common.ClockMsg{Network: t, Local: local, Err: err}
	}
}

// clocked records a reading of the network's clock; a failed reading
// keeps the last offset (the pages report the network's errors).
func (a *App) clocked(msg common.ClockMsg) {
	if msg.Err != nil {
		a.Log.Printf("read the network's clock: %v", msg.Err)
		return
	}
	a.clock.Sync(msg.Network, msg.Local)
}

// Update implements tea.Model.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.resize(msg.Width, msg.Height)
		return a, nil
	case common.TickMsg:
		return a, a.refreshAll(tea.Batch(a.tickCmd(), a.clockCmd()))
	case common.ClockMsg:
		if a.clock != nil {
			a.clocked(msg)
		}
		return a, nil
	case frameMsg:
		return a, a.frameCmd()
	case scopedMsg:
		a.record(msg.Page, msg.Msg)
		return a, nil
	case common.StatusMsg, common.ErrorMsg, common.FreshMsg, common.StaleMsg:
		a.record(a.active, msg) // not from a page's command: the page in view
		return a, nil
	case common.OpenProposalMsg:
		return a, a.openProposal(msg)
	case common.BackMsg:
		a.active = a.back
		return a, nil
	case tea.KeyMsg:
		return a, a.handleKeys(msg)
	}
	return a, a.broadcast(msg)
}

// broadcast hands msg to every page: results of commands find the page
// that started them even after the user switched tabs.
func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i, p := range a.pages {
		m, cmd := p.Update(msg)
		a.pages[i] = m.(common.Page)
		cmds = append(cmds, scope(i, cmd))
	}
	return tea.Batch(cmds...)
}

func (a *App) refreshAll(next tea.Cmd) tea.Cmd {
	cmds := []tea.Cmd{next}
	for i, p := range a.pages {
		cmds = append(cmds, scope(i, p.Refresh()))
	}
	return tea.Batch(cmds...)
}

// openProposal shows the Detail page (esc returns to the page before),
// with the message's status on its status line.
func (a *App) openProposal(msg common.OpenProposalMsg) tea.Cmd {
	for i, p := range a.pages {
		if p.Title() != detailTitle {
			continue
		}
		if a.active != i {
			a.back = a.active
		}
		a.active = i
		if msg.Status != "" {
			a.record(i, common.StatusMsg(msg.Status))
		}
	}
	return a.broadcast(msg)
}

// handleKeys splits a burst of typed keys that arrived in one read
// ("jjj", fast key repeat over SSH: one KeyMsg with several runes) into
// single keys, so each one moves, switches or types as if typed alone.
// A paste stays whole.
func (a *App) handleKeys(msg tea.KeyMsg) tea.Cmd {
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 || msg.Paste {
		return a.handleKey(msg)
	}
	cmds := make([]tea.Cmd, 0, len(msg.Runes))
	for _, r := range msg.Runes {
		cmds = append(cmds, a.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
	}
	return tea.Batch(cmds...)
}

func (a *App) handleKey(msg tea.KeyMsg) tea.Cmd {
	page := a.pages[a.active]
	if msg.Type == tea.KeyCtrlC {
		return tea.Quit
	}
	if page.Capturing() {
		return a.updateActive(msg)
	}
	k := a.Keys
	switch {
	case a.showHelp && (key.Matches(msg, k.Help) || key.Matches(msg, k.Back)):
		a.showHelp = false
	case key.Matches(msg, k.Help):
		a.showHelp = true
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.NextPage):
		a.active = (a.active + 1) % len(a.pages)
	case key.Matches(msg, k.PrevPage):
		a.active = (a.active + len(a.pages) - 1) % len(a.pages)
	case key.Matches(msg, k.Proposals, k.Detail, k.Draft, k.Releases, k.Rollback):
		if i := int(msg.Runes[0] - '1'); i < len(a.pages) {
			a.active = i
		}
	case key.Matches(msg, k.Back) && a.errorShown():
		a.state[a.active].note = note{}
	default:
		return a.updateActive(msg)
	}
	return nil
}

func (a *App) updateActive(msg tea.Msg) tea.Cmd {
	m, cmd := a.pages[a.active].Update(msg)
	a.pages[a.active] = m.(common.Page)
	return scope(a.active, cmd)
}

// errorShown reports whether the page in view shows an error message.
func (a *App) errorShown() bool {
	n, ok := a.state[a.active].visibleNote(a.Wall())
	return ok && n.err
}

func (a *App) resize(w, h int) {
	a.Common.SetSize(w, h)
	a.help.Width = w
	for _, p := range a.pages {
		p.SetSize(w, a.bodyHeight())
	}
}

// bodyHeight is the page's share: everything but the tab bar, the
// status line and the help line.
func (a *App) bodyHeight() int { return max(a.Height-3, 1) }

// View implements tea.Model.
func (a *App) View() string {
	if a.Width == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(a.tabBar())
	b.WriteByte('\n')
	if a.showHelp {
		b.WriteString(common.Clip(a.fullHelp(), a.Width, a.bodyHeight()))
	} else {
		b.WriteString(a.pages[a.active].View())
	}
	b.WriteByte('\n')
	b.WriteString(a.statusLine())
	b.WriteByte('\n')
	b.WriteString(a.Styles.HelpLine.Render(common.Fit(a.help.ShortHelpView(a.pages[a.active].ShortHelp()), a.Width)))
	// Every row is cut to the width once more: whatever a page drew, no
	// row can wrap on the terminal and push the tab bar off the screen.
	return common.Clip(b.String(), a.Width, a.Height)
}
