// Package releases is the Releases page: each tracked release's election
// status, its rollout batches with per-subnet state and health, what blocks
// progress, the quiet-period countdown, and advancing the rollout after a
// confirmation (through governance/rollout).
package releases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/tui/common"
)

// Tracker is what the page needs of a rollout.Tracker.
type Tracker interface {
	Status(ctx context.Context) (*rollout.Status, error)
	Advance(ctx context.Context) (*rollout.AdvanceResult, error)
}

// Release is one tracked release.
type Release struct {
	// Name labels it (usually the release directory).
	Name    string
	Tracker Tracker
}

// StatusMsg carries one release's observed status.
type StatusMsg struct {
	Index  int
	Status *rollout.Status
	Err    error
}

// AdvancedMsg carries the outcome of an advance.
type AdvancedMsg struct {
	Index  int
	Result *rollout.AdvanceResult
	Err    error
}

// Page is the Releases page.
type Page struct {
	common.Common
	releases []Release
	status   []*rollout.Status
	loading  []bool
	scroll   int
	confirm  bool
	sending  bool
	timeout  time.Duration
}

var _ common.Page = (*Page)(nil)

// New returns the page over rs.
func New(c common.Common, rs []Release) *Page {
	return &Page{Common: c.WithPrefix("releases"), releases: append([]Release(nil), rs...),
		status: make([]*rollout.Status, len(rs)), loading: make([]bool, len(rs)), timeout: 2 * time.Minute}
}

// Title implements common.Page.
func (p *Page) Title() string { return "Releases" }

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return p.confirm }

// Init implements tea.Model.
func (p *Page) Init() tea.Cmd { return p.Refresh() }

// Refresh observes every release not being observed already.
func (p *Page) Refresh() tea.Cmd {
	var cmds []tea.Cmd
	for i, r := range p.releases {
		if !p.loading[i] {
			p.loading[i] = true
			cmds = append(cmds, statusCmd(i, r.Tracker, p.timeout))
		}
	}
	return tea.Batch(cmds...)
}

// Status returns the selected release's last observed status.
func (p *Page) Status() *rollout.Status {
	if p.sel() < len(p.status) {
		return p.status[p.sel()]
	}
	return nil
}

// DisclosureDue returns when the source of version is due to be disclosed:
// the end of its release's quiet period, once it started.
func (p *Page) DisclosureDue(version string) (time.Time, bool) {
	for _, st := range p.status {
		if st != nil && st.Version == version && st.Quiet.Started {
			return st.Quiet.End, true
		}
	}
	return time.Time{}, false
}

func statusCmd(i int, t Tracker, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		st, err := t.Status(ctx)
		return StatusMsg{Index: i, Status: st, Err: err}
	}
}

func advanceCmd(i int, t Tracker, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		res, err := t.Advance(ctx)
		return AdvancedMsg{Index: i, Result: res, Err: err}
	}
}

// Update implements tea.Model.
func (p *Page) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case StatusMsg:
		return p, p.observed(msg)
	case AdvancedMsg:
		return p, p.advanced(msg)
	case tea.KeyMsg:
		return p, p.handleKey(msg)
	}
	return p, nil
}

func (p *Page) observed(msg StatusMsg) tea.Cmd {
	if msg.Index >= len(p.releases) {
		return nil
	}
	p.loading[msg.Index] = false
	if msg.Err != nil {
		p.Log.Printf("status of %s: %v", p.releases[msg.Index].Name, msg.Err)
		return common.StaleCmd("release "+p.releases[msg.Index].Name, msg.Err)
	}
	p.status[msg.Index] = msg.Status
	return common.FreshCmd()
}

func (p *Page) advanced(msg AdvancedMsg) tea.Cmd {
	p.sending = false
	name := common.Short(p.releases[msg.Index].Name, 12)
	if msg.Result != nil && msg.Result.Status != nil {
		p.status[msg.Index] = msg.Result.Status
	}
	var wait *rollout.WaitError
	switch {
	case errors.As(msg.Err, &wait):
		return common.StatusCmd("nothing to advance yet: " + strings.Join(wait.Reasons, "; "))
	case msg.Err != nil:
		p.Log.Printf("advance %s: %v", name, msg.Err)
		return common.ErrorCmd("advance "+name, msg.Err)
	}
	var ids []string
	for _, s := range msg.Result.Submitted {
		ids = append(ids, fmt.Sprintf("#%d (%s %s)", s.Proposal, s.Kind, common.Short(s.Subnet, 5)))
	}
	p.Log.Printf("advance %s: submitted %v", name, ids)
	return common.StatusCmd(fmt.Sprintf("advanced %s: submitted %s", name, strings.Join(ids, ", ")))
}

func (p *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := p.Keys
	if p.confirm {
		switch {
		case key.Matches(msg, k.Confirm):
			p.confirm, p.sending = false, true
			return advanceCmd(p.sel(), p.releases[p.sel()].Tracker, p.timeout)
		case key.Matches(msg, k.Cancel):
			p.confirm = false
			return common.StatusCmd("advance cancelled, nothing sent")
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.NextRelease) && len(p.releases) > 0:
		p.Release.Next(len(p.releases))
		p.scroll = 0
	case key.Matches(msg, k.PrevRelease) && len(p.releases) > 0:
		p.Release.Prev(len(p.releases))
		p.scroll = 0
	case key.Matches(msg, k.Up):
		p.scroll = max(p.scroll-1, 0)
	case key.Matches(msg, k.Down):
		p.scroll++
	case key.Matches(msg, k.Refresh):
		return p.Refresh()
	case key.Matches(msg, k.Advance) && len(p.releases) > 0 && !p.sending:
		p.confirm = true
	}
	return nil
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	k := p.Keys
	if p.confirm {
		return []key.Binding{k.Confirm, k.Cancel}
	}
	return []key.Binding{k.Advance, k.PrevRelease, k.NextRelease, k.Up, k.Down, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.Keys
	return [][]key.Binding{{k.Advance, k.PrevRelease, k.NextRelease, k.Up, k.Down, k.Refresh}}
}

// sel is the index of the release selected on every page (common.Selection).
func (p *Page) sel() int {
	if p.Release == nil {
		return 0
	}
	return p.Release.Index(len(p.releases))
}
