package rollback

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/proposals"
)

// TestRenderKeepsProblemOneLine: a --problem with a newline, Markdown
// markup and terminal escapes renders as one line of literal text in both
// the Markdown and the terminal rendering; it cannot add a heading, a list
// item, a link or an escape sequence.
func TestRenderKeepsProblemOneLine(t *testing.T) {
	_, reg, h := scenario(t, true)
	problem := "disk full\n# Approved by the Foundation\n- [click](https://evil.example) \x1b]0;pwned\u2028\u200bok"
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h,
		Failing: []string{subC}, Halt: true, Now: planTime, Problem: problem})
	if err != nil {
		t.Fatal(err)
	}
	var md, txt bytes.Buffer
	if err := RenderMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if err := RenderText(&txt, p); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "# Approved") || strings.HasPrefix(line, "- [click]") || strings.Contains(line, "[click](") {
			t.Errorf("the problem injected Markdown: %q\n%s", line, md.String())
		}
	}
	want := `- **What failed:** disk full \# Approved by the Foundation - \[click\](https://evil.example)` + "\n"
	if !strings.Contains(md.String(), want) {
		t.Errorf("Markdown lacks the escaped one-line problem %q:\n%s", want, md.String())
	}
	if !strings.Contains(txt.String(), "What failed: disk full # Approved by the Foundation - [click](https://evil.example) \n") {
		t.Errorf("text rendering does not keep the problem on one line:\n%s", txt.String())
	}
	for _, out := range []string{md.String(), txt.String()} {
		if strings.ContainsAny(out, "\x1b\u2028\u200b") || strings.Contains(out, "pwned") {
			t.Errorf("escape or invisible characters reached the output:\n%q", out)
		}
	}
}
