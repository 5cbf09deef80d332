package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// completeInBash sources `nnspatch completion bash` in a bash without the
// bash-completion package (no _init_completion) and completes line,
// returning COMPREPLY.
func completeInBash(t *testing.T, dir, line string) []string {
	t.Helper()
	words := strings.Fields(line)
	if strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+w+"'")
	}
	script := `if declare -F _init_completion >/dev/null; then echo "bash-completion is loaded" >&2; exit 3; fi
source <(nnspatch completion bash)
compopt() { :; } # the builtin works only while bash itself runs a completion
COMP_WORDS=(` + strings.Join(quoted, " ") + `)
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE='` + line + `'
COMP_POINT=${#COMP_LINE}
__start_nnspatch nnspatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion of %q: %v\n%s", line, err, out)
	}
	return strings.Fields(string(out))
}

// Completion works in a plain bash (cobra's V2 script, no bash-completion
// package) and completes commands, topics, statuses and the vote.
func TestBashCompletionWithoutBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("bash not on PATH: %v", err)
	}
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "nnspatch"), ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for line, want := range map[string][]string{
		"nnspatch propo":                       {"proposal"},
		"nnspatch proposal list --topic ic-os": {"ic-os-version-deployment", "ic-os-version-election"},
		"nnspatch proposals list --status ad":  {"adopted"},
		"nnspatch vote 42 ":                    {"yes", "no"},
		"nnspatch completion z":                {"zsh"},
	} {
		got := completeInBash(t, dir, line)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("complete %q = %q, want %q", line, got, want)
		}
	}
}
