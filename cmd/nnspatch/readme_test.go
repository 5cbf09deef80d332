package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeCommand matches an nnspatch invocation at the start of a line or
// after a shell prompt, pipe or &&, in a README code block.
var readmeCommand = regexp.MustCompile(`(?m)(?:^|\$ |&& |\| |bin/)nnspatch ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)`)

// codeBlocks returns the contents of the fenced code blocks of a markdown text.
func codeBlocks(md string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		if in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestREADMECommandsExist keeps the README true: every command path it
// shows must exist in the command tree.
func TestREADMECommandsExist(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := NewCmdRoot(NewFactory(nil))
	root.InitDefaultHelpCmd()
	seen := 0
	for _, m := range readmeCommand.FindAllStringSubmatch(codeBlocks(string(readme)), -1) {
		words := strings.Fields(m[1])
		if words[0] == "help" {
			words = words[1:] // `nnspatch help <topic>` names a command or help topic
		}
		cmd, rest, err := root.Find(words)
		if err != nil || cmd == root {
			t.Errorf("README shows `nnspatch %s`, but there is no such command", m[1])
			continue
		}
		// Words left after the command are arguments, unless the command
		// has subcommands (then the first one is an unknown subcommand).
		if len(rest) > 0 && cmd.HasSubCommands() {
			t.Errorf("README shows `nnspatch %s`: %q has no subcommand %q", m[1], cmd.CommandPath(), rest[0])
		}
		seen++
	}
	if seen < 20 {
		t.Errorf("found only %d command examples in README.md; did the format change?", seen)
	}
}
