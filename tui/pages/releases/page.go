// Package releases is the Releases page: the selected release's glance
// (targets patched, current batch or stage or canister and its gate, next
// action and when, quiet period, alerts with their age), its election, its
// own structure (GuestOS batches with per-subnet state and health, HostOS
// stages with batches and failed nodes against the tolerance, NNS canisters
// with their proposals and expected against installed module hashes), and
// the release manager's actions: plan, advance, halt, resume and record the
// disclosure, each after a confirmation that names exactly what is
// submitted or recorded, through the governance/rollout functions the CLI
// calls for every release kind (rollout.Tracker's Look, AdvanceRelease,
// PlanRelease, Halt, Resume, Disclose; View.Glance and PreviewAdvance).
// Proposal ids open in the Detail page.
package releases

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/tui/common"
)

// Tracker is what the page needs of a rollout.Tracker: the kind-neutral
// calls, so GuestOS, HostOS and NNS canister releases are read and acted on
// alike.
type Tracker interface {
	Look(ctx context.Context) (*rollout.View, error)
	AdvanceRelease(ctx context.Context) (*rollout.Advanced, error)
	PlanRelease(ctx context.Context, r rollout.PlanRequest) (*rollout.Planned, error)
	Halt(ctx context.Context, reason, actor string) error
	Resume(ctx context.Context, reason, actor string) error
	Disclose(ctx context.Context, sourceURL string, force bool, reason string) (*rollout.Disclosure, error)
}

// Release is one tracked release.
type Release struct {
	// Name labels it (usually the release directory).
	Name    string
	Tracker Tracker
	// Neuron proposes the deploys of an advance (0: advancing is refused).
	Neuron uint64
	// Plan is how `P` plans it: the config's rollout_policy, as `rollout
	// plan` without flags.
	Plan rollout.PlanRequest
}

// StatusMsg carries one release's observed view.
type StatusMsg struct {
	Index int
	View  *rollout.View
	Err   error
}

// AdvancedMsg carries the outcome of an advance.
type AdvancedMsg struct {
	Index  int
	Result *rollout.Advanced
	Err    error
}

// ActedMsg carries the outcome of a plan, halt, resume or disclose: the
// status read after it (what the library says is true now).
type ActedMsg struct {
	Index int
	Kind  ActionKind
	Plan  *rollout.Planned
	Disc  *rollout.Disclosure
	View  *rollout.View
	Err   error
}

// Page is the Releases page.
type Page struct {
	common.Common
	releases []Release
	status   []*rollout.View
	loading  []bool
	scroll   int
	// cursor is the highlighted proposal among those shown (-1: none).
	cursor  int
	act     *action
	sending bool
	mainnet bool
	timeout time.Duration
}

var _ common.Page = (*Page)(nil)

// New returns the page over rs.
func New(c common.Common, rs []Release) *Page {
	return &Page{Common: c.WithPrefix("releases"), releases: append([]Release(nil), rs...),
		status: make([]*rollout.View, len(rs)), loading: make([]bool, len(rs)), timeout: 2 * time.Minute}
}

// SetMainnet marks the network as the Internet Computer mainnet: every
// action then needs "mainnet" typed out at its confirmation.
func (p *Page) SetMainnet(on bool) { p.mainnet = on }

// Title implements common.Page.
func (p *Page) Title() string { return "Releases" }

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return p.act != nil }

// Init implements tea.Model.
func (p *Page) Init() tea.Cmd { return p.Refresh() }

// Refresh observes every release not being observed already.
func (p *Page) Refresh() tea.Cmd {
	var cmds []tea.Cmd
	for i := range p.releases {
		if cmd := p.observe(i); cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

func (p *Page) observe(i int) tea.Cmd {
	if p.loading[i] {
		return nil
	}
	p.loading[i] = true
	return statusCmd(i, p.releases[i].Tracker, p.timeout)
}

// Status returns the selected release's last observed view.
func (p *Page) Status() *rollout.View {
	if i := p.sel(); i < len(p.status) {
		return p.status[i]
	}
	return nil
}

// DisclosureDue returns when the source of version is due to be disclosed,
// as its release's view says (rollout.View.DisclosureDue: never once
// disclosed or while the quiet period is void), whatever its kind.
func (p *Page) DisclosureDue(version string) (time.Time, bool) {
	for _, v := range p.status {
		if v != nil && v.Summary().Version == version {
			return v.DisclosureDue()
		}
	}
	return time.Time{}, false
}

// Update implements tea.Model.
func (p *Page) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case StatusMsg:
		return p, p.observed(msg)
	case AdvancedMsg:
		return p, p.advanced(msg)
	case ActedMsg:
		return p, p.acted(msg)
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
	p.status[msg.Index] = msg.View
	return common.FreshCmd()
}

func (p *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	if p.act != nil {
		return p.handleAction(msg)
	}
	k := p.Keys
	n := len(p.releases)
	switch {
	case n == 0:
		return nil
	case key.Matches(msg, k.NextRelease):
		p.Release.Next(n)
		p.scroll, p.cursor = 0, 0
	case key.Matches(msg, k.PrevRelease):
		p.Release.Prev(n)
		p.scroll, p.cursor = 0, 0
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.Open):
		return p.openProposal()
	case key.Matches(msg, k.Refresh):
		return p.Refresh()
	case p.sending:
		if key.Matches(msg, k.Advance, k.PlanRollout, k.Halt, k.Resume, k.Disclose) {
			return common.StatusCmd("busy: wait for the running action")
		}
	case key.Matches(msg, k.Advance):
		return p.begin(ActAdvance)
	case key.Matches(msg, k.PlanRollout):
		return p.begin(ActPlan)
	case key.Matches(msg, k.Halt):
		return p.begin(ActHalt)
	case key.Matches(msg, k.Resume):
		return p.begin(ActResume)
	case key.Matches(msg, k.Disclose):
		return p.begin(ActDisclose)
	}
	return nil
}

// openProposal opens the highlighted proposal on the Detail page.
func (p *Page) openProposal() tea.Cmd {
	ids := p.proposalIDs()
	if len(ids) == 0 {
		return common.StatusCmd("no proposal of this release to open yet")
	}
	id := ids[min(p.cursor, len(ids)-1)]
	return func() tea.Msg { return common.OpenProposalMsg{ID: id} }
}

// move moves the proposal cursor (scrolling with it), or scrolls when no
// proposal is shown.
func (p *Page) move(d int) {
	if n := len(p.proposalIDs()); n > 0 {
		p.cursor = min(max(p.cursor+d, 0), n-1)
		return
	}
	p.scroll = max(p.scroll+d, 0)
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	k := p.Keys
	switch {
	case p.act != nil && p.act.field != nil && !p.act.confirming:
		return []key.Binding{k.Run, k.LeaveField, k.ClearField}
	case p.act != nil:
		return []key.Binding{k.Confirm, k.Cancel}
	}
	return []key.Binding{k.Advance, k.Halt, k.Resume, k.PlanRollout, k.Disclose, k.Open, k.PrevRelease, k.NextRelease, k.Help}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.Keys
	return [][]key.Binding{{k.Advance, k.PlanRollout, k.Halt, k.Resume, k.Disclose}, {k.Open, k.PrevRelease, k.NextRelease, k.Up, k.Down, k.Refresh}}
}

// sel is the index of the release selected on every page (common.Selection).
func (p *Page) sel() int {
	if p.Release == nil {
		return 0
	}
	return p.Release.Index(len(p.releases))
}
