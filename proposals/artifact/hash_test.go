package artifact

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeFile creates name in a fresh temp dir with data and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// pattern returns n deterministic, non-repeating-looking bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func sumHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// recorder collects progress reports.
type recorder struct{ got []Progress }

func (r *recorder) fn(p Progress) { r.got = append(r.got, p) }

// checkProgress asserts that reports start at 0, never decrease and end at total.
func checkProgress(t *testing.T, got []Progress, source string, total, size int64) {
	t.Helper()
	if len(got) == 0 {
		t.Fatal("no progress reports")
	}
	if got[0].Done != 0 {
		t.Errorf("first report Done = %d, want 0", got[0].Done)
	}
	for i, p := range got {
		if p.Source != source || p.Total != total {
			t.Fatalf("report %d = %+v, want source %q total %d", i, p, source, total)
		}
		if i > 0 && p.Done < got[i-1].Done {
			t.Fatalf("report %d went backwards: %d after %d", i, p.Done, got[i-1].Done)
		}
	}
	if last := got[len(got)-1].Done; last != size {
		t.Errorf("last report Done = %d, want %d", last, size)
	}
}

func TestHashFile(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		buf  int
	}{
		{"empty", nil, 0},
		{"abc", []byte("abc"), 0},
		{"one buffer", pattern(1000), 4096},
		{"many buffers", pattern(100_003), 4096},
		{"exact buffers", pattern(8192), 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "pkg.tar.zst", tt.data)
			var rec recorder
			d, err := HashFile(context.Background(), p, Options{Progress: rec.fn, BufferSize: tt.buf})
			if err != nil {
				t.Fatal(err)
			}
			want := Digest{Hex: sumHex(tt.data), Size: int64(len(tt.data)), Source: p}
			if d != want {
				t.Errorf("HashFile = %+v, want %+v", d, want)
			}
			checkProgress(t, rec.got, p, int64(len(tt.data)), int64(len(tt.data)))
			if tt.buf > 0 && len(tt.data) > tt.buf && len(rec.got) < len(tt.data)/tt.buf {
				t.Errorf("got %d reports for %d buffers", len(rec.got), len(tt.data)/tt.buf)
			}
		})
	}
}

func TestHashFileKnownVector(t *testing.T) {
	// FIPS 180-2 test vector for "abc".
	p := writeFile(t, "abc", []byte("abc"))
	d, err := Hash(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; d.Hex != want {
		t.Errorf("Hex = %s, want %s", d.Hex, want)
	}
}

func TestHashFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.tar.zst")
	t.Run("not found", func(t *testing.T) {
		_, err := HashFile(context.Background(), missing, Options{})
		if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v, want ErrNotFound and fs.ErrNotExist", err)
		}
		var se *SourceError
		if !errors.As(err, &se) || se.Source != missing {
			t.Fatalf("err = %#v, want *SourceError for %s", err, missing)
		}
		for _, s := range []string{missing, "no such file", "check the path"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q lacks %q", err, s)
			}
		}
	})
	t.Run("directory", func(t *testing.T) {
		_, err := HashFile(context.Background(), dir, Options{})
		if err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("err = %v, want a directory error", err)
		}
	})
	t.Run("permission", func(t *testing.T) {
		// Tests may run as root, which opens any file, so feed the error in.
		err := fileError("/srv/pkg", &fs.PathError{Op: "open", Path: "/srv/pkg", Err: fs.ErrPermission})
		if !errors.Is(err, fs.ErrPermission) || err.Error() != "hash /srv/pkg: permission denied; check the file's permissions" {
			t.Fatalf("err = %v, want a permission error", err)
		}
	})
}

func TestHashFileCancel(t *testing.T) {
	p := writeFile(t, "big", pattern(1<<20))
	t.Run("before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := HashFile(ctx, p, Options{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("midway", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var last int64
		opts := Options{BufferSize: 4096, Progress: func(p Progress) {
			last = p.Done
			if p.Done >= 64<<10 {
				cancel()
			}
		}}
		_, err := HashFile(ctx, p, opts)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if last >= 1<<20 || last < 64<<10 {
			t.Errorf("hashing went on to %d bytes after cancel at 64 KiB", last)
		}
	})
}

func TestHashReaderUnknownTotal(t *testing.T) {
	data := pattern(10_000)
	var rec recorder
	d, err := HashReader(context.Background(), bytes.NewReader(data), "stdin", -1, Options{Progress: rec.fn, BufferSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if d.Hex != sumHex(data) || d.Size != 10_000 {
		t.Errorf("digest = %+v", d)
	}
	checkProgress(t, rec.got, "stdin", -1, 10_000)
}

func TestIsURL(t *testing.T) {
	tests := map[string]bool{
		"https://download.dfinity.systems/ic/x/update-img.tar.zst": true,
		"http://127.0.0.1:8080/a":                                  true,
		"ftp://host/a":                                             true,
		"update-img.tar.zst":                                       false,
		"./dir/file":                                               false,
		"/abs/path":                                                false,
		"weird:name":                                               false,
		"://nohost":                                                false,
		"a b://c":                                                  false,
	}
	for in, want := range tests {
		if got := IsURL(in); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	data := []byte("release package")
	d := Digest{Hex: sumHex(data), Size: int64(len(data)), Source: "update-img.tar.zst"}
	other := sumHex([]byte("other"))
	t.Run("match any case", func(t *testing.T) {
		if err := Check("  "+strings.ToUpper(d.Hex)+"\n", d); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("mismatch", func(t *testing.T) {
		err := Check(other, d)
		var me *MismatchError
		if !errors.As(err, &me) {
			t.Fatalf("err = %v, want *MismatchError", err)
		}
		want := MismatchError{Want: other, Got: d.Hex, Source: d.Source}
		if *me != want {
			t.Errorf("MismatchError = %+v, want %+v", *me, want)
		}
		if !errors.Is(err, ErrChecksumMismatch) {
			t.Error("mismatch is not ErrChecksumMismatch")
		}
		for _, s := range []string{other, d.Hex, d.Source} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q lacks %q", err, s)
			}
		}
	})
	t.Run("invalid want", func(t *testing.T) {
		for _, want := range []string{"", "abc", strings.Repeat("g", 64), d.Hex + "00"} {
			err := Check(want, d)
			if !errors.Is(err, ErrInvalidHex) || errors.Is(err, ErrChecksumMismatch) {
				t.Errorf("Check(%q) = %v, want ErrInvalidHex", want, err)
			}
		}
	})
}

// TestNormalizeHexQuotesInput checks that an invalid digest is quoted as the
// user typed it, so they can find it.
func TestNormalizeHexQuotesInput(t *testing.T) {
	for _, in := range []string{"ABCXYZ", strings.Repeat("G", 64)} {
		_, err := NormalizeHex(in)
		if !errors.Is(err, ErrInvalidHex) || !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("NormalizeHex(%q) = %v, want ErrInvalidHex quoting the input", in, err)
		}
	}
	got, err := NormalizeHex(" " + strings.Repeat("AB", 32) + "\n")
	if err != nil || got != strings.Repeat("ab", 32) {
		t.Errorf("NormalizeHex(upper case) = %q, %v", got, err)
	}
}
