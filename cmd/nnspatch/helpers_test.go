package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
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
	return dir
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
