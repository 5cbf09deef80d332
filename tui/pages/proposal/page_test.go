package proposal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

func TestMain(m *testing.M) {
	tuitest.NoColor()
	os.Exit(m.Run())
}

func newPage(t *testing.T, gov *tuitest.Gov, id uint64) *Page {
	t.Helper()
	p := New(tuitest.Common(), gov, []uint64{80}, Options{})
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
		case common.ErrorMsg, common.StatusMsg, common.StaleMsg, common.BackMsg:
			out = append(out, msg)
			return out
		case common.FreshMsg, nil:
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
	case "pgdown":
		m = tea.KeyMsg{Type: tea.KeyPgDown}
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
		p := New(tuitest.Common(), nil, nil, Options{})
		p.SetSize(80, 21)
		tuitest.Golden(t, p.View())
	})
	t.Run("disclosure_known", func(t *testing.T) {
		p := New(tuitest.Common(), &tuitest.Gov{Proposals: tuitest.Proposals()}, []uint64{80},
			Options{DisclosureDue: func(v string) (time.Time, bool) {
				return tuitest.Now.Add(6 * 24 * time.Hour), v == tuitest.ElectVersion
			}})
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
	p := New(tuitest.Common(), &tuitest.Gov{}, nil, Options{})
	msgs := run(p, func() tea.Msg { return common.OpenProposalMsg{ID: 7} })
	if len(msgs) != 1 {
		t.Fatalf("got %v", msgs)
	}
	if em := msgs[0].(common.ErrorMsg); em.Op != "get proposal 7" || !strings.Contains(em.Error(), governance.ErrProposalNotFound.Error()) {
		t.Errorf("got %v", em)
	}
}

// TestDisclosureShownOnceRecorded: once the release ledger records the
// disclosure, the badge says disclosed with the date and the source,
// instead of withheld.
func TestDisclosureShownOnceRecorded(t *testing.T) {
	at := tuitest.Now.Add(-time.Hour)
	src := "https://github.com/dfinity/ic/tree/" + tuitest.ElectVersion
	var asked []uint64
	p := New(tuitest.Common(), &tuitest.Gov{Proposals: tuitest.Proposals()}, []uint64{80}, Options{
		Disclosure: func(pr governance.Proposal) rollout.DisclosureView {
			asked = append(asked, pr.ID)
			return rollout.DisclosureView{Disclosed: &rollout.Disclosure{At: at, SourceURL: src}}
		}})
	p.SetSize(80, 21)
	run(p, func() tea.Msg { return common.OpenProposalMsg{ID: 1041} })
	out := p.View()
	if !strings.Contains(out, "✓ SOURCE DISCLOSED 2026-11-20 11:00Z · source") || !strings.Contains(out, tuitest.ElectVersion) {
		t.Errorf("badge lacks the disclosure:\n%s", out)
	}
	if strings.Contains(out, "WITHHELD") || len(asked) != 1 || asked[0] != 1041 {
		t.Errorf("asked the ledger about %v; view:\n%s", asked, out)
	}
	tuitest.Golden(t, out)
}

// TestWrapsAndScrolls: at 80 columns the summary wraps (no line wider, no
// word lost), the checksum shows whole, and pgdn reaches the summary's end.
func TestWrapsAndScrolls(t *testing.T) {
	ps := tuitest.Proposals()
	var words []string
	for i := range 120 {
		words = append(words, fmt.Sprintf("word%03d", i))
	}
	ps[0].Summary = "Elect a security patch.\n\n" + strings.Join(words, " ")
	p := newPage(t, &tuitest.Gov{Proposals: ps}, 1041)
	seen := map[string]bool{}
	for range 20 {
		out := p.View()
		for _, l := range strings.Split(out, "\n") {
			if w := common.Width(l); w > 80 {
				t.Fatalf("line %d wide: %q", w, l)
			}
			for _, f := range strings.Fields(l) {
				seen[f] = true
			}
		}
		if strings.Contains(out, tuitest.ElectSHA) {
			seen["sha"] = true
		}
		press(p, "pgdown")
	}
	for _, w := range append(words, "sha") {
		if !seen[w] {
			t.Errorf("%s never shown while scrolling", w)
		}
	}
	if !strings.Contains(p.View(), "word119") || !strings.Contains(p.View(), "line(s) above") {
		t.Errorf("pgdn did not reach the end:\n%s", p.View())
	}
	// At 50 columns the checksum is wider than a line: it goes on in the
	// next one, whole.
	p.SetSize(50, 21)
	var joined strings.Builder
	for _, l := range p.body() {
		if w := common.Width(l); w > 50 {
			t.Errorf("line %d wide at 50 columns: %q", w, l)
		}
		joined.WriteString(strings.TrimSpace(l))
	}
	if !strings.Contains(joined.String(), "release_package_sha256_hex: "+tuitest.ElectSHA) {
		t.Errorf("the checksum is cut at 50 columns:\n%s", strings.Join(p.body(), "\n"))
	}
}

func TestEscGoesBack(t *testing.T) {
	p := newPage(t, &tuitest.Gov{Proposals: tuitest.Proposals()}, 1041)
	msgs := press(p, "esc")
	if len(msgs) != 1 {
		t.Fatalf("esc sent %v", msgs)
	}
	if _, ok := msgs[0].(common.BackMsg); !ok {
		t.Errorf("esc sent %#v, want BackMsg", msgs[0])
	}
}

// TestOpenDashboard: o opens the proposal's dashboard page; without a
// browser the URL is shown instead.
func TestOpenDashboard(t *testing.T) {
	const url = "https://dashboard.internetcomputer.org/proposal/1041"
	var opened []string
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"browser", nil, "opened " + url},
		{"no_browser", common.ErrNoBrowser, url + " (no browser to open)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(tuitest.Common(), &tuitest.Gov{Proposals: tuitest.Proposals()}, nil, Options{
				OpenURL: func(u string) error { opened = append(opened, u); return tc.err }})
			p.SetSize(80, 21)
			run(p, func() tea.Msg { return common.OpenProposalMsg{ID: 1041} })
			msgs := press(p, "o")
			if len(msgs) != 1 || string(msgs[0].(common.StatusMsg)) != tc.want {
				t.Errorf("o sent %v, want status %q", msgs, tc.want)
			}
		})
	}
	if len(opened) != 2 || opened[0] != url {
		t.Errorf("opened %v", opened)
	}
}

// TestRefreshFailureMarksStale: a failed refresh of the proposal shown
// marks it stale; a failed first load is an error.
func TestRefreshFailureMarksStale(t *testing.T) {
	gov := &tuitest.Gov{Proposals: tuitest.Proposals()}
	p := newPage(t, gov, 1041)
	gov.Err = governance.ErrUnreachable
	msgs := run(p, p.Refresh())
	if len(msgs) != 1 {
		t.Fatalf("got %v", msgs)
	}
	if _, ok := msgs[0].(common.StaleMsg); !ok {
		t.Errorf("got %#v, want StaleMsg", msgs[0])
	}
	if !strings.Contains(p.View(), "#1041") {
		t.Error("the proposal went away on a failed refresh")
	}
}

// TestExpectedLikeVerify: the checksum a canister upgrade declares is its
// wasm_module_hash, as `nnspatch verify` reads it, also when no payload
// field is named like a checksum.
func TestExpectedLikeVerify(t *testing.T) {
	want := strings.Repeat("ab", 32)
	pr := governance.Proposal{ID: 2001, Title: "Upgrade the registry canister", Status: governance.StatusOpen,
		Action: governance.Action{Kind: "InstallCode", Install: &governance.InstallView{CanisterID: "rwlgt-iiaaa-aaaaa-aaaaa-cai", WasmModuleHash: strings.ToUpper(want)}}}
	p := newPage(t, &tuitest.Gov{Proposals: []governance.Proposal{pr}}, 2001)
	if sum, field := p.Expected(); sum != want || field != "wasm_module_hash" {
		t.Errorf("Expected() = %q, %q; want %q, wasm_module_hash", sum, field, want)
	}
}
