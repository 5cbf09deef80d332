// Package draft is the Draft page: a form for a security-patch GuestOS
// election (version, artifact files or URLs hashed with a progress bar,
// package URLs, launch measurements), validated live against the config's
// security-patch policy (deny_words) with every problem shown, a preview of
// the title, summary and payload, and submission after a confirmation.
//
// The first field has the focus when the page opens: typed text goes into
// the focused field, never to the app's page or quit keys, until esc.
package draft

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/components/hasher"
)

// Submitter is what the page needs of governance.
type Submitter interface {
	Preflight(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (*governance.Preflight, error)
	MakeProposal(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (uint64, error)
}

// SubmittedMsg reports the proposal's id. Existing is true when preflight
// found an identical proposal (open, adopted, or executed with its effect in
// place) and nothing new was submitted.
type SubmittedMsg struct {
	ID       uint64
	Existing bool
}

// MeasurementsMsg carries loaded launch measurements.
type MeasurementsMsg struct {
	Source       string
	Measurements *proposals.GuestLaunchMeasurements
	Err          error
}

type submitFailedMsg struct{ err error }

// The form's fields, in order.
const (
	FieldVersion = iota
	FieldArtifacts
	FieldURLs
	FieldMeasurements
	FieldUnelect
	FieldForum
	numFields
)

var labels = [numFields]string{"Version", "Artifacts", "Package URLs", "Measurements", "Unelect", "Forum URL"}

// Page is the Draft page.
type Page struct {
	common.Common
	gov      Submitter
	neuron   uint64
	policy   proposals.Policy
	hashOpts artifact.Options
	timeout  time.Duration

	inputs [numFields]textinput.Model
	focus  int
	// scroll is the first line in view below the form.
	scroll  int
	editing bool
	confirm bool
	sending bool
	// mainnet makes the confirmation name mainnet and ask for the word
	// "mainnet" typed out (the TUI's --accept-risk=mainnet); typed holds it.
	mainnet bool
	typed   string

	hash     *hasher.Hasher
	sha      string // agreed SHA-256 of the artifacts
	hashNote string // hashing outcome, shown beside the field
	meas     *proposals.GuestLaunchMeasurements
	measNote string

	draft    proposals.Draft
	buildErr error
	problems []proposals.Problem
	preview  *proposals.Rendered
}

var _ common.Page = (*Page)(nil)

// New returns the page proposing from neuron, validating with policy (the
// config's deny_words, as the CLI's draft commands do).
func New(c common.Common, gov Submitter, neuron uint64, policy proposals.Policy, hashOpts artifact.Options) *Page {
	p := &Page{Common: c.WithPrefix("draft"), gov: gov, neuron: neuron, policy: policy, hashOpts: hashOpts,
		timeout: 2 * time.Minute, hash: hasher.New(c.Now), editing: true}
	for i := range p.inputs {
		ti := textinput.New()
		ti.Cursor.SetMode(cursor.CursorStatic) // no blink ticks: a steady cursor
		ti.Prompt = ""
		ti.CharLimit = 4096
		p.inputs[i] = ti
	}
	p.inputs[FieldArtifacts].Placeholder = "update-img.tar.zst file(s) or URL(s), enter to hash"
	p.inputs[FieldURLs].Placeholder = "empty: the default download mirrors"
	p.inputs[FieldMeasurements].Placeholder = "launch-measurements.json file or URL, enter to load"
	p.inputs[FieldUnelect].Placeholder = "versions to unelect (optional)"
	p.inputs[FieldForum].Placeholder = "https://forum.dfinity.org/..."
	p.inputs[p.focus].Focus()
	p.rebuild()
	return p
}

// SetMainnet marks the network as the Internet Computer mainnet: submitting
// then needs "mainnet" typed out at a confirmation that names it.
func (p *Page) SetMainnet(on bool) { p.mainnet = on }

// Title implements common.Page.
func (p *Page) Title() string { return "Draft" }

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return p.editing || p.confirm }

// SetSize implements common.Component.
func (p *Page) SetSize(w, h int) {
	p.Common.SetSize(w, h)
	for i := range p.inputs {
		p.inputs[i].Width = max(w-17, 10)
	}
}

// Init implements tea.Model.
func (p *Page) Init() tea.Cmd { return nil }

// Refresh implements common.Page; the form has nothing to reload.
func (p *Page) Refresh() tea.Cmd { return nil }

// SetField sets a field's text and revalidates (tests and prefilling).
func (p *Page) SetField(i int, v string) {
	p.inputs[i].SetValue(v)
	p.rebuild()
}

// Problems returns the current validation problems.
func (p *Page) Problems() []proposals.Problem { return p.problems }

// Preview returns the rendered title, summary and payload (nil while the
// draft cannot be rendered).
func (p *Page) Preview() *proposals.Rendered { return p.preview }

// Draft returns the draft the form describes.
func (p *Page) Draft() proposals.Draft { return p.draft }

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
}

// rebuild turns the form into a draft and validates it: pure and fast, so
// it runs on every keystroke.
func (p *Page) rebuild() {
	o := proposals.ElectOptions{
		Texts:        proposals.Texts{ForumURL: strings.TrimSpace(p.inputs[FieldForum].Value())},
		Mode:         proposals.ModeSecurity,
		Version:      strings.TrimSpace(p.inputs[FieldVersion].Value()),
		SHA256:       p.sha,
		PackageURLs:  splitList(p.inputs[FieldURLs].Value()),
		Unelect:      splitList(p.inputs[FieldUnelect].Value()),
		Measurements: p.meas,
	}
	p.preview = nil
	p.draft, p.buildErr = proposals.NewElectGuestOS(o)
	if p.buildErr != nil {
		p.problems = nil
		return
	}
	p.problems = proposals.ValidateWith(p.draft, p.policy)
	if r, err := proposals.Render(p.draft); err == nil {
		p.preview = &r
	}
}

// Ready reports whether the draft has no blocking problem.
func (p *Page) Ready() bool { return p.buildErr == nil && !proposals.HasErrors(p.problems) }

// Update implements tea.Model.
func (p *Page) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, done := p.hash.Update(msg); cmd != nil || done != nil {
		if done != nil {
			p.hashed(*done)
		}
		return p, cmd
	}
	switch msg := msg.(type) {
	case MeasurementsMsg:
		p.measured(msg)
	case SubmittedMsg:
		p.sending = false
		status := fmt.Sprintf("submitted proposal #%d", msg.ID)
		if msg.Existing {
			status = fmt.Sprintf("identical proposal #%d already exists; nothing submitted", msg.ID)
		}
		p.Log.Printf("%s", status)
		return p, func() tea.Msg { return common.OpenProposalMsg{ID: msg.ID, Status: status} }
	case submitFailedMsg:
		p.sending = false
		p.Log.Printf("submit: %v", msg.err)
		return p, common.ErrorCmd("submit election", msg.err)
	case tea.KeyMsg:
		return p, p.handleKey(msg)
	}
	return p, nil
}

func (p *Page) hashed(d hasher.DoneMsg) {
	p.sha = ""
	switch {
	case d.Err != nil:
		p.hashNote = "✗ " + d.Err.Error()
	case artifact.Agree(d.Digests) != nil:
		p.hashNote = "✗ " + artifact.Agree(d.Digests).Error()
	case len(d.Digests) > 0:
		p.sha = d.Digests[0].Hex
		p.hashNote = fmt.Sprintf("✓ sha256 %s (%d source(s) agree)", common.Short(p.sha, 16), len(d.Digests))
	}
	p.rebuild()
}

func (p *Page) measured(m MeasurementsMsg) {
	if m.Source != strings.TrimSpace(p.inputs[FieldMeasurements].Value()) {
		return // the field changed since
	}
	p.meas = m.Measurements
	if m.Err != nil {
		p.measNote = "✗ " + m.Err.Error()
	} else {
		p.measNote = fmt.Sprintf("✓ %d measurement(s)", len(m.Measurements.GuestLaunchMeasurements))
	}
	p.rebuild()
}

func loadMeasurementsCmd(source string, opts artifact.Options, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		m, err := artifact.LoadLaunchMeasurements(ctx, source, opts)
		if err != nil {
			return MeasurementsMsg{Source: source, Err: err}
		}
		return MeasurementsMsg{Source: source, Measurements: &m}
	}
}

// submitCmd validates with policy, preflights and submits d from neuron.
func submitCmd(gov Submitter, neuron uint64, d proposals.Draft, policy proposals.Policy, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		req, err := proposals.ValidRequest(d, policy)
		if err != nil {
			return submitFailedMsg{err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		pre, err := gov.Preflight(ctx, neuron, req)
		if err != nil {
			return submitFailedMsg{fmt.Errorf("preflight: %w", err)}
		}
		if pre.Existing != 0 {
			return SubmittedMsg{ID: pre.Existing, Existing: true}
		}
		if err := pre.Err(); err != nil {
			return submitFailedMsg{err}
		}
		id, err := gov.MakeProposal(ctx, neuron, req)
		if err != nil {
			return submitFailedMsg{err}
		}
		return SubmittedMsg{ID: id}
	}
}
