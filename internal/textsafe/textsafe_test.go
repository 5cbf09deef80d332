package textsafe

import "testing"

func TestSanitize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Security patch update", "Security patch update"},
		{"keeps newlines and tabs", "a\n\tb", "a\n\tb"},
		{"colour", "\x1b[31mred\x1b[0m", "red"},
		{"clear screen", "x\x1b[2J\x1b[Hy", "xy"},
		{"osc title with BEL", "\x1b]0;pwned\x07ok", "ok"},
		{"osc hyperlink with ST", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"dcs", "\x1bPq#0;2;0;0;0\x1b\\after", "after"},
		{"8-bit csi", "a\u009b31mb", "ab"},
		{"carriage return and backspace", "safe\rEVIL\b", "safeEVIL"},
		{"bidi override", "abc\u202edcba", "abcdcba"},
		{"charset select", "\x1b(Bz", "z"},
		{"trailing escape", "z\x1b", "z"},
		{"unicode kept", "Grüße ✓", "Grüße ✓"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Sanitize(c.in); got != c.want {
				t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	if got := SanitizeLine("a\nb\tc"); got != "a b c" {
		t.Errorf("SanitizeLine = %q", got)
	}
}

// Invisible and line-breaking characters are dropped or normalized; emoji
// sequences that legitimately use joiners, variation selectors and tags
// survive.
func TestSanitizeInvisibles(t *testing.T) {
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
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := SanitizeLine("a\u2028b"); got != "a b" {
		t.Errorf("SanitizeLine = %q", got)
	}
}
