package draft

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

func TestMain(m *testing.M) {
	tuitest.NoColor()
	os.Exit(m.Run())
}

func newPage(gov Submitter) *Page {
	p := New(tuitest.Common(), gov, 80, proposals.DefaultPolicy(), artifact.Options{})
	p.SetSize(80, 21)
	return p
}

// run executes cmd and feeds its messages back until none is left,
// returning the messages meant for the root.
func run(p *Page, cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	for cmd != nil {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				out = append(out, run(p, c)...)
			}
			return out
		}
		switch msg.(type) {
		case nil:
			return out
		case common.ErrorMsg, common.StatusMsg, common.OpenProposalMsg:
			return append(out, msg)
		}
		_, cmd = p.Update(msg)
	}
	return out
}

func send(p *Page, msgs ...tea.Msg) []tea.Msg {
	var out []tea.Msg
	for _, m := range msgs {
		_, cmd := p.Update(m)
		out = append(out, run(p, cmd)...)
	}
	return out
}

var (
	enter = tea.KeyMsg{Type: tea.KeyEnter}
	esc   = tea.KeyMsg{Type: tea.KeyEsc}
	down  = tea.KeyMsg{Type: tea.KeyDown}
	save  = tea.KeyMsg{Type: tea.KeyCtrlS}
)

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// fill types a complete election: version, a real artifact file hashed
// through the progress path, and real launch measurements.
func fill(t *testing.T, p *Page) {
	t.Helper()
	art := filepath.Join("testdata", "update-img.tar.zst") // "hello\n"
	send(p, runes(tuitest.ElectVersion), down, runes(art), enter)
	send(p, down, down, runes("testdata/launch-measurements.json"), enter)
	send(p, esc)
}

func TestLiveValidation(t *testing.T) {
	p := newPage(&tuitest.Gov{})
	if p.Ready() {
		t.Fatal("empty form is ready")
	}
	tuitest.Golden(t, p.View())
	fill(t, p)
	if !p.Ready() {
		t.Fatalf("filled form not ready: %v", p.Problems())
	}
	d := p.Draft()
	if got := *d.ElectGuestOS.ReleasePackageSHA256Hex; got != tuitest.ElectSHA {
		t.Errorf("sha = %s, want the artifact's %s", got, tuitest.ElectSHA)
	}
	if n := len(d.ElectGuestOS.GuestLaunchMeasurements.GuestLaunchMeasurements); n == 0 {
		t.Error("no measurements in the draft")
	}
}

func TestView(t *testing.T) {
	t.Run("filled", func(t *testing.T) {
		p := newPage(&tuitest.Gov{})
		fill(t, p)
		tuitest.Golden(t, p.View())
	})
	t.Run("bad_version", func(t *testing.T) {
		p := newPage(&tuitest.Gov{})
		fill(t, p)
		p.SetField(FieldVersion, "not-a-commit")
		p.SetField(FieldForum, "https://example.com/fix-for-CVE")
		if p.Ready() {
			t.Error("bad version accepted")
		}
		tuitest.Golden(t, p.View())
	})
}

// TestPreviewScrolls: at 80x24 the preview does not fit; pgdn scrolls it
// down to the summary's last line and pgup back to the top.
func TestPreviewScrolls(t *testing.T) {
	p := newPage(&tuitest.Gov{})
	fill(t, p)
	pgdn, pgup := tea.KeyMsg{Type: tea.KeyPgDown}, tea.KeyMsg{Type: tea.KeyPgUp}
	summary := strings.Split(strings.TrimSpace(p.Preview().Summary), "\n")
	words := strings.Fields(summary[len(summary)-1])
	last := strings.Join(words[max(len(words)-3, 0):], " ") // wrapping keeps the last words together
	if strings.Contains(p.View(), last) {
		t.Fatalf("the summary's last line %q fits unscrolled; the test needs a longer summary", last)
	}
	for i := 0; i < 20 && !strings.Contains(p.View(), last); i++ {
		send(p, pgdn)
	}
	if !strings.Contains(p.View(), last) {
		t.Fatalf("pgdn never showed the summary's last line %q:\n%s", last, p.View())
	}
	if !strings.Contains(p.View(), "Version ") {
		t.Error("the form scrolled away with the preview")
	}
	tuitest.Golden(t, p.View())
	for i := 0; i < 20; i++ {
		send(p, pgup)
	}
	if !strings.Contains(p.View(), "Artifacts:    ✓ sha256") {
		t.Errorf("pgup did not return to the top:\n%s", p.View())
	}
}

func TestSubmitNeedsConfirmation(t *testing.T) {
	gov := &tuitest.Gov{}
	p := newPage(gov)
	if msgs := send(p, save); len(msgs) != 1 || !strings.Contains(msgs[0].(common.ErrorMsg).Error(), "problem") {
		t.Fatalf("submitting an invalid draft: %v", msgs)
	}
	fill(t, p)
	send(p, save)
	if !strings.Contains(p.View(), "Submit this election from neuron 80?") {
		t.Fatalf("no confirmation:\n%s", p.View())
	}
	send(p, runes("n"))
	if len(gov.Submitted) != 0 {
		t.Fatal("cancelled submission was sent")
	}
	send(p, save)
	msgs := send(p, runes("y"))
	if len(gov.Submitted) != 1 || !strings.HasPrefix(gov.Submitted[0], "Elect new IC/GuestOS revision (commit ") {
		t.Fatalf("submitted %v", gov.Submitted)
	}
	var opened bool
	for _, m := range msgs {
		if o, ok := m.(common.OpenProposalMsg); ok && o.ID == 2001 && o.Status == "submitted proposal #2001" {
			opened = true
		}
	}
	if !opened {
		t.Errorf("new proposal not opened: %v", msgs)
	}
}

// TestSubmitReusesAnIdenticalProposal: when preflight finds an identical
// proposal (a retry after a crash), the page opens it and submits nothing.
func TestSubmitReusesAnIdenticalProposal(t *testing.T) {
	gov := &tuitest.Gov{Existing: 1234}
	p := newPage(gov)
	fill(t, p)
	send(p, save)
	msgs := send(p, runes("y"))
	if len(gov.Submitted) != 0 {
		t.Fatalf("submitted a duplicate: %v", gov.Submitted)
	}
	var opened, said bool
	for _, m := range msgs {
		switch m := m.(type) {
		case common.OpenProposalMsg:
			opened = m.ID == 1234
			said = strings.Contains(m.Status, "already exists")
		}
	}
	if !opened || !said {
		t.Errorf("existing proposal not opened and reported: %v", msgs)
	}
}

// TestSubmitOnMainnetNeedsTheWord: on mainnet the confirmation names
// mainnet, "y" does not submit, anything but "mainnet" typed out cancels
// with nothing sent, and "mainnet" then enter submits.
func TestSubmitOnMainnetNeedsTheWord(t *testing.T) {
	gov := &tuitest.Gov{}
	p := newPage(gov)
	p.SetMainnet(true)
	fill(t, p)
	send(p, save)
	if v := p.View(); !strings.Contains(v, "Internet Computer MAINNET") || !strings.Contains(v, "Type mainnet") {
		t.Fatalf("the confirmation does not name mainnet:\n%s", v)
	}
	msgs := send(p, runes("y"), enter)
	if len(gov.Submitted) != 0 {
		t.Fatalf("y submitted to mainnet: %v", gov.Submitted)
	}
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].(common.StatusMsg)), "nothing sent") {
		t.Errorf("cancel status: %v", msgs)
	}
	send(p, save, runes("mainnet"), esc)
	if len(gov.Submitted) != 0 {
		t.Fatalf("esc submitted: %v", gov.Submitted)
	}
	send(p, save)
	for _, r := range "mainnex" {
		send(p, runes(string(r)))
	}
	send(p, tea.KeyMsg{Type: tea.KeyBackspace}, runes("t"))
	if !strings.Contains(p.View(), ": mainnet") {
		t.Errorf("typed word not shown:\n%s", p.View())
	}
	send(p, enter)
	if len(gov.Submitted) != 1 {
		t.Fatalf("typing mainnet did not submit: %v", gov.Submitted)
	}
}

// TestTypingGoesToTheField: the focused field takes typed text at once,
// digits and q included (the app's page and quit keys wait until esc);
// ctrl+w deletes a word, ctrl+u clears the field, pgdn still scrolls.
func TestTypingGoesToTheField(t *testing.T) {
	p := newPage(&tuitest.Gov{})
	if !p.Capturing() {
		t.Fatal("the page opens without a focused field")
	}
	send(p, runes("3q1"))
	if got := p.inputs[FieldVersion].Value(); got != "3q1" {
		t.Errorf("version = %q, want the typed 3q1", got)
	}
	send(p, down, runes("a.tar b.tar"), tea.KeyMsg{Type: tea.KeyCtrlW})
	if got := p.inputs[FieldArtifacts].Value(); got != "a.tar " {
		t.Errorf("after ctrl+w: %q, want %q", got, "a.tar ")
	}
	send(p, tea.KeyMsg{Type: tea.KeyCtrlU})
	if got := p.inputs[FieldArtifacts].Value(); got != "" {
		t.Errorf("after ctrl+u: %q, want it cleared", got)
	}
	send(p, esc)
	if p.Capturing() {
		t.Error("esc did not leave the field")
	}
	send(p, runes("e"), runes("x"))
	if got := p.inputs[FieldArtifacts].Value(); got != "x" {
		t.Errorf("e did not focus the field again: %q", got)
	}
}

// TestDenyWordsFromTheConfig: the page validates with the policy it is
// given (the config's deny_words), the same check the CLI's draft uses.
func TestDenyWordsFromTheConfig(t *testing.T) {
	forum := "https://forum.dfinity.org/t/heartbleed-follow-up/1"
	for _, tc := range []struct {
		name   string
		policy proposals.Policy
		denied bool
	}{
		{"default", proposals.DefaultPolicy(), false},
		{"config", proposals.Policy{DenyWords: []string{"heartbleed"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gov := &tuitest.Gov{}
			p := New(tuitest.Common(), gov, 80, tc.policy, artifact.Options{})
			p.SetSize(80, 21)
			fill(t, p)
			p.SetField(FieldForum, forum)
			if p.Ready() == tc.denied {
				t.Fatalf("ready = %v with %v: %v", p.Ready(), tc.policy.DenyWords, p.Problems())
			}
			if tc.denied {
				if !strings.Contains(p.View(), "heartbleed") {
					t.Errorf("the denied word is not named:\n%s", p.View())
				}
				send(p, save)
				if p.confirm {
					t.Error("a denied draft reached the confirmation")
				}
			}
		})
	}
}
