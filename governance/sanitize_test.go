package governance

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
