package localnet

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClockAdvanceAndMonotonic(t *testing.T) {
	real := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	c := NewClock(func() time.Time { return real })
	if got := c.Now(); !got.Equal(real) {
		t.Fatalf("now = %v", got)
	}
	if got := c.Advance(4 * 24 * time.Hour); !got.Equal(real.Add(96 * time.Hour)) {
		t.Fatalf("after advance = %v", got)
	}
	real = real.Add(-time.Hour) // real clock steps back
	if got := c.Now(); !got.Equal(real.Add(time.Hour).Add(96 * time.Hour)) {
		t.Fatalf("clock went backwards: %v", got)
	}
	c.Advance(-time.Hour)
	if c.Offset() != 96*time.Hour {
		t.Fatalf("offset = %v", c.Offset())
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"4d", 96 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"90m", 90 * time.Minute, false},
		{"1d12h", 36 * time.Hour, false},
		{"45s", 45 * time.Second, false},
		{"", 0, true},
		{"-3h", 0, true},
		{"xd", 0, true},
		{"4days", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.err != (err != nil) || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrBadDuration) {
			t.Errorf("ParseDuration(%q) error %v is not ErrBadDuration", tt.in, err)
		}
	}
	if s := FormatDuration(36 * time.Hour); s != "1d12h0m0s" {
		t.Errorf("FormatDuration = %q", s)
	}
}

func TestParseFault(t *testing.T) {
	v := "2c4fdf9d2d53dffed97a40992b867120e89c9346"
	sn := "uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe"
	f, err := ParseFault(v + "@" + sn)
	if err != nil || f.Version != v || len(f.Subnets) != 1 || f.Subnets[0] != sn {
		t.Fatalf("ParseFault = %+v, %v", f, err)
	}
	if f.String() != v+"@"+sn {
		t.Errorf("String = %q", f.String())
	}
	if f, err := ParseFault("-" + v); err != nil || !f.Clear {
		t.Fatalf("clear = %+v, %v", f, err)
	}
	for _, bad := range []string{"", "abc", v + "@nope", "-" + v + "@" + sn} {
		if _, err := ParseFault(bad); !errors.Is(err, ErrBadFault) {
			t.Errorf("ParseFault(%q) err = %v", bad, err)
		}
	}
	_, err = ParseFault(v + "@bogus")
	if want := `subnet "bogus" is not a principal id`; err == nil || !strings.Contains(err.Error(), want) || !utf8.ValidString(err.Error()) {
		t.Errorf("ParseFault with a bad subnet: %q, want valid text containing %q", err, want)
	}
}
