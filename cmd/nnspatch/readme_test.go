package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
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

// shellSeparator splits a shell line into its commands.
var shellSeparator = regexp.MustCompile(`&&|\|`)

// readmeExamples returns the README's example invocations, one per line
// (continuation lines joined), each starting at "nnspatch ".
func readmeExamples(md string) []string {
	blocks := strings.ReplaceAll(codeBlocks(md), "\\\n", " ")
	var out []string
	for _, line := range strings.Split(blocks, "\n") {
		for _, part := range shellSeparator.Split(line, -1) {
			part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "$ "))
			part = strings.TrimPrefix(part, "source <(")
			if i := strings.Index(part, "nnspatch "); i >= 0 && (i == 0 || strings.HasSuffix(part[:i], "bin/")) {
				out = append(out, part[i:])
			}
		}
	}
	return out
}

// TestREADMECoversEveryCommand keeps the README complete: every runnable
// command of the tree appears in at least one example.
func TestREADMECoversEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	root := NewCmdRoot(NewFactory(nil))
	for _, ex := range readmeExamples(string(readme)) {
		if cmd, _, err := root.Find(strings.Fields(ex)[1:]); err == nil {
			shown[cmd.CommandPath()] = true
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			if sub.Runnable() && !shown[sub.CommandPath()] {
				t.Errorf("README.md has no example of `%s`; add one under \"The CLI\"", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
}

// flagToken matches a long flag in an example, with or without =value.
var flagToken = regexp.MustCompile(`^--([a-z][a-z0-9-]*)(?:=.*)?$`)

// TestREADMEFlagsExist checks that every --flag a README example passes is
// a flag of the command it runs (its own, inherited or global).
func TestREADMEFlagsExist(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := NewCmdRoot(NewFactory(nil))
	checked := 0
	for _, ex := range readmeExamples(string(readme)) {
		words := strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(ex))
		cmd, _, err := root.Find(words[1:])
		if err != nil || cmd == root {
			continue // TestREADMECommandsExist reports these
		}
		for _, w := range words[1:] {
			if w == "#" {
				break
			}
			m := flagToken.FindStringSubmatch(w)
			if m == nil {
				continue
			}
			checked++
			if cmd.Flags().Lookup(m[1]) == nil && cmd.InheritedFlags().Lookup(m[1]) == nil {
				t.Errorf("README example `%s`: %s has no flag --%s", ex, cmd.CommandPath(), m[1])
			}
		}
	}
	if checked < 30 {
		t.Errorf("checked only %d flags in README examples; did the format change?", checked)
	}
}
