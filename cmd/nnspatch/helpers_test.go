package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// cliResult is what one in-process run of nnspatch produced.
type cliResult struct {
	Stdout, Stderr string
	Code           ExitCode
}

// runCLI runs nnspatch in-process with args on in-memory streams (no
// terminal) and returns its output and exit code. Call isolateConfig first.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	ios, _, out, errOut := TestStreams()
	code := Main(args, ios)
	return cliResult{Stdout: out.String(), Stderr: errOut.String(), Code: ExitCode(code)}
}

// runCLIWith runs nnspatch in-process on the given streams; Stdout and
// Stderr of the result are what the streams hold afterwards when they have
// a String method.
func runCLIWith(t *testing.T, ios *IOStreams, args ...string) cliResult {
	t.Helper()
	code := Main(args, ios)
	return cliResult{Stdout: stringOf(ios.Out), Stderr: stringOf(ios.ErrOut), Code: ExitCode(code)}
}

func stringOf(w io.Writer) string {
	if s, ok := w.(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}

// signalWriter collects output and closes found once it contains want, so
// a test can wait for a command to reach a state instead of sleeping.
type signalWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	want  string
	found chan struct{}
}

func newSignalWriter(want string) *signalWriter {
	return &signalWriter{want: want, found: make(chan struct{})}
}

// Write implements io.Writer.
func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.want)
	n, err := w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.want) {
		close(w.found)
	}
	return n, err
}

// String returns what was written so far.
func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// isolateConfig points the config search at a fresh temp dir (returned),
// fixes XDG_DATA_HOME and DFX_CONFIG_ROOT, and clears the NNSPATCH_* and
// DFX_* variables a developer's shell might set. Tests set their own
// variables after calling it.
func isolateConfig(t *testing.T) string {
	t.Helper()
	for _, k := range config.Keys {
		t.Setenv("NNSPATCH_"+strings.ToUpper(k), "")
	}
	for _, k := range []string{"DFX_NETWORK", "DFX_IDENTITY", "NNSPATCH_HSM_PIN", "DFX_HSM_PIN", "NNSPATCH_IDENTITY_PASSWORD"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	t.Setenv("NNSPATCH_CONFIG_HOME", dir)
	// dfx's own config (networks.json, identities) comes from here too,
	// never from the developer's home.
	t.Setenv("DFX_CONFIG_ROOT", dir)
	t.Setenv("XDG_DATA_HOME", "/data")
	keepGoBuildCache(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // write locks
	return dir
}

// keepGoBuildCache pins GOCACHE to the cache go uses now, so that moving
// XDG_CACHE_HOME (which holds Go's default build cache) does not make a
// test that builds the binary compile everything from scratch.
func keepGoBuildCache(t *testing.T) {
	t.Helper()
	if os.Getenv("GOCACHE") != "" {
		return
	}
	if dir, err := os.UserCacheDir(); err == nil {
		t.Setenv("GOCACHE", filepath.Join(dir, "go-build"))
	}
}

// golden compares got with testdata/<TestName>/<case>.golden, where case
// is the subtest name, rewriting the file under -update.
func golden(t *testing.T, got string) {
	t.Helper()
	test, sub, _ := strings.Cut(t.Name(), "/")
	if sub == "" {
		sub = "output"
	}
	path := filepath.Join("testdata", test, strings.ReplaceAll(sub, "/", "_")+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
