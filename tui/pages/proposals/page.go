// Package proposals is the Proposals page: the newest proposals (L loads
// older ones) with their topic, a live tally bar, the wait-for-quiet
// countdown and a marker for open proposals the neurons in use have not
// voted on, filtered by topic and status, searchable, and a jump to any
// proposal id (# then the id).
package proposals

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/tui/common"
)

// Lister is what the page needs of governance.
type Lister interface {
	ListProposals(ctx context.Context, o governance.ListOptions) ([]governance.Proposal, error)
}

// LoadedMsg carries a fresh listing. Older is true for a page of older
// proposals (L), which is added below the listing; Limit is how many were
// asked for (a full page means older ones may exist).
type LoadedMsg struct {
	Proposals []governance.Proposal
	Older     bool
	Limit     int
}

// statuses are the status filter's choices, in cycling order (0: all).
var statuses = []governance.Status{0, governance.StatusOpen, governance.StatusAdopted,
	governance.StatusExecuted, governance.StatusRejected, governance.StatusFailed}

// Page is the Proposals page.
type Page struct {
	common.Common
	src     Lister
	limit   int // proposals per load
	want    int // proposals the listing holds: limit times the loads
	neurons []uint64
	timeout time.Duration

	props   []governance.Proposal
	rows    []row
	visible []int // indices into rows after filtering
	cursor  int   // index into visible
	offset  int   // first visible index drawn

	topics    []governance.Topic // topics present, for the filter
	topic     int                // index into topics+1 (0: all)
	status    int                // index into statuses
	search    textinput.Model
	searching bool
	jump      textinput.Model
	jumping   bool
	loading   bool
	loaded    bool
	// more is true when the last load was full: older proposals may exist.
	more bool
}

var _ common.Page = (*Page)(nil)

// New returns the page listing the newest limit proposals from src (L
// loads limit more each time), marking those neurons have not voted on.
func New(c common.Common, src Lister, limit int, neurons []uint64) *Page {
	ti := textinput.New()
	ti.Cursor.SetMode(cursor.CursorStatic) // no blink ticks: a steady cursor
	ti.Prompt = "/"
	ti.Placeholder = "search title or id"
	ti.CharLimit = 100
	jump := textinput.New()
	jump.Cursor.SetMode(cursor.CursorStatic)
	jump.Prompt = "go to proposal #"
	jump.Placeholder = "id, enter"
	jump.CharLimit = 20
	jump.Validate = digitsOnly
	return &Page{Common: c.WithPrefix("proposals"), src: src, limit: limit, want: limit, search: ti, jump: jump,
		neurons: append([]uint64(nil), neurons...), timeout: 30 * time.Second}
}

func digitsOnly(s string) error {
	if _, err := strconv.ParseUint(s, 10, 64); err != nil && s != "" {
		return errors.New("digits only")
	}
	return nil
}

// Title implements common.Page.
func (p *Page) Title() string { return "Proposals" }

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return p.searching || p.jumping }

// SetSize implements common.Component; rows are laid out again for the
// new width.
func (p *Page) SetSize(w, h int) {
	old := p.Width
	p.Common.SetSize(w, h)
	p.search.Width = max(w-10, 10)
	p.jump.Width = max(w-len(p.jump.Prompt)-2, 10)
	if old != w && len(p.rows) > 0 {
		p.relayout()
	}
	p.clampScroll()
}

// Init implements tea.Model.
func (p *Page) Init() tea.Cmd { return p.Refresh() }

// Refresh fetches the listing (as many proposals as it holds) unless a
// fetch is under way.
func (p *Page) Refresh() tea.Cmd {
	if p.loading || p.src == nil {
		return nil
	}
	p.loading = true
	return fetchProposalsCmd(p.src, governance.ListOptions{Limit: p.want}, false, p.timeout)
}

// loadOlder fetches the next limit proposals below the oldest listed.
func (p *Page) loadOlder() tea.Cmd {
	if p.loading || p.src == nil || !p.more || len(p.props) == 0 {
		return nil
	}
	p.loading = true
	oldest := p.props[len(p.props)-1].ID
	return fetchProposalsCmd(p.src, governance.ListOptions{Limit: p.limit, Before: oldest}, true, p.timeout)
}

// fetchProposalsCmd lists proposals; its inputs are copied by value.
func fetchProposalsCmd(src Lister, o governance.ListOptions, older bool, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		ps, err := src.ListProposals(ctx, o)
		if err != nil {
			return fetchFailedMsg{err}
		}
		return LoadedMsg{Proposals: ps, Older: older, Limit: o.Limit}
	}
}

type fetchFailedMsg struct{ err error }

// Update implements tea.Model.
func (p *Page) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		p.loading = false
		p.take(msg)
		return p, common.FreshCmd()
	case fetchFailedMsg:
		p.loading = false
		p.Log.Printf("list proposals: %v", msg.err)
		return p, common.StaleCmd("list proposals", msg.err)
	case tea.KeyMsg:
		switch {
		case p.searching:
			return p, p.handleSearchKey(msg)
		case p.jumping:
			return p, p.handleJumpKey(msg)
		}
		return p, p.handleKey(msg)
	}
	return p, nil
}

// take takes a listing in: a refresh replaces the listing, a page of
// older proposals goes below it.
func (p *Page) take(msg LoadedMsg) {
	if msg.Limit > 0 {
		p.more = len(msg.Proposals) >= msg.Limit
	}
	if !msg.Older {
		p.SetProposals(msg.Proposals)
		return
	}
	p.want = len(p.props) + len(msg.Proposals)
	p.SetProposals(append(slices.Clone(p.props), msg.Proposals...))
}

// SetProposals replaces the listing, keeping the selected proposal selected.
func (p *Page) SetProposals(ps []governance.Proposal) {
	sel, hasSel := p.Selected()
	p.loaded = true
	p.props = ps
	p.rows = make([]row, len(ps))
	seen := map[governance.Topic]bool{}
	p.topics = p.topics[:0]
	for i, pr := range ps {
		p.rows[i] = newRow(pr, p.Width, p.neurons)
		if !seen[pr.Topic] {
			seen[pr.Topic] = true
			p.topics = append(p.topics, pr.Topic)
		}
	}
	slices.Sort(p.topics)
	p.applyFilter()
	if hasSel {
		p.selectID(sel)
	}
}

// relayout lays every row out again for a new width (rare: a resize).
func (p *Page) relayout() {
	for i := range p.rows {
		p.rows[i] = newRow(p.props[i], p.Width, p.neurons)
	}
}

// Selected returns the id of the proposal under the cursor.
func (p *Page) Selected() (uint64, bool) {
	if p.cursor < 0 || p.cursor >= len(p.visible) {
		return 0, false
	}
	return p.rows[p.visible[p.cursor]].id, true
}

func (p *Page) selectID(id uint64) {
	for i, ri := range p.visible {
		if p.rows[ri].id == id {
			p.cursor = i
			break
		}
	}
	p.clampScroll()
}

// Filter describes the active filters in one line.
func (p *Page) Filter() string {
	topic := "all"
	if p.topic > 0 && p.topic <= len(p.topics) {
		topic = p.topics[p.topic-1].String()
	}
	status := "all"
	if p.status > 0 {
		status = statuses[p.status].String()
	}
	return fmt.Sprintf("topic: %s · status: %s", topic, status)
}

func (p *Page) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(p.search.Value()))
	p.visible = p.visible[:0]
	for i := range p.rows {
		r := &p.rows[i]
		if p.topic > 0 && p.topic <= len(p.topics) && r.topic != p.topics[p.topic-1] {
			continue
		}
		if p.status > 0 && r.status != statuses[p.status] {
			continue
		}
		if q != "" && !strings.Contains(r.key, q) {
			continue
		}
		p.visible = append(p.visible, i)
	}
	p.clampScroll()
}

func (p *Page) handleSearchKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		p.searching = false
		p.search.Blur()
		return nil
	case tea.KeyEsc:
		p.searching = false
		p.search.Blur()
		p.search.SetValue("")
		p.applyFilter()
		return nil
	}
	cmd := common.Edit(&p.search, msg)
	p.applyFilter()
	return cmd
}

// handleJumpKey edits the id to go to; enter selects it in the listing
// (clearing filters that hide it) or, when it is not listed, opens it on
// the Detail page, which fetches it.
func (p *Page) handleJumpKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		p.jumping = false
		p.jump.Blur()
		return nil
	case tea.KeyEnter:
		p.jumping = false
		p.jump.Blur()
		id, err := strconv.ParseUint(p.jump.Value(), 10, 64)
		if err != nil {
			return nil
		}
		return p.goTo(id)
	}
	return common.Edit(&p.jump, msg)
}

// goTo selects proposal id, or opens it when the listing lacks it.
func (p *Page) goTo(id uint64) tea.Cmd {
	listed := slices.ContainsFunc(p.rows, func(r row) bool { return r.id == id })
	if !listed {
		return func() tea.Msg { return common.OpenProposalMsg{ID: id} }
	}
	if sel, _ := p.Selected(); sel != id {
		p.selectID(id)
	}
	if sel, _ := p.Selected(); sel != id { // filtered out: show everything
		p.topic, p.status = 0, 0
		p.search.SetValue("")
		p.applyFilter()
		p.selectID(id)
	}
	return nil
}

func (p *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := p.Keys
	switch {
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.PageUp):
		p.move(-p.listHeight())
	case key.Matches(msg, k.PageDown):
		p.move(p.listHeight())
	case key.Matches(msg, k.Home):
		p.move(-len(p.visible))
	case key.Matches(msg, k.End):
		p.move(len(p.visible))
	case key.Matches(msg, k.Search):
		p.searching = true
		return p.search.Focus()
	case key.Matches(msg, k.Jump):
		p.jumping = true
		p.jump.SetValue("")
		return p.jump.Focus()
	case key.Matches(msg, k.More):
		return p.loadOlder()
	case key.Matches(msg, k.Topic):
		p.topic = (p.topic + 1) % (len(p.topics) + 1)
		p.applyFilter()
	case key.Matches(msg, k.Status):
		p.status = (p.status + 1) % len(statuses)
		p.applyFilter()
	case key.Matches(msg, k.ClearFilter):
		p.topic, p.status = 0, 0
		p.search.SetValue("")
		p.applyFilter()
	case key.Matches(msg, k.Refresh):
		return p.Refresh()
	case key.Matches(msg, k.Open):
		if id, ok := p.Selected(); ok {
			return func() tea.Msg { return common.OpenProposalMsg{ID: id} }
		}
	}
	return nil
}

func (p *Page) move(d int) {
	p.cursor += d
	p.clampScroll()
}

// listHeight is the number of rows drawn: the page minus the filter and
// column header lines.
func (p *Page) listHeight() int { return max(p.Height-2, 1) }

func (p *Page) clampScroll() {
	p.cursor = min(max(p.cursor, 0), max(len(p.visible)-1, 0))
	h := p.listHeight()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	p.offset = max(min(p.offset, len(p.visible)-h), 0)
}
