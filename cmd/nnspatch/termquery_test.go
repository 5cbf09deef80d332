package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A command run on a terminal that never answers queries (here script(1)'s
// pty) must not ask it anything: only the TUI asks for the background
// colour. bubbletea's init would otherwise send an OSC 11 query and wait
// for its 5-second timeout before `nnspatch version` printed a word.
func TestCommandsDoNotQueryTheTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script(1) (util-linux) not on PATH: %v", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	typescript := filepath.Join(dir, "typescript")
	cmd := exec.Command(script, "-qec", bin+" version", typescript)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	got, err := os.ReadFile(typescript)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte("nnspatch ")) {
		t.Fatalf("no version line on the terminal:\n%q", got)
	}
	for _, q := range []string{"\x1b]11;?", "\x1b[6n"} {
		if bytes.Contains(got, []byte(q)) {
			t.Errorf("nnspatch version sent the terminal query %q:\n%q", q, got)
		}
	}
}
