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
	pages    []common.Page
	active   int
	network  string
	err      *common.ErrorMsg
	status   string
	showHelp bool
	help     help.Model
	deps     Deps
	// clock follows the network's clock (nil: Deps.Now or local time).
	clock *common.Clock
}

// Init implements tea.Model: every page loads, and the tick starts.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.tickCmd(), a.clockCmd()}
	for _, p := range a.pages {
		cmds = append(cmds, p.Init())
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
	case common.ErrorMsg:
		a.err, a.status = &msg, ""
		a.Log.Printf("error: %v", msg)
		return a, nil
	case common.ClearErrorMsg:
		a.err = nil
		return a, nil
	case common.StatusMsg:
		a.status, a.err = string(msg), nil
		return a, nil
	case common.OpenProposalMsg:
		return a, a.openProposal(msg)
	case tea.KeyMsg:
		return a, a.handleKey(msg)
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
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (a *App) refreshAll(next tea.Cmd) tea.Cmd {
	cmds := []tea.Cmd{next}
	for _, p := range a.pages {
		cmds = append(cmds, p.Refresh())
	}
	return tea.Batch(cmds...)
}

func (a *App) openProposal(msg common.OpenProposalMsg) tea.Cmd {
	for i, p := range a.pages {
		if p.Title() == detailTitle {
			a.active = i
		}
	}
	return a.broadcast(msg)
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
	case key.Matches(msg, k.Back) && a.err != nil:
		a.err = nil
	default:
		return a.updateActive(msg)
	}
	return nil
}

func (a *App) updateActive(msg tea.Msg) tea.Cmd {
	m, cmd := a.pages[a.active].Update(msg)
	a.pages[a.active] = m.(common.Page)
	return cmd
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
	return b.String()
}
