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
	p := New(tuitest.Common(), &tuitest.Gov{Proposals: tuitest.Proposals()}, 100, []uint64{80})
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
		case "ctrl+u":
			msg = tea.KeyMsg{Type: tea.KeyCtrlU}
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
		p := New(tuitest.Common(), nil, 100, nil)
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

// TestUnvotedMarker: ● counts only the neurons in use; #1041 has an
// uncast ballot of neuron 80 and a cast one of 81.
func TestUnvotedMarker(t *testing.T) {
	ps := tuitest.Proposals()
	for _, tc := range []struct {
		neurons []uint64
		want    map[uint64]bool
	}{
		{[]uint64{80}, map[uint64]bool{1041: true}},
		{[]uint64{81}, map[uint64]bool{}}, // 80 is another neuron of the identity
		{nil, map[uint64]bool{}},          // no neuron in use
		{[]uint64{81, 80}, map[uint64]bool{1041: true}},
	} {
		for _, p := range ps {
			if got := Unvoted(p, tc.neurons); got != tc.want[p.ID] {
				t.Errorf("neurons %v: Unvoted(%d) = %v, want %v", tc.neurons, p.ID, got, tc.want[p.ID])
			}
		}
	}
	p := New(tuitest.Common(), nil, 100, []uint64{81})
	p.SetSize(80, 21)
	p.SetProposals(ps)
	if strings.Contains(p.View(), UnvotedGlyph) {
		t.Errorf("● shown for a neuron not in use:\n%s", p.View())
	}
}

// load runs the page's load command and feeds the result back.
func load(t *testing.T, p *Page, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no load command")
	}
	if _, next := p.Update(cmd()); next == nil {
		t.Fatal("a load reported nothing to the root")
	}
}

// TestLoadOlder: a full listing says older proposals may exist and L loads
// them below it, a page at a time, until governance has no more; a refresh
// then keeps all of them.
func TestLoadOlder(t *testing.T) {
	gov := &tuitest.Gov{Proposals: bigList(250)}
	p := New(tuitest.Common(), gov, 100, nil)
	p.SetSize(80, 21)
	load(t, p, p.Init())
	if !strings.Contains(p.View(), "100/100 · showing the newest 100; L loads more") {
		t.Fatalf("no hint of older proposals:\n%s", p.View())
	}
	for _, want := range []int{200, 250} {
		_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("L")})
		load(t, p, cmd)
		if len(p.rows) != want {
			t.Fatalf("after L: %d proposals, want %d", len(p.rows), want)
		}
	}
	if strings.Contains(p.View(), "L loads more") || p.loadOlder() != nil {
		t.Errorf("offers more after the oldest proposal:\n%s", p.View())
	}
	if last := p.rows[len(p.rows)-1].id; last != 1 {
		t.Errorf("oldest listed = %d, want 1", last)
	}
	load(t, p, p.Refresh())
	if len(p.rows) != 250 {
		t.Errorf("a refresh dropped the older proposals: %d listed", len(p.rows))
	}
}

// TestJumpToID: # and an id select a listed proposal, clearing filters
// that hide it; an id not listed opens on the Detail page.
func TestJumpToID(t *testing.T) {
	p := newPage(t)
	keys(p, "#", "1", "0", "3", "9", "enter")
	if id, _ := p.Selected(); id != 1039 {
		t.Errorf("selected %d, want 1039", id)
	}
	keys(p, "s") // open only: 1038 is rejected, filtered out
	keys(p, "#", "1", "0", "3", "8", "enter")
	if id, _ := p.Selected(); id != 1038 || p.Filter() != "topic: all · status: all" {
		t.Errorf("selected %d with %s, want 1038 with the filters cleared", id, p.Filter())
	}
	keys(p, "#", "x", "4", "2", "ctrl+u", "7")
	if p.jump.Value() != "7" {
		t.Errorf("jump field = %q, want 7 (letters refused, ctrl+u clears)", p.jump.Value())
	}
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("an id not listed opened nothing")
	}
	if got, ok := cmd().(common.OpenProposalMsg); !ok || got.ID != 7 {
		t.Errorf("enter sent %#v, want OpenProposalMsg{7}", got)
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

// TestFetchErrorMarksStale: a failed refresh reports the listing stale
// (not an action error), a good one fresh.
func TestFetchErrorMarksStale(t *testing.T) {
	gov := &tuitest.Gov{Err: governance.ErrUnreachable}
	p := New(tuitest.Common(), gov, 100, nil)
	msg := p.Init()()
	_, cmd := p.Update(msg)
	sm, ok := cmd().(common.StaleMsg)
	if !ok || sm.Op != "list proposals" {
		t.Fatalf("got %#v, want StaleMsg for list proposals", sm)
	}
	gov.Err = nil
	_, cmd = p.Update(p.Refresh()())
	if _, ok := cmd().(common.FreshMsg); !ok {
		t.Errorf("a good refresh did not report fresh data")
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
	p := New(tuitest.Common(), nil, 0, nil)
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
	p := New(tuitest.Common(), nil, 0, nil)
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
	p := New(tuitest.Common(), nil, 0, nil)
	p.SetSize(80, 21)
	p.SetProposals(bigList(10_000))
	s := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")}
	b.ReportAllocs()
	for b.Loop() {
		p.Update(s)
	}
}
