// Package proposal is the proposal detail page: the decoded payload, the
// source badge of a security patch (withheld with its disclosure deadline,
// or disclosed with its date and source once the release ledger records
// it), the tally with its quorum and majority lines, the wait-for-quiet
// deadline, verifying an artifact against the payload's checksum (with a
// progress bar), voting with a confirmation, and opening the proposal on
// the dashboard. Everything wraps to the width (a hash is never cut) and
// scrolls; esc goes back to the page it was opened from.
package proposal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/components/hasher"
)

// Source is what the page needs of governance.
type Source interface {
	GetProposal(ctx context.Context, id uint64) (*governance.Proposal, error)
	VoteMany(ctx context.Context, neurons []uint64, proposal uint64, v governance.Vote) []governance.VoteResult
}

// DisclosureFunc returns when the source of an elected version is due to
// be disclosed, when a tracked release knows it.
type DisclosureFunc func(version string) (time.Time, bool)

// LoadedMsg carries the proposal shown and what its release ledger says of
// its disclosure.
type LoadedMsg struct {
	Proposal   *governance.Proposal
	Disclosure rollout.DisclosureView
}

// Options are the page's optional inputs.
type Options struct {
	// Disclosure reads what the release ledger says of a proposal's
	// disclosure (file I/O, so it runs inside the load command); nil:
	// nothing is known.
	Disclosure func(governance.Proposal) rollout.DisclosureView
	// DisclosureDue is the disclosure deadline of a version a tracked
	// release knows, used when the ledger gives none (nil: none).
	DisclosureDue DisclosureFunc
	// OpenURL opens a URL in a browser (nil: common.OpenURL, the platform's
	// opener).
	OpenURL func(url string) error
	// Hash tunes artifact hashing.
	Hash artifact.Options
}

// DashboardURL is proposal id's page on the IC dashboard.
func DashboardURL(id uint64) string {
	return fmt.Sprintf("https://dashboard.internetcomputer.org/proposal/%d", id)
}

// openedMsg reports the outcome of opening a URL.
type openedMsg struct {
	url string
	err error
}

// VotedMsg carries the outcome of a vote, one result per neuron.
type VotedMsg struct {
	Proposal uint64
	Vote     governance.Vote
	Results  []governance.VoteResult
}

type loadFailedMsg struct {
	id  uint64
	err error
	// refresh is true when the proposal was shown already.
	refresh bool
}

type mode int

const (
	modeView mode = iota
	modeConfirmVote
	modeVerifyInput
	modeVoting
)

// Page is the proposal detail page.
type Page struct {
	common.Common
	src     Source
	neurons []uint64
	opts    Options
	timeout time.Duration

	id      uint64
	prop    *governance.Proposal
	disc    rollout.DisclosureView
	fields  []proposals.Field
	decErr  error
	loading bool
	scroll  int

	mode    mode
	vote    governance.Vote
	input   textinput.Model
	hash    *hasher.Hasher
	verdict string // result of the last verification
	verOK   bool
}

var _ common.Page = (*Page)(nil)

// New returns the page voting with neurons.
func New(c common.Common, src Source, neurons []uint64, o Options) *Page {
	ti := textinput.New()
	ti.Cursor.SetMode(cursor.CursorStatic) // no blink ticks: a steady cursor
	ti.Prompt = "artifact (file or URL): "
	ti.CharLimit = 2048
	if o.OpenURL == nil {
		o.OpenURL = common.OpenURL
	}
	return &Page{Common: c.WithPrefix("proposal"), src: src, neurons: append([]uint64(nil), neurons...),
		opts: o, timeout: 2 * time.Minute, input: ti, hash: hasher.New(c.Now)}
}

// Title implements common.Page.
func (p *Page) Title() string { return "Detail" }

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return p.mode == modeConfirmVote || p.mode == modeVerifyInput }

// SetSize implements common.Component.
func (p *Page) SetSize(w, h int) {
	p.Common.SetSize(w, h)
	p.input.Width = max(w-len(p.input.Prompt)-2, 10)
}

// Init implements tea.Model.
func (p *Page) Init() tea.Cmd { return nil }

// Refresh reloads the proposal shown.
func (p *Page) Refresh() tea.Cmd {
	if p.id == 0 && p.prop == nil || p.loading || p.src == nil {
		return nil
	}
	p.loading = true
	return getProposalCmd(p.src, p.id, p.opts.Disclosure, p.prop != nil, p.timeout)
}

// Proposal returns the proposal shown (nil before one loaded).
func (p *Page) Proposal() *governance.Proposal { return p.prop }

// getProposalCmd fetches proposal id and reads its release ledger;
// refresh says the proposal is shown already (a failure makes it stale).
func getProposalCmd(src Source, id uint64, disclosure func(governance.Proposal) rollout.DisclosureView, refresh bool, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		pr, err := src.GetProposal(ctx, id)
		if err != nil {
			return loadFailedMsg{id: id, err: err, refresh: refresh}
		}
		msg := LoadedMsg{Proposal: pr}
		if disclosure != nil {
			msg.Disclosure = disclosure(*pr)
		}
		return msg
	}
}

func openURLCmd(open func(string) error, url string) tea.Cmd {
	return func() tea.Msg { return openedMsg{url: url, err: open(url)} }
}

func voteCmd(src Source, neurons []uint64, id uint64, v governance.Vote, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return VotedMsg{Proposal: id, Vote: v, Results: src.VoteMany(ctx, neurons, id, v)}
	}
}

// Update implements tea.Model.
func (p *Page) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, done := p.hash.Update(msg); cmd != nil || done != nil {
		if done != nil {
			p.verify(*done)
		}
		return p, cmd
	}
	switch msg := msg.(type) {
	case common.OpenProposalMsg:
		p.open(msg.ID)
		p.loading = true
		return p, getProposalCmd(p.src, msg.ID, p.opts.Disclosure, false, p.timeout)
	case LoadedMsg:
		if msg.Proposal == nil || msg.Proposal.ID != p.id {
			return p, nil
		}
		p.loading = false
		p.SetProposal(msg.Proposal)
		p.disc = msg.Disclosure
		return p, common.FreshCmd()
	case loadFailedMsg:
		if msg.id != p.id {
			return p, nil
		}
		p.loading = false
		p.Log.Printf("get proposal %d: %v", msg.id, msg.err)
		op := fmt.Sprintf("get proposal %d", msg.id)
		if msg.refresh {
			return p, common.StaleCmd(op, msg.err)
		}
		return p, common.ErrorCmd(op, msg.err)
	case openedMsg:
		if msg.err != nil {
			p.Log.Printf("open %s: %v", msg.url, msg.err)
			return p, common.StatusCmd(fmt.Sprintf("%s (%v)", msg.url, msg.err))
		}
		return p, common.StatusCmd("opened " + msg.url)
	case VotedMsg:
		return p, p.voted(msg)
	case tea.KeyMsg:
		return p, p.handleKey(msg)
	}
	return p, nil
}

func (p *Page) open(id uint64) {
	if id != p.id {
		p.prop, p.fields, p.decErr, p.scroll, p.verdict = nil, nil, nil, 0, ""
		p.disc = rollout.DisclosureView{}
		p.hash.Stop()
	}
	p.id, p.mode = id, modeView
}

// SetProposal shows pr and decodes its payload.
func (p *Page) SetProposal(pr *governance.Proposal) {
	if pr.ID != p.id {
		p.disc = rollout.DisclosureView{}
	}
	p.id, p.prop = pr.ID, pr
	p.fields, p.decErr = nil, nil
	if pr.Action.Kind == "ExecuteNnsFunction" && len(pr.Action.Payload) > 0 {
		p.fields, p.decErr = proposals.DescribePayload(pr.Action.NNSFunction, pr.Action.Payload)
	}
}

func (p *Page) voted(msg VotedMsg) tea.Cmd {
	p.mode = modeView
	var ok, failed []string
	var errs []error
	for _, r := range msg.Results {
		if r.Err != nil {
			failed = append(failed, fmt.Sprint(r.Neuron))
			errs = append(errs, fmt.Errorf("neuron %d: %w", r.Neuron, r.Err))
			continue
		}
		ok = append(ok, fmt.Sprintf("%d %s", r.Neuron, r.Outcome))
	}
	p.Log.Printf("vote %s on %d: ok=%v failed=%v", msg.Vote, msg.Proposal, ok, failed)
	refresh := getProposalCmd(p.src, msg.Proposal, p.opts.Disclosure, true, p.timeout)
	p.loading = true
	if len(errs) > 0 {
		return tea.Batch(refresh, common.ErrorCmd(fmt.Sprintf("vote %s on %d", msg.Vote, msg.Proposal), errors.Join(errs...)))
	}
	return tea.Batch(refresh, common.StatusCmd(fmt.Sprintf("voted %s on #%d: neuron %s", msg.Vote, msg.Proposal, strings.Join(ok, ", "))))
}

func (p *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	switch p.mode {
	case modeConfirmVote:
		return p.handleConfirm(msg)
	case modeVerifyInput:
		return p.handleVerifyInput(msg)
	}
	k := p.Keys
	page := max(p.bodyHeight()-1, 1)
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return common.BackMsg{} }
	case key.Matches(msg, k.Up):
		p.scroll = max(p.scroll-1, 0)
	case key.Matches(msg, k.Down):
		p.scroll++
	case key.Matches(msg, k.PageUp):
		p.scroll = max(p.scroll-page, 0)
	case key.Matches(msg, k.PageDown):
		p.scroll += page
	case key.Matches(msg, k.Home):
		p.scroll = 0
	case key.Matches(msg, k.End):
		p.scroll = 1 << 30 // the view clamps it to the last screen
	case key.Matches(msg, k.Refresh):
		return p.Refresh()
	case p.prop == nil:
		return nil
	case key.Matches(msg, k.OpenURL):
		return openURLCmd(p.opts.OpenURL, DashboardURL(p.prop.ID))
	case key.Matches(msg, k.VoteYes), key.Matches(msg, k.VoteNo):
		return p.askVote(msg)
	case key.Matches(msg, k.Verify):
		if p.hash.Running() {
			return nil
		}
		p.mode = modeVerifyInput
		return p.input.Focus()
	}
	return nil
}

func (p *Page) askVote(msg tea.KeyMsg) tea.Cmd {
	switch {
	case p.prop.Status != governance.StatusOpen:
		return common.ErrorCmd(fmt.Sprintf("vote on %d", p.prop.ID), fmt.Errorf("proposal is %s; only open proposals take votes", p.prop.Status))
	case len(p.neurons) == 0:
		return common.ErrorCmd(fmt.Sprintf("vote on %d", p.prop.ID), errors.New("no neuron configured; start with --neuron or set neuron in the config"))
	}
	p.vote = governance.VoteYes
	if key.Matches(msg, p.Keys.VoteNo) {
		p.vote = governance.VoteNo
	}
	p.mode = modeConfirmVote
	return nil
}

func (p *Page) handleConfirm(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.Keys.Confirm):
		p.mode = modeVoting
		return voteCmd(p.src, p.neurons, p.prop.ID, p.vote, p.timeout)
	case key.Matches(msg, p.Keys.Cancel):
		p.mode = modeView
		return common.StatusCmd("vote cancelled, nothing sent")
	}
	return nil
}

func (p *Page) handleVerifyInput(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		p.mode = modeView
		p.input.Blur()
		return nil
	case tea.KeyEnter:
		src := strings.TrimSpace(p.input.Value())
		p.mode = modeView
		p.input.Blur()
		if src == "" {
			return nil
		}
		p.verdict = ""
		return p.hash.Start([]string{src}, p.opts.Hash)
	}
	return common.Edit(&p.input, msg)
}

// Expected returns the checksum the proposal declares and the field that
// holds it, found the way `nnspatch verify` finds it: the elected package
// of an election of any shape (rollout.PackageOf), the wasm_module_hash of
// a canister install; otherwise a payload field named like a checksum.
func (p *Page) Expected() (sum, field string) {
	named := ""
	for _, f := range p.fields {
		if strings.HasSuffix(f.Key, "sha256_hex") || strings.HasSuffix(f.Key, "wasm_module_hash") {
			if f.Value != "" && f.Value != "null" {
				sum, named = strings.ToLower(f.Value), f.Key
				break
			}
		}
	}
	if p.prop == nil {
		return sum, named
	}
	if pkg, err := rollout.PackageOf(p.prop); err == nil && pkg.SHA256 != "" {
		return strings.ToLower(pkg.SHA256), cmp.Or(named, "release_package_sha256_hex")
	}
	if in := p.prop.Action.Install; p.prop.Action.Kind == "InstallCode" && in != nil && in.WasmModuleHash != "" {
		return strings.ToLower(in.WasmModuleHash), "wasm_module_hash"
	}
	return sum, named
}

func (p *Page) verify(d hasher.DoneMsg) {
	switch want, field := p.Expected(); {
	case d.Err != nil:
		p.verdict, p.verOK = "✗ could not hash: "+d.Err.Error(), false
	case len(d.Digests) == 0:
		p.verdict, p.verOK = "✗ nothing hashed", false
	case want == "":
		p.verdict, p.verOK = "? sha256 "+d.Digests[0].Hex+" (the payload declares no checksum)", false
	case artifact.Check(want, d.Digests[0]) == nil:
		p.verdict, p.verOK = "✓ checksum matches "+field+": "+want, true
	default:
		p.verdict, p.verOK = fmt.Sprintf("✗ checksum mismatch: artifact %s, %s %s", d.Digests[0].Hex, field, want), false
	}
	p.Log.Printf("verify %d: %s", p.id, p.verdict)
}
