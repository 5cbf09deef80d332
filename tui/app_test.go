package tui

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
	"github.com/nnspatch/nnspatch/tui/pages/proposals"
)

func TestMain(m *testing.M) {
	tuitest.NoColor()
	os.Exit(m.Run())
}

// newApp returns the app over a fake governance holding the fixtures,
// sized 80x24 with the listing loaded.
func newApp(t testing.TB, gov *tuitest.Gov) *App {
	t.Helper()
	a := New(Deps{Gov: gov, Network: "local", Neurons: []uint64{80}, Now: func() time.Time { return tuitest.Now }, Refresh: -1})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	a.Update(proposals.LoadedMsg{Proposals: gov.Proposals})
	return a
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// drain runs cmd and feeds every resulting message back, depth first.
func drain(a *App, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			drain(a, c)
		}
		return
	}
	if msg == nil {
		return
	}
	_, next := a.Update(msg)
	drain(a, next)
}

func press(a *App, ks ...string) {
	for _, k := range ks {
		_, cmd := a.Update(keyMsg(k))
		drain(a, cmd)
	}
}

func checkScreen(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != 24 {
		t.Errorf("screen has %d lines, want 24", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d cells wide: %q", i+1, w, l)
		}
	}
}

func TestScreens(t *testing.T) {
	cases := map[string][]string{
		"proposals": nil,
		"help":      {"?"},
		"detail":    {"enter"},
		"evil":      {"j", "enter"},
		"draft":     {"3"},
		"releases":  {"4"},
		"rollback":  {"5"},
	}
	for name, ks := range cases {
		t.Run(name, func(t *testing.T) {
			a := newApp(t, &tuitest.Gov{Proposals: tuitest.Proposals()})
			press(a, ks...)
			out := a.View()
			checkScreen(t, out)
			tuitest.Golden(t, out)
		})
	}
}

func TestErrorLineAndRecovery(t *testing.T) {
	gov := &tuitest.Gov{Proposals: tuitest.Proposals(), Err: &governance.UnreachableError{Network: "local", URL: "http://127.0.0.1:1", Err: errors.New("connection refused")}}
	a := newApp(t, gov)
	press(a, "r")
	out := a.View()
	checkScreen(t, out)
	tuitest.Golden(t, out)
	if !strings.Contains(out, "✗ list proposals") {
		t.Fatalf("no error line:\n%s", out)
	}
	gov.Err = nil
	press(a, "r")
	if out := a.View(); strings.Contains(out, "✗") {
		t.Errorf("error line still shown after a good fetch:\n%s", out)
	}
}

func TestResizeDownTo80x24(t *testing.T) {
	a := newApp(t, &tuitest.Gov{Proposals: tuitest.Proposals()})
	press(a, "enter", "1")
	for page := range a.pages {
		a.active = page
		for _, sz := range [][2]int{{200, 60}, {120, 40}, {80, 24}} {
			a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			out := a.View()
			lines := strings.Split(out, "\n")
			if len(lines) != sz[1] {
				t.Errorf("%s at %dx%d: %d lines", a.pages[page].Title(), sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%s at %dx%d: line %d is %d wide", a.pages[page].Title(), sz[0], sz[1], i+1, w)
				}
			}
		}
	}
}

func TestQuitKeys(t *testing.T) {
	a := newApp(t, &tuitest.Gov{Proposals: tuitest.Proposals()})
	_, cmd := a.Update(keyMsg("q"))
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("q did not quit")
	}
	// While searching, q is text, not quit.
	press(a, "/")
	if _, cmd := a.Update(keyMsg("q")); cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Errorf("q quit while typing a search")
		}
	}
	_ = common.StatusMsg("")
}

// TestCountdownsFollowTheNetworkClock: with a network clock (a local
// network's virtual clock, days ahead), every page measures countdowns
// against it, and a later reading moves them.
func TestCountdownsFollowTheNetworkClock(t *testing.T) {
	virtual := tuitest.Now // the fixtures' deadlines are days after it, whatever the local date
	gov := &tuitest.Gov{Proposals: tuitest.Proposals()}
	a := New(Deps{Gov: gov, Network: "local", Refresh: -1,
		NetworkNow: func(context.Context) (time.Time, error) { return virtual, nil }})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(a, a.Init())
	a.Update(proposals.LoadedMsg{Proposals: gov.Proposals})
	near := func(got, want time.Time) bool { d := got.Sub(want); return d > -time.Minute && d < time.Minute }
	if !near(a.Now(), virtual) {
		t.Fatalf("app clock = %v, want the network's %v", a.Now(), virtual)
	}
	// #1041 closes 3 days after the network's now: the list counts down
	// from the network's clock, not the local one.
	if out := a.View(); !strings.Contains(out, "2d23h") && !strings.Contains(out, "3d00h") {
		t.Errorf("the list's countdown is not on the network clock:\n%s", out)
	}
	virtual = virtual.Add(48 * time.Hour)
	a.Update(common.TickMsg(time.Now()))
	drain(a, a.clockCmd())
	if !near(a.Now(), virtual) {
		t.Errorf("after a tick the clock = %v, want %v", a.Now(), virtual)
	}
	// A failed reading keeps the last offset.
	a.Update(common.ClockMsg{Err: errors.New("unreachable")})
	if !near(a.Now(), virtual) {
		t.Errorf("a failed reading moved the clock to %v", a.Now())
	}
}
