package tui

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/proposals"
)

// devNeuron is the localnet seed's neuron controlled by the developer
// identity.
const devNeuron = governancetest.DevNeuron

// localClient starts a local network and connects as the developer.
func localClient(t *testing.T) *governance.Client {
	t.Helper()
	_, c := governancetest.Start(t)
	return c
}

// waitFor waits until the output read since the last wait holds every
// string of want (the renderer redraws only changed lines, so what one
// frame drew is read once).
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	},
		teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func keyType(tm *teatest.TestModel, t tea.KeyType) { tm.Send(tea.KeyMsg{Type: t}) }

// TestFlowOpenAndVote opens a fresh motion from the live list and votes
// yes on it with a confirmation; governance then records the ballot.
func TestFlowOpenAndVote(t *testing.T) {
	c := localClient(t)
	ctx := context.Background()
	title := "Motion: flow test"
	id, err := c.MakeProposal(ctx, devNeuron, govdid.MakeProposalRequest{Title: &title, Summary: "A motion for the TUI flow test.",
		Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: "flow test"}}})
	if err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Gov: c, Network: "local", Neuron: devNeuron, Neurons: []uint64{devNeuron}, Refresh: -1})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Motion: flow test")
	keyType(tm, tea.KeyEnter)
	waitFor(t, tm, "motion_text: flow test")
	tm.Type("y")
	waitFor(t, tm, "y confirm")
	tm.Type("y")
	waitFor(t, tm, "voted yes on #")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	p, err := c.GetProposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range p.Ballots {
		if b.Neuron == devNeuron && b.Vote != governance.VoteYes {
			t.Errorf("neuron %d ballot = %s, want yes", devNeuron, b.Vote)
		}
	}
}

// TestFlowDraftSubmit fills the election form (hashing a real artifact and
// loading real measurements), submits it after the confirmation, and finds
// the proposal on the network.
func TestFlowDraftSubmit(t *testing.T) {
	c := localClient(t)
	app := New(Deps{Gov: c, Network: "local", Neuron: devNeuron, Neurons: []uint64{devNeuron}, Refresh: -1})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(80, 24))
	const version = "7e0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a697887"
	tm.Type("3")
	waitFor(t, tm, "Security-patch election")
	tm.Type(version) // the Version field has the focus

	keyType(tm, tea.KeyDown)
	tm.Type(filepath.Join("pages", "draft", "testdata", "update-img.tar.zst"))
	keyType(tm, tea.KeyEnter)
	waitFor(t, tm, "source(s) agree")
	keyType(tm, tea.KeyDown)
	keyType(tm, tea.KeyDown)
	tm.Type(filepath.Join("pages", "draft", "testdata", "launch-measurements.json"))
	keyType(tm, tea.KeyEnter)
	waitFor(t, tm, "ready to submit")
	keyType(tm, tea.KeyEsc)
	keyType(tm, tea.KeyCtrlS)
	waitFor(t, tm, "y confirm")
	tm.Type("y")
	// The status shows at once; the Detail page loads the proposal after.
	waitFor(t, tm, "submitted proposal #", "proposer 80")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)

	// The detail page opened the new proposal: it must be our election.
	var id uint64
	for _, p := range fm.pages {
		if d, ok := p.(interface{ Proposal() *governance.Proposal }); ok && d.Proposal() != nil {
			id = d.Proposal().ID
		}
	}
	if id == 0 {
		t.Fatal("no proposal opened after submitting")
	}
	p, err := c.GetProposal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := proposals.DescribePayload(p.Action.NNSFunction, p.Action.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Elect new IC/GuestOS revision (commit "+version[:7]+")" || !strings.Contains(fieldsText(fields), version) {
		t.Errorf("proposal %d: title %q fields %v", id, p.Title, fields)
	}
}

func fieldsText(fs []proposals.Field) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Key + "=" + f.Value + "\n")
	}
	return b.String()
}

// TestFlowDraftSubmitMainnetAsks: with Deps.Mainnet the Draft page's
// confirmation names mainnet, refuses a plain "y", and submits only after
// "mainnet" is typed out.
func TestFlowDraftSubmitMainnetAsks(t *testing.T) {
	c := localClient(t)
	ctx := context.Background()
	before, err := c.ListProposals(ctx, governance.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Gov: c, Network: "ic https://icp-api.io", Mainnet: true, Neuron: devNeuron, Neurons: []uint64{devNeuron}, Refresh: -1})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 24))
	tm.Type("3")
	waitFor(t, tm, "Security-patch election")
	tm.Type("6e0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a697887") // the Version field has the focus
	keyType(tm, tea.KeyDown)
	tm.Type(filepath.Join("pages", "draft", "testdata", "update-img.tar.zst"))
	keyType(tm, tea.KeyEnter)
	waitFor(t, tm, "source(s) agree")
	keyType(tm, tea.KeyDown)
	keyType(tm, tea.KeyDown)
	tm.Type(filepath.Join("pages", "draft", "testdata", "launch-measurements.json"))
	keyType(tm, tea.KeyEnter)
	waitFor(t, tm, "ready to submit")
	keyType(tm, tea.KeyEsc)
	keyType(tm, tea.KeyCtrlS)
	waitFor(t, tm, "Internet Computer MAINNET", "Type mainnet")
	tm.Type("y")
	keyType(tm, tea.KeyEnter)
	waitFor(t, tm, "nothing sent")
	keyType(tm, tea.KeyCtrlS)
	waitFor(t, tm, "Type mainnet")
	tm.Type("mainnet")
	keyType(tm, tea.KeyEnter)
	waitFor(t, tm, "submitted proposal #")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	after, err := c.ListProposals(ctx, governance.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 {
		t.Errorf("%d proposal(s) submitted, want exactly 1", len(after)-len(before))
	}
}
