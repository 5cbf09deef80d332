package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// sgrColour matches an SGR sequence that sets a foreground or background
// colour.
var sgrColour = regexp.MustCompile(`\x1b\[(?:[0-9]*;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]*)*m`)

// tmuxSession drives a real terminal: a private tmux server (its own
// socket) running one 80x24 session.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s tmuxSession) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// screen captures the visible pane as text.
func (s tmuxSession) screen() string {
	out, _ := s.run("capture-pane", "-p", "-t", "tui")
	return out
}

// waitScreen polls the pane until it contains want.
func (s tmuxSession) waitScreen(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q; last screen:\n%s", want, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// makeMotion submits an open motion from the developer's neuron 80.
func makeMotion(t *testing.T, url, identity, title string) {
	t.Helper()
	id, err := governance.LoadIdentity(identity, governance.IdentityEnv{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := governance.New(ctx, governance.Network{Name: "local", URL: url, FetchRootKey: true}, id, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MakeProposal(ctx, 80, govdid.MakeProposalRequest{Title: &title, Summary: "A motion for the tmux test.",
		Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: "tmux"}}}); err != nil {
		t.Fatal(err)
	}
}

// TestTUIInTmux runs the real binary in tmux against a local network:
// the proposals load, ? shows the keymap, the Releases page follows a
// release whose rollout started, the Rollback page plans its rollback, q
// quits, and the log goes to the log file, not the terminal.
func TestTUIInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is not installed; run scripts/setup-test.sh (or apt-get install -y tmux): %v", err)
	}
	n := releaseNet(t)
	makeMotion(t, n.URL(), n.DeveloperIdentityPath(), "Motion: seen in tmux")
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "2", "--bake", "15m")
	mustRun(t, 0, "rollout", "advance", rel, "--yes")
	dir := t.TempDir()
	bin := filepath.Join(dir, "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	logFile := filepath.Join(dir, "tui.log")
	s := tmuxSession{t: t, socket: fmt.Sprintf("nnspatch-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { s.run("kill-server") })
	cmdline := strings.Join([]string{bin, "tui", "--network", "local", "--refresh", "2s", "--log-file", logFile, "--release", rel, "2>" + filepath.Join(dir, "stderr")}, " ")
	if out, err := s.run("new-session", "-d", "-s", "tui", "-x", "80", "-y", "24", "-e", "NO_COLOR=1", cmdline); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "stderr"))
			t.Logf("stderr of nnspatch tui:\n%s", b)
		}
	})
	s.waitScreen("[1 Proposals]")
	scr := s.waitScreen("Tally ¦3% │50%")
	if strings.Contains(scr, "✗") && strings.Contains(scr, "unreachable") {
		t.Fatalf("network error on screen:\n%s", scr)
	}
	scr = s.waitScreen("Motion: seen in tmux")
	if !strings.Contains(scr, "4/4") || !strings.Contains(scr, "▶") || !strings.Contains(scr, "5 Rollback  local htt…") {
		t.Errorf("listing not drawn as expected:\n%s", scr)
	}
	if n := len(strings.Split(strings.TrimRight(scr, "\n"), "\n")); n > 24 {
		t.Errorf("screen has %d lines", n)
	}
	// NO_COLOR: attributes such as bold may stay, colours must not.
	if esc, _ := s.run("capture-pane", "-p", "-e", "-t", "tui"); sgrColour.MatchString(esc) {
		t.Errorf("colour on screen under NO_COLOR: %q", sgrColour.FindString(esc))
	}
	s.run("send-keys", "-t", "tui", "?")
	s.waitScreen("Keys — Proposals")
	s.run("send-keys", "-t", "tui", "Escape")
	s.run("send-keys", "-t", "tui", "4")
	s.waitScreen("Version " + patchVersion[:12])
	s.waitScreen("batch 1")
	s.run("send-keys", "-t", "tui", "5")
	s.waitScreen("No rollback under way")
	s.run("send-keys", "-t", "tui", "p")
	scr = s.waitScreen("1. halt the rollout")
	if !strings.Contains(scr, "Rollback of GuestOS "+patchVersion[:8]+"… · security · not submitted") || !strings.Contains(scr, "not submitted") {
		t.Errorf("rollback plan not drawn as expected:\n%s", scr)
	}
	s.run("send-keys", "-t", "tui", "q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.run("has-session", "-t", "tui"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "stderr")); len(bytes.TrimSpace(b)) > 0 {
		t.Errorf("the TUI wrote to stderr: %q", b)
	}
	if _, err := os.Stat(logFile); err != nil {
		t.Errorf("no log file: %v", err)
	}
}

// hostileTitles are proposal titles whose width terminals and width
// libraries have disagreed on: ZWJ sequences, flags, VS16 emoji, skin
// tones, wide CJK and a keycap, long enough to be cut at 80 columns.
var hostileTitles = []string{
	"👨‍👩‍👧‍👦 family ZWJ 🏳️‍🌈 rainbow flag ZWJ+VS16 🧑🏽‍💻 coder skin tone, and more text to cut",
	"🇺🇦🇩🇪🇯🇵🇨🇭🇧🇷🇮🇳 flags only, a row of regional indicator pairs to overflow 80 columns",
	"❤️⚠️☺️✔️ VS16 hearts and warnings ❤️⚠️☺️✔️ repeated ❤️⚠️☺️✔️ until the title is cut",
	"中文标题 wide CJK 日本語のタイトル 한국어 제목 mixed with #️⃣ keycaps and 👍🏽 thumbs",
}

// tuiBinary builds the binary under test into dir.
func tuiBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// frameProblem says what is wrong with the pane's frame at cols x rows
// ("" when it is intact): the tab bar on the first line, no more lines
// than rows (tmux wraps any row drawn wider than the pane, pushing the
// top away), one cursor row, and the status line's data age in view.
func frameProblem(scr string, cols, rows int) string {
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	switch {
	case !strings.HasPrefix(lines[0], "nnspatch "):
		return fmt.Sprintf("the tab bar scrolled away; first line %q", lines[0])
	case len(lines) > rows:
		return fmt.Sprintf("%d lines", len(lines))
	case strings.Count(scr, "▶") != 1:
		return fmt.Sprintf("%d cursor rows (▶), want 1", strings.Count(scr, "▶"))
	case !strings.Contains(scr, "updated "):
		return "no status line"
	}
	return ""
}

// waitFrame polls the pane until it shows an intact frame; a broken one
// stays broken until the next resize, so it fails the test.
func (s tmuxSession) waitFrame(cols, rows int) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.screen()
		p := frameProblem(scr, cols, rows)
		if p == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%dx%d: %s:\n%s", cols, rows, p, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cursorRow is the pane's line holding the cursor (▶).
func cursorRow(scr string) string {
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "▶") {
			return l
		}
	}
	return ""
}

// waitCursor polls the pane until the cursor row holds want.
func (s tmuxSession) waitCursor(want string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(cursorRow(s.screen()), want) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the cursor never reached the row of %q:\n%s", want, s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTUIEmojiResizeInTmux runs the real binary in tmux over a list of
// hostile emoji titles: every frame keeps the tab bar on top, one cursor
// and every row within the width, through a key burst (three keys in one
// read move the cursor three rows) and resizes to 120x30 and back to 80x24.
func TestTUIEmojiResizeInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is not installed; run scripts/setup-test.sh (or apt-get install -y tmux): %v", err)
	}
	n := releaseNet(t)
	for _, title := range hostileTitles {
		makeMotion(t, n.URL(), n.DeveloperIdentityPath(), title)
	}
	dir := t.TempDir()
	bin := tuiBinary(t, dir)
	s := tmuxSession{t: t, socket: fmt.Sprintf("nnspatch-emoji-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { s.run("kill-server") })
	cmdline := strings.Join([]string{bin, "tui", "--network", "local", "--refresh", "2s", "--log-file", filepath.Join(dir, "tui.log"),
		"2>" + filepath.Join(dir, "stderr")}, " ")
	if out, err := s.run("new-session", "-d", "-s", "tui", "-x", "80", "-y", "24", "-e", "NO_COLOR=1", cmdline); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	s.waitScreen("flags only")
	s.waitFrame(80, 24)
	if row := cursorRow(s.screen()); !strings.Contains(row, "中文标题") {
		t.Fatalf("the cursor does not start on the newest proposal: %q", row)
	}
	// A burst: three keys in one write reach the app in one read.
	s.run("send-keys", "-t", "tui", "-l", "jjj")
	s.waitCursor(" 1 👨")
	for _, size := range [][2]int{{120, 30}, {80, 24}, {61, 20}, {80, 24}} {
		if out, err := s.run("resize-window", "-t", "tui", "-x", fmt.Sprint(size[0]), "-y", fmt.Sprint(size[1])); err != nil {
			t.Fatalf("resize: %v\n%s", err, out)
		}
		scr := s.waitFrame(size[0], size[1])
		if row := cursorRow(scr); !strings.Contains(row, " 1 👨") {
			t.Errorf("%dx%d: the cursor left the oldest proposal: %q", size[0], size[1], row)
		}
	}
	s.run("send-keys", "-t", "tui", "-l", "kk")
	s.waitCursor(" 3 ❤️")
	s.waitFrame(80, 24)
	s.run("send-keys", "-t", "tui", "q")
}

// startTUI builds the binary and runs `nnspatch tui args…` in a private
// tmux session of 100x30 under NO_COLOR, against the local network, its
// log and stderr in a temporary directory (logged if the test fails); it
// returns once the tab bar shows.
func startTUI(t *testing.T, name string, args ...string) tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is not installed; run scripts/setup-test.sh (or apt-get install -y tmux): %v", err)
	}
	dir := t.TempDir()
	bin := tuiBinary(t, dir)
	s := tmuxSession{t: t, socket: fmt.Sprintf("nnspatch-%s-%d-%d", name, os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { s.run("kill-server") })
	stderr, logFile := filepath.Join(dir, "stderr"), filepath.Join(dir, "tui.log")
	cmdline := strings.Join(append(append([]string{bin, "tui", "--network", "local", "--log-file", logFile}, args...), "2>"+stderr), " ")
	if out, err := s.run("new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", "-e", "NO_COLOR=1", cmdline); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(stderr)
			lg, _ := os.ReadFile(logFile)
			t.Logf("stderr of nnspatch tui:\n%s\nlog:\n%s", b, lg)
		}
	})
	s.waitScreen("[1 Proposals]")
	return s
}
