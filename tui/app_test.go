package tui

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
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
	a := New(Deps{Gov: gov, Network: "local", Neurons: []uint64{80}, Now: func() time.Time { return tuitest.Now },
		Wall: func() time.Time { return wall }, Refresh: -1})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := a.Update(proposals.LoadedMsg{Proposals: gov.Proposals})
	drain(a, scope(0, cmd))
	return a
}

// wall is the tests' local clock; a test moves it to age data and expire
// messages.
var wall = tuitest.Now

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
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

// checkScreen fails unless out is one 80x24 frame: 24 lines, none wider
// than 80 cells by the widest-drawing terminal's measure, the tab bar
// first and at most one cursor row.
func checkScreen(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != 24 {
		t.Errorf("screen has %d lines, want 24", len(lines))
	}
	for i, l := range lines {
		if w := common.Width(l); w > 80 {
			t.Errorf("line %d is %d cells wide: %q", i+1, w, l)
		}
	}
	if !strings.HasPrefix(lines[0], "nnspatch ") {
		t.Errorf("first line is not the tab bar: %q", lines[0])
	}
	if n := strings.Count(out, proposals.SelectedGlyph); n > 1 {
		t.Errorf("%d cursor rows", n)
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

// TestStaleMarkAndRecovery: a failed refresh keeps the listing, marks it
// stale with the error and its age; a good refresh clears the mark. The
// mark belongs to the Proposals page: the Draft page's line stays clean.
func TestStaleMarkAndRecovery(t *testing.T) {
	defer func(w time.Time) { wall = w }(wall)
	gov := &tuitest.Gov{Proposals: tuitest.Proposals()}
	a := newApp(t, gov)
	if out := a.View(); !strings.Contains(out, "updated 0s ago") {
		t.Fatalf("no data age:\n%s", out)
	}
	wall = wall.Add(2*time.Minute + 5*time.Second)
	gov.Err = &governance.UnreachableError{Network: "local", URL: "http://127.0.0.1:1", Err: errors.New("connection refused")}
	press(a, "r")
	out := a.View()
	checkScreen(t, out)
	tuitest.Golden(t, out)
	for _, want := range []string{"⚠ list proposals: network local", "⚠ stale · updated 2m ago", "Security patch update"} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
	press(a, "tab", "tab")
	if out := a.View(); strings.Contains(out, "⚠") || strings.Contains(out, "refresh failed") {
		t.Errorf("the Proposals page's stale mark follows to %s:\n%s", a.pages[a.active].Title(), out)
	}
	press(a, "esc", "1")
	gov.Err = nil
	press(a, "r")
	if out := a.View(); strings.Contains(out, "⚠") || !strings.Contains(out, "updated 0s ago") {
		t.Errorf("stale mark still shown after a good refresh:\n%s", out)
	}
}

// TestStatusScopedAndExpires: a page's message shows on that page only
// and goes after a few seconds; an error stays longer, and esc dismisses
// it.
func TestStatusScopedAndExpires(t *testing.T) {
	defer func(w time.Time) { wall = w }(wall)
	gov := &tuitest.Gov{Proposals: tuitest.Proposals()}
	a := newApp(t, gov)
	press(a, "enter", "y", "y") // vote yes on #1041 from the Detail page
	if out := a.View(); !strings.Contains(out, "✓ voted yes on #1041") {
		t.Fatalf("no vote status:\n%s", out)
	}
	press(a, "1")
	if out := a.View(); strings.Contains(out, "voted yes") {
		t.Errorf("the Detail page's status follows to Proposals:\n%s", out)
	}
	press(a, "2")
	if !strings.Contains(a.View(), "voted yes") {
		t.Errorf("the status left its page")
	}
	wall = wall.Add(statusTTL)
	if out := a.View(); strings.Contains(out, "voted yes") {
		t.Errorf("the status did not expire:\n%s", out)
	}
	drain(a, scope(1, common.ErrorCmd("vote yes on 1040", errors.New("neuron 80: not eligible"))))
	if out := a.View(); !strings.Contains(out, "✗ vote yes on 1040: neuron 80: not eligible (esc dismiss)") {
		t.Fatalf("no error:\n%s", out)
	}
	wall = wall.Add(statusTTL)
	if !strings.Contains(a.View(), "not eligible") {
		t.Errorf("an error went as fast as a status")
	}
	press(a, "esc")
	if out := a.View(); strings.Contains(out, "not eligible") || a.pages[a.active].Title() != detailTitle {
		t.Errorf("esc did not dismiss the error (or left the page):\n%s", out)
	}
	press(a, "esc")
	if a.active != 0 {
		t.Errorf("esc on the Detail page went to %s, want back to Proposals", a.pages[a.active].Title())
	}
}

// TestKeyBursts: keys that arrive in one read (one KeyMsg with several
// runes) act one by one: "jj" moves twice, "3ab" opens the Draft page and
// types "ab" into its focused field.
func TestKeyBursts(t *testing.T) {
	a := newApp(t, &tuitest.Gov{Proposals: tuitest.Proposals()})
	press(a, "jj")
	if id, _ := a.pages[0].(*proposals.Page).Selected(); id != 1039 {
		t.Errorf("after a burst of jj the cursor is on %d, want 1039", id)
	}
	press(a, "k3ab")
	if a.active != 2 {
		t.Fatalf("the burst did not switch to Draft: on %s", a.pages[a.active].Title())
	}
	if out := a.View(); !strings.Contains(out, "▸ Version       ab") {
		t.Errorf("the rest of the burst did not reach the field:\n%s", out)
	}
	// A paste stays whole, whatever it holds.
	_, cmd := a.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("1q2"), Paste: true})
	drain(a, cmd)
	if out := a.View(); a.active != 2 || !strings.Contains(out, "ab1q2") {
		t.Errorf("paste not typed into the field:\n%s", out)
	}
}

// TestDraftFieldTakesDigits: on the Draft page the focused field takes
// digits and q; the page keys work again after esc.
func TestDraftFieldTakesDigits(t *testing.T) {
	a := newApp(t, &tuitest.Gov{Proposals: tuitest.Proposals()})
	press(a, "3", "1", "q", "4", "tab", "2")
	if a.active != 2 {
		t.Fatalf("typing switched to %s", a.pages[a.active].Title())
	}
	out := a.View()
	if !strings.Contains(out, "Version       1q4") || !strings.Contains(out, "▸ Artifacts     2") {
		t.Errorf("typed keys not in the fields:\n%s", out)
	}
	press(a, "esc", "1")
	if a.active != 0 {
		t.Errorf("after esc, 1 did not switch to Proposals")
	}
}

// hostileTitles are titles terminals draw wider than a grapheme count
// says: ZWJ sequences, flags, VS16, skin tones, CJK, keycaps.
var hostileTitles = []string{
	"👨‍👩‍👧‍👦 family ZWJ 🏳️‍🌈 rainbow flag ZWJ+VS16 🧑🏽‍💻 coder skin tone, and more text to cut",
	"🇺🇦🇩🇪🇯🇵🇨🇭🇧🇷🇮🇳 flags only, a row of regional indicator pairs to overflow 80 columns",
	"❤️⚠️☺️✔️ VS16 hearts and warnings ❤️⚠️☺️✔️ repeated ❤️⚠️☺️✔️ until the title is cut",
	"中文标题 wide CJK 日本語のタイトル 한국어 제목 mixed with #️⃣ keycaps and 👍🏽 thumbs",
}

// TestEmojiTitles: at 80x24 and after resizes, every row of the list and
// of the detail of such titles stays within the width, with the tab bar on
// top and one cursor.
func TestEmojiTitles(t *testing.T) {
	ps := tuitest.Proposals()
	for i := range hostileTitles {
		ps[i].Title = hostileTitles[i]
	}
	a := newApp(t, &tuitest.Gov{Proposals: ps})
	press(a, "j")
	out := a.View()
	checkScreen(t, out)
	tuitest.Golden(t, out)
	for _, sz := range [][2]int{{120, 30}, {61, 20}, {80, 24}} {
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for i, l := range strings.Split(a.View(), "\n") {
			if w := common.Width(l); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d wide", sz[0], sz[1], i+1, w)
			}
		}
	}
	checkScreen(t, a.View())
	press(a, "enter")
	checkScreen(t, a.View())
	if !strings.Contains(a.View(), "🇺🇦🇩🇪🇯🇵🇨🇭🇧🇷🇮🇳 flags only") {
		t.Errorf("detail lacks the title:\n%s", a.View())
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
				if w := common.Width(l); w > sz[0] {
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
