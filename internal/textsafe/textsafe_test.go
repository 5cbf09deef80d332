package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Security patch update", "Security patch update"},
		{"keeps newlines and tabs", "a\n\tb", "a\n\tb"},
		{"unicode kept", "Grüße ✓ 日本", "Grüße ✓ 日本"},
		{"colour", "\x1b[31mred\x1b[0m", "red"},
		{"clear screen", "x\x1b[2J\x1b[Hy", "xy"},
		{"osc title with BEL", "\x1b]0;pwned\x07ok", "ok"},
		{"osc hyperlink with ST", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"unterminated osc", "ok\x1b]0;pwned\nstill title", "ok"},
		{"unterminated 8-bit osc", "ok\u009d0;pwned", "ok"},
		{"dcs", "\x1bPq#0;2;0;0;0\x1b\\after", "after"},
		{"8-bit csi", "a\u009b31mb", "ab"},
		{"carriage return and backspace", "safe\rEVIL\b", "safeEVIL"},
		{"bidi override", "abc\u202edcba\u2066x\u2069", "abcdcbax"},
		{"zero-width", "ad\u200bmin\u200c\u200d\u2060\ufeff", "admin"},
		{"tag characters", "ok\U000E0041\U000E0042\U000E007F", "ok"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a\nb\nc"},
		{"charset select", "\x1b(Bz", "z"},
		{"trailing escape", "z\x1b", "z"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"soft hyphen", "in\u00advisible", "invisible"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Text(c.in); got != c.want {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	if got := Line("a\nb\tc\u2028d\re"); got != "a b c de" {
		t.Errorf("Line = %q", got)
	}
}

func TestMarkdownLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"disk full\n# Approved by DFINITY", `disk full \# Approved by DFINITY`},
		{"see [here](https://evil) *now* <script>", `see \[here\](https://evil) \*now\* \<script\>`},
		{"a | b `c` ~d~ \\ !", "a \\| b \\`c\\` \\~d\\~ \\\\ \\!"},
		{"\n- item", `- item`},
	}
	for _, c := range cases {
		if got := MarkdownLine(c.in); got != c.want {
			t.Errorf("MarkdownLine(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(MarkdownLine(c.in), "\n") {
			t.Errorf("MarkdownLine(%q) has a newline", c.in)
		}
	}
}

func TestUnsafe(t *testing.T) {
	if _, _, bad := Unsafe("console=ttyS0 root=/dev/vda1 quiet"); bad {
		t.Error("a plain kernel command line is unsafe")
	}
	for in, want := range map[string]rune{"a\x1b[2J": 0x1b, "a\nb": '\n', "x\u200by": 0x200b, "x\U000E0041": 0xe0041, "x\xff": utf8.RuneError, "a\u2028": 0x2028} {
		r, _, bad := Unsafe(in)
		if !bad || r != want {
			t.Errorf("Unsafe(%q) = %U %v, want %U", in, r, bad, want)
		}
	}
}

// FuzzText checks that nothing Text returns can control a terminal: no
// ESC, no C0/C1 control but newline and tab, no format character.
func FuzzText(f *testing.F) {
	for _, s := range []string{"\x1b]0;x", "\u009b1m", "a\u202eb", "\U000E0041", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		for _, r := range out {
			if r != '\n' && r != '\t' && dropped(r) {
				t.Fatalf("Text(%q) kept %U", s, r)
			}
		}
		if r, _, bad := Unsafe(Line(s)); bad && r != utf8.RuneError {
			t.Fatalf("Line(%q) = %q is not safe", s, Line(s))
		}
	})
}

// benchText is a long proposal summary with a few hostile sequences.
var benchText = strings.Repeat("The source is withheld per the Security Patch Policy; see https://forum.dfinity.org/t/123.\n", 100) +
	"\x1b]0;title\x07\u200b\u202e\U000E0041 end"

func BenchmarkText(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		_ = Text(benchText)
	}
}

// Invisible and line-breaking characters are dropped or normalized; emoji
// sequences that legitimately use joiners, variation selectors and tags
// survive.
func TestTextEmojiAndInvisibles(t *testing.T) {
	england := "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"
	family := "\U0001F468\u200D\U0001F469\u200D\U0001F467"
	for in, want := range map[string]string{
		"pay\u200Bpal":                      "paypal",
		"a\u200Cb\u2060c\uFEFFd":            "abcd",
		"x\u200Dy":                          "xy",
		"hidden\U000E0041\U000E0042":        "hidden",
		"one\u2028two\u2029three":           "one\ntwo\nthree",
		"title\x1b]0;pwned":                 "title",
		"bad \xff utf8":                     "bad \uFFFD utf8",
		family:                              family,
		england:                             england,
		"\u2764\uFE0F \U0001F1E9\U0001F1EA": "\u2764\uFE0F \U0001F1E9\U0001F1EA",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Line("a\u2028b"); got != "a b" {
		t.Errorf("Line = %q", got)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain reason":                       "plain reason",
		"a\n2026-12-05 10:00:00  x  advance": `a\n2026-12-05 10:00:00  x  advance`,
		"tab\there\r\n":                      `tab\there\r\n`,
		"esc\x1b[31mred":                     `esc\x1b[31mred`,
		"sep\u2028line\u2029para":            `sep\u2028line\u2029para`,
		"zero\u200bwidth\ufeff":              `zero\u200bwidth\ufeff`,
		"bad\xffbyte":                        `bad\xffbyte`,
		"émoji 🚀 ok":                         "émoji 🚀 ok",
	} {
		got := Escape(in)
		if got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if Line(got) != got {
			t.Errorf("Escape(%q) = %q is not one safe line", in, got)
		}
	}
}
