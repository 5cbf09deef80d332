package proposal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

func TestMain(m *testing.M) {
	tuitest.NoColor()
	os.Exit(m.Run())
}

func newPage(t *testing.T, gov *tuitest.Gov, id uint64) *Page {
	t.Helper()
	p := New(tuitest.Common(), gov, []uint64{80}, nil, artifact.Options{})
	p.SetSize(80, 21)
	run(p, func() tea.Msg { return common.OpenProposalMsg{ID: id} })
	return p
}

// run executes cmd and feeds its messages back to p until none is left,
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
		case common.ErrorMsg, common.StatusMsg:
			out = append(out, msg)
			return out
		case nil:
			return out
		}
		_, cmd = p.Update(msg)
	}
	return out
}

func press(p *Page, s string) []tea.Msg {
	var m tea.KeyMsg
	switch s {
	case "enter":
		m = tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		m = tea.KeyMsg{Type: tea.KeyEsc}
	default:
		m = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
	}
	_, cmd := p.Update(m)
	return run(p, cmd)
}

func TestVoteNeedsConfirmation(t *testing.T) {
	gov := &tuitest.Gov{Proposals: tuitest.Proposals()}
	p := newPage(t, gov, 1041)
	press(p, "y")
	if !strings.Contains(p.View(), "Vote YES on #1041 with neuron(s) 80?") {
		t.Fatalf("no confirmation shown:\n%s", p.View())
	}
	tuitest.Golden(t, p.View())
	press(p, "n")
	if len(gov.Votes) != 0 {
		t.Fatalf("cancelled vote was sent: %v", gov.Votes)
	}
	press(p, "y")
	msgs := press(p, "y")
	if len(gov.Votes) != 1 || gov.Votes[0] != "yes" {
		t.Fatalf("votes sent = %v, want [yes]", gov.Votes)
	}
	if len(msgs) == 0 || !strings.Contains(string(msgs[len(msgs)-1].(common.StatusMsg)), "voted yes on #1041") {
		t.Errorf("status = %v", msgs)
	}
	if strings.Contains(p.View(), "● not voted") {
		t.Errorf("ballot not refreshed after the vote:\n%s", p.View())
	}
}

func TestVoteRefusedWhenClosed(t *testing.T) {
	gov := &tuitest.Gov{Proposals: tuitest.Proposals()}
	p := newPage(t, gov, 1039)
	msgs := press(p, "y")
	if len(msgs) != 1 {
		t.Fatalf("got %v, want one error", msgs)
	}
	if em, ok := msgs[0].(common.ErrorMsg); !ok || !strings.Contains(em.Error(), "only open proposals") {
		t.Errorf("got %v", msgs[0])
	}
}

// TestVerify hashes real files through the progress bar path: the one
// with the payload's checksum matches, another one does not.
func TestVerify(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "update-img.tar.zst"), filepath.Join(dir, "other.tar.zst")
	os.WriteFile(good, []byte("hello\n"), 0o644)
	os.WriteFile(bad, []byte("tampered\n"), 0o644)
	for _, tc := range []struct {
		name, file, want string
	}{
		{"match", good, "✓ checksum matches release_package_sha256_hex"},
		{"mismatch", bad, "✗ checksum mismatch"},
		{"missing", filepath.Join(dir, "nope"), "✗ could not hash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPage(t, &tuitest.Gov{Proposals: tuitest.Proposals()}, 1041)
			press(p, "v")
			if !p.Capturing() {
				t.Fatal("verify input does not capture keys")
			}
			p.input.SetValue(tc.file)
			press(p, "enter")
			if !strings.Contains(p.View(), tc.want) {
				t.Errorf("view lacks %q:\n%s", tc.want, p.View())
			}
		})
	}
}

func TestView(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		p := New(tuitest.Common(), nil, nil, nil, artifact.Options{})
		p.SetSize(80, 21)
		tuitest.Golden(t, p.View())
	})
	t.Run("disclosure_known", func(t *testing.T) {
		p := New(tuitest.Common(), &tuitest.Gov{Proposals: tuitest.Proposals()}, []uint64{80},
			func(v string) (time.Time, bool) {
				return tuitest.Now.Add(6 * 24 * time.Hour), v == tuitest.ElectVersion
			}, artifact.Options{})
		p.SetSize(80, 21)
		run(p, func() tea.Msg { return common.OpenProposalMsg{ID: 1041} })
		if !strings.Contains(p.View(), "disclosure due 2026-11-26 12:00Z (in 6d00h)") {
			t.Errorf("badge lacks the disclosure deadline:\n%s", p.View())
		}
		tuitest.Golden(t, p.View())
	})
	t.Run("rejected", func(t *testing.T) {
		tuitest.Golden(t, newPage(t, &tuitest.Gov{Proposals: tuitest.Proposals()}, 1038).View())
	})
}

func TestNotFound(t *testing.T) {
	p := New(tuitest.Common(), &tuitest.Gov{}, nil, nil, artifact.Options{})
	msgs := run(p, func() tea.Msg { return common.OpenProposalMsg{ID: 7} })
	if len(msgs) != 1 {
		t.Fatalf("got %v", msgs)
	}
	if em := msgs[0].(common.ErrorMsg); em.Op != "get proposal 7" || !strings.Contains(em.Error(), governance.ErrProposalNotFound.Error()) {
		t.Errorf("got %v", em)
	}
}
