package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"
)

// TestHelpText walks the whole command tree, including commands other
// engineers register later, and checks the house help-text style.
func TestHelpText(t *testing.T) {
	root := NewCmdRoot(NewFactory(nil))
	walk(root, func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		t.Run(strings.ReplaceAll(c.CommandPath(), " ", "_"), func(t *testing.T) {
			for _, p := range helpProblems(c) {
				t.Error(p)
			}
		})
	})
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// helpProblems returns every style problem of c's Use, Short and Example.
func helpProblems(c *cobra.Command) []string {
	var probs []string
	probs = append(probs, useProblems(c.Use)...)
	probs = append(probs, shortProblems(c.Short)...)
	if c.Runnable() && !c.HasSubCommands() {
		probs = append(probs, exampleProblems(c.Example)...)
	}
	return probs
}

// useToken is one allowed argument token in Use: a <required> or
// [optional] placeholder, a (group), an alternative |, or a flag.
var useToken = regexp.MustCompile(`^(<[^>]*>|\[[^\]]*\]|\([^)]*\)|\||--?[a-z0-9-]+)(\.\.\.)?$`)

func useProblems(use string) []string {
	fields := strings.Fields(use)
	if len(fields) == 0 {
		return []string{"Use is empty"}
	}
	// Rejoin brackets so "(--sha256 <hex> | --sums <file>)" is one token.
	var probs []string
	for _, tok := range groupTokens(fields[1:]) {
		if !useToken.MatchString(tok) {
			probs = append(probs, "Use "+strconv.Quote(use)+": argument "+strconv.Quote(tok)+" is not <required>, [optional] or (a|b)")
		}
	}
	return probs
}

// groupTokens joins tokens between an opening and its closing bracket.
func groupTokens(fields []string) []string {
	var out []string
	depth := 0
	for _, f := range fields {
		if depth > 0 {
			out[len(out)-1] += " " + f
		} else {
			out = append(out, f)
		}
		depth += strings.Count(f, "(") + strings.Count(f, "[") + strings.Count(f, "<") -
			strings.Count(f, ")") - strings.Count(f, "]") - strings.Count(f, ">")
	}
	return out
}

// notImperative are first words that show a Short is not an imperative.
var notImperative = map[string]bool{"This": true, "The": true, "A": true, "An": true, "Command": true}

func shortProblems(short string) []string {
	if short == "" {
		return []string{"Short is empty"}
	}
	var probs []string
	first := strings.Fields(short)[0]
	if r := []rune(first)[0]; !unicode.IsUpper(r) {
		probs = append(probs, "Short "+strconv.Quote(short)+" does not start with a capital")
	}
	if strings.HasSuffix(short, ".") {
		probs = append(probs, "Short "+strconv.Quote(short)+" ends with a period")
	}
	if notImperative[first] || (strings.HasSuffix(first, "s") && !strings.HasSuffix(first, "ss")) {
		probs = append(probs, "Short "+strconv.Quote(short)+" is not an imperative (\"Print …\", not \"Prints …\")")
	}
	return probs
}

func exampleProblems(ex string) []string {
	if strings.TrimSpace(ex) == "" {
		return []string{"leaf command has no Example"}
	}
	var probs []string
	continued := false
	for _, line := range strings.Split(ex, "\n") {
		if !continued && strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "$ nnspatch") {
			probs = append(probs, "Example line "+strconv.Quote(line)+" does not start with \"$ nnspatch\"")
		}
		continued = strings.HasSuffix(line, "\\")
	}
	return probs
}

// TestHelpTextChecker makes sure the checks above can fail.
func TestHelpTextChecker(t *testing.T) {
	bad := &cobra.Command{Use: "submit FILE", Short: "submits a draft.", RunE: func(*cobra.Command, []string) error { return nil }}
	if got := len(helpProblems(bad)); got != 5 {
		t.Errorf("bad command: %d problems %q, want 5 (Use, lowercase, period, not imperative, no Example)", got, helpProblems(bad))
	}
	good := &cobra.Command{Use: "check (--sha256 <hex> | --sums <file>) <file|url>...", Short: "Verify a file",
		Example: "$ nnspatch x \\\n  --flag\n$ nnspatch y", RunE: func(*cobra.Command, []string) error { return nil }}
	if probs := helpProblems(good); len(probs) != 0 {
		t.Errorf("good command: %q", probs)
	}
	ex := &cobra.Command{Use: "x", Short: "Do x", Example: "nnspatch x", RunE: func(*cobra.Command, []string) error { return nil }}
	if len(helpProblems(ex)) != 1 {
		t.Errorf("example without $: %q", helpProblems(ex))
	}
}
