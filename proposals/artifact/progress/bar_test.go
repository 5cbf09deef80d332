package progress

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/proposals/artifact"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/<TestName>/<case>.golden, rewriting it
// under -update.
func golden(t *testing.T, got string) {
	t.Helper()
	name := t.Name()
	if !strings.Contains(name, "/") {
		name += "/output"
	}
	p := filepath.Join("testdata", filepath.FromSlash(name)+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\ngot:\n%q\nwant:\n%q", p, got, want)
	}
}

func TestRender(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name        string
		label       string
		done, total int64
		elapsed     time.Duration
		width       int
	}{
		{"start", "update-img.tar.zst", 0, gib, 0, 80},
		{"half", "update-img.tar.zst", gib / 2, gib, 2 * time.Second, 80},
		{"done", "update-img.tar.zst", gib, gib, 4 * time.Second, 80},
		{"unknown total", "update-img.tar.zst", 300 << 20, -1, 3 * time.Second, 80},
		{"long label", "a-very-long-release-package-name-that-does-not-fit.tar.zst", 1500, 3000, time.Second, 60},
		{"narrow", "update-img.tar.zst", 10, 20, time.Second, 30},
		{"wide", "update-img.tar.zst", 700 << 20, gib, 3 * time.Second, 120},
		{"empty file", "empty", 0, 0, time.Millisecond, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(tt.label, tt.done, tt.total, tt.elapsed, tt.width)
			if n := len([]rune(got)); n != tt.width {
				t.Errorf("line is %d columns, want %d: %q", n, tt.width, got)
			}
			golden(t, got+"\n")
		})
	}
}

func TestHumanBytes(t *testing.T) {
	tests := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		5 << 20: "5.0 MiB", 1 << 30: "1.0 GiB", 3 << 40: "3.0 TiB"}
	for n, want := range tests {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestBarThrottlesAndFinishes(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	b := &Bar{W: &out, Width: 60, Interval: time.Second, Now: clock.now}
	src := "https://download.dfinity.systems/ic/abc/guest-os/update-img/update-img.tar.zst"
	b.Update(artifact.Progress{Source: src, Done: 0, Total: 1000})
	clock.t = clock.t.Add(100 * time.Millisecond)
	b.Update(artifact.Progress{Source: src, Done: 100, Total: 1000}) // throttled
	clock.t = clock.t.Add(time.Second)
	b.Update(artifact.Progress{Source: src, Done: 500, Total: 1000})
	clock.t = clock.t.Add(100 * time.Millisecond)
	b.Update(artifact.Progress{Source: src, Done: 1000, Total: 1000}) // final: always drawn
	b.Finish()
	golden(t, out.String())
	if n := strings.Count(out.String(), "\r"); n != 4 {
		t.Errorf("drew %d times, want 4 (start, 50%%, 100%%, finish)", n)
	}
}

func TestBarSumsSources(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	b := &Bar{W: &out, Width: 70, Interval: time.Hour, Now: clock.now}
	b.Update(artifact.Progress{Source: "https://a.example/x.tar", Done: 0, Total: 400})
	b.Update(artifact.Progress{Source: "/tmp/x.tar", Done: 0, Total: 400})
	clock.t = clock.t.Add(time.Second)
	b.Update(artifact.Progress{Source: "/tmp/x.tar", Done: 400, Total: 400})
	b.Finish()
	golden(t, out.String())
	if !strings.Contains(out.String(), "2 sources") || !strings.Contains(out.String(), " 50%") {
		t.Errorf("output %q does not sum two sources", out.String())
	}
}

func TestBarWithHashFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pkg.bin")
	if err := os.WriteFile(p, make([]byte, 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	b := &Bar{W: &out, Width: 80}
	if _, err := artifact.HashFile(context.Background(), p, artifact.Options{Progress: b.Update}); err != nil {
		t.Fatal(err)
	}
	b.Finish()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "pkg.bin [====") || !strings.Contains(last, "100%  3.0 MiB/3.0 MiB") {
		t.Errorf("final line %q does not show a full bar", last)
	}
}

func TestFinishWithoutUpdate(t *testing.T) {
	var out bytes.Buffer
	(&Bar{W: &out}).Finish()
	if out.Len() != 0 {
		t.Errorf("Finish drew %q with no updates", out.String())
	}
}
