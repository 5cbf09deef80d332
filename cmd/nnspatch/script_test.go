package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this test binary as the `nnspatch` command,
// so the scripts exercise the real main path: flag parsing, config loading,
// printing, exit codes.
func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{
		"nnspatch": func() int { return Main(os.Args[1:], System()) },
	}))
}

// TestScript runs the black-box scripts in testdata/script/*.txtar.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("NNSPATCH_CONFIG_HOME", filepath.Join(env.WorkDir, ".config-home"))
			env.Setenv("XDG_DATA_HOME", "/data")
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"genfile":  cmdGenFile,
		},
	})
}

// cmdExitCode runs `exitcode <code> <program> [args...]` and fails unless
// the program exits with exactly code; stdout and stderr are kept for the
// following stdout/stderr assertions.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode <code> <program> [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: run %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// cmdGenFile runs `genfile <name> <bytes>`: it writes a file of the given
// size whose byte i is i mod 251, so its SHA-256 is fixed.
func cmdGenFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: genfile <name> <bytes>")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("genfile: %v", err)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), b, 0o644); err != nil {
		ts.Fatalf("genfile: %v", err)
	}
}
