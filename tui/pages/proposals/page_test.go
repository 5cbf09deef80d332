package proposals

import (
	"fmt"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

func TestMain(m *testing.M) {
	tuitest.NoColor()
	os.Exit(m.Run())
}

// newPage returns the page at 80x21 (the body of an 80x24 screen) holding
// the fixture proposals.
func newPage(t testing.TB) *Page {
	t.Helper()
	p := New(tuitest.Common(), &tuitest.Gov{Proposals: tuitest.Proposals()}, 100)
	p.SetSize(80, 21)
	p.SetProposals(tuitest.Proposals())
	return p
}

func keys(p *Page, ks ...string) {
	for _, k := range ks {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		p.Update(msg)
	}
}

func TestView(t *testing.T) {
	cases := map[string][]string{
		"all":          nil,
		"open":         {"s"},
		"topic":        {"t"},
		"search":       {"/", "r", "e", "n", "a", "m", "e", "enter"},
		"none_match":   {"/", "z", "z", "z", "enter"},
		"cursor_moved": {"down", "down"},
	}
	for name, ks := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPage(t)
			keys(p, ks...)
			tuitest.Golden(t, p.View())
		})
	}
	t.Run("loading", func(t *testing.T) {
		p := New(tuitest.Common(), nil, 100)
		p.SetSize(80, 21)
		tuitest.Golden(t, p.View())
	})
}

// TestEscapesRenderInert proves a title full of escape sequences reaches
// the screen as inert text: no ESC, BEL or bidi override survives.
func TestEscapesRenderInert(t *testing.T) {
	out := newPage(t).View()
	if !strings.Contains(out, "Red title") {
		t.Errorf("sanitized title missing from view:\n%s", out)
	}
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("view contains %q", bad)
		}
	}
}

func TestOpenSendsSelected(t *testing.T) {
	p := newPage(t)
	keys(p, "down")
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter returned no command")
	}
	if got, ok := cmd().(common.OpenProposalMsg); !ok || got.ID != 1040 {
		t.Errorf("enter sent %#v, want OpenProposalMsg{1040}", got)
	}
}

func TestUnvotedMarker(t *testing.T) {
	ps := tuitest.Proposals()
	want := map[uint64]bool{1041: true, 1040: false, 1039: false, 1038: false}
	for _, p := range ps {
		if got := Unvoted(p); got != want[p.ID] {
			t.Errorf("Unvoted(%d) = %v, want %v", p.ID, got, want[p.ID])
		}
	}
}

func TestRefreshKeepsSelection(t *testing.T) {
	p := newPage(t)
	keys(p, "down", "down")
	ps := tuitest.Proposals()
	newer := ps[0]
	newer.ID, newer.Title = 1042, "A newer proposal"
	p.SetProposals(append([]governance.Proposal{newer}, ps...))
	if id, _ := p.Selected(); id != 1039 {
		t.Errorf("selected %d after refresh, want 1039", id)
	}
}

func TestFetchErrorReported(t *testing.T) {
	p := New(tuitest.Common(), &tuitest.Gov{Err: governance.ErrUnreachable}, 100)
	msg := p.Init()()
	_, cmd := p.Update(msg)
	em, ok := cmd().(common.ErrorMsg)
	if !ok || em.Op != "list proposals" {
		t.Fatalf("got %#v, want ErrorMsg for list proposals", em)
	}
}

// bigList is n proposals cycling over the fixtures.
func bigList(n int) []governance.Proposal {
	fx := tuitest.Proposals()
	out := make([]governance.Proposal, n)
	for i := range out {
		out[i] = fx[i%len(fx)]
		out[i].ID = uint64(n - i)
		out[i].Title = fmt.Sprintf("%s %d", fx[i%len(fx)].Title, i)
	}
	return out
}

// BenchmarkView draws the page holding 10,000 proposals (target: < 16 ms).
func BenchmarkView(b *testing.B) {
	p := New(tuitest.Common(), nil, 0)
	p.SetSize(80, 21)
	p.SetProposals(bigList(10_000))
	keys(p, "G")
	b.ReportAllocs()
	for b.Loop() {
		_ = p.View()
	}
}

// BenchmarkUpdateKey moves the cursor in a list of 10,000 (target: < 1 ms).
func BenchmarkUpdateKey(b *testing.B) {
	p := New(tuitest.Common(), nil, 0)
	p.SetSize(80, 21)
	p.SetProposals(bigList(10_000))
	down, up := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyUp}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			p.Update(down)
		} else {
			p.Update(up)
		}
		i++
	}
}

// BenchmarkUpdateFilter cycles the status filter over 10,000 proposals.
func BenchmarkUpdateFilter(b *testing.B) {
	p := New(tuitest.Common(), nil, 0)
	p.SetSize(80, 21)
	p.SetProposals(bigList(10_000))
	s := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")}
	b.ReportAllocs()
	for b.Loop() {
		p.Update(s)
	}
}
