package common

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestWidth: plain text and single-code-point wide characters measure as
// everywhere; emoji built from several code points measure as the widest
// terminal draws them.
func TestWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"plain ascii", 11},
		{"é", 1},                  // e + combining acute: one cell everywhere
		{"中文", 4},                 // wide CJK
		{"👍", 2},                  // a single emoji code point
		{"🇩🇪", 2},                 // a flag: a regional indicator pair
		{"❤️", 2},                 // VS16: 2 on clustering terminals, 1 elsewhere
		{"#️⃣", 2},                // keycap
		{"👨‍👩‍👧‍👦", 8},            // ZWJ family: 2 clustered, 8 drawn code point by code point
		{"👍🏽", 4},                 // skin tone: 2 clustered, 4 unclustered
		{"\x1b[1mbold\x1b[0m", 4}, // styles take no cells
	} {
		if got := Width(tc.s); got != tc.want {
			t.Errorf("Width(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"longer than ten", 10, "longer th…"},
		{"👨‍👩‍👧‍👦 family", 9, "👨‍👩‍👧‍👦…"}, // 8 cells by the widest measure
		{"👨‍👩‍👧‍👦 family", 8, "…"},        // never half a cluster
		{"a❤️b❤️c", 5, "a❤️b…"},
		{"中文中文", 5, "中文…"},
	} {
		got := Truncate(tc.s, tc.width, "…")
		if got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.s, tc.width, got, tc.want)
		}
		if w := Width(got); w > tc.width {
			t.Errorf("Truncate(%q, %d) is %d wide", tc.s, tc.width, w)
		}
	}
}

// TestTruncateKeepsStyles: a styled line cut short still ends its style.
func TestTruncateKeepsStyles(t *testing.T) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.ANSI)
	s := r.NewStyle().Bold(true).Render("a bold line that is too long")
	got := Truncate(s, 10, "…")
	if Width(got) != 10 || !strings.HasSuffix(got, "\x1b[0m") || !strings.Contains(got, "a bold li…") {
		t.Errorf("Truncate(styled) = %q", got)
	}
}

func TestFitPads(t *testing.T) {
	for _, s := range []string{"x", "👨‍👩‍👧‍👦", "🇺🇦🇩🇪 flags and more text than fits"} {
		if got := Fit(s, 12); Width(got) != 12 {
			t.Errorf("Fit(%q, 12) = %q is %d wide", s, got, Width(got))
		}
	}
}

func TestShortCutsBetweenClusters(t *testing.T) {
	if got := Short("release-🇺🇦🇩🇪", 9); got != "release-…" {
		t.Errorf("Short = %q", got)
	}
	if got := Short("2c4fdf9d2d53", 8); got != "2c4fdf9d…" {
		t.Errorf("Short = %q", got)
	}
}

// TestWrap: words wrap at spaces, a hash longer than the line is broken
// (never cut), breaks in the text stay, and no line is wider than asked.
func TestWrap(t *testing.T) {
	hash := strings.Repeat("0123456789abcdef", 4)
	text := "Elect a security patch.\nrelease_package_sha256_hex: " + hash + "\n  indented 👨‍👩‍👧‍👦 text wraps with its indent"
	lines := Wrap(text, 30)
	joined := strings.Join(lines, "")
	if !strings.Contains(strings.ReplaceAll(joined, " ", ""), hash) {
		t.Errorf("the hash was cut:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if Width(l) > 30 {
			t.Errorf("line %q is %d wide", l, Width(l))
		}
	}
	if lines[0] != "Elect a security patch." {
		t.Errorf("first line %q", lines[0])
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "  ") {
		t.Errorf("continuation lost its indent: %q", last)
	}
}
