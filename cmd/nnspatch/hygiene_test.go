package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/governancetest"
)

// hostile are characters chain text must never bring to a terminal: an
// escape (including an unterminated OSC's), zero-width and bidi controls,
// Unicode tag characters and the line/paragraph separators.
const hostile = "\x1b\u009d\u200b\u200d\u2060\ufeff\u202e\U000E0041\u2028\u2029"

// TestChainTextHygiene submits a motion whose title and summary carry
// invisible characters and an unterminated OSC, straight through the
// governance client (so no nnspatch validation stands in the way), and
// reads it back with `proposal show` and `proposals list`.
func TestChainTextHygiene(t *testing.T) {
	n, flags := cliNet(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := governancetest.DevClient(t, n)
	title := "Motion: ad\u200bmin\u202e\u2066 tag\U000E0041\U000E0042 sep\u2028line \x1b]0;pwned"
	summary := "First line.\u2029Second\u200d line.\n\x1b]8;;https://evil.example\x07click"
	pid, err := c.MakeProposal(ctx, 81, govdid.MakeProposalRequest{Title: &title, Summary: summary,
		Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: "hygiene\u200b\U000E007F"}}})
	if err != nil {
		t.Fatal(err)
	}
	show := run(t, flags, "proposal", "show", strconv.FormatUint(pid, 10))
	list := run(t, flags, "proposals", "list", "--limit", "5")
	for name, r := range map[string]cliResult{"show": show, "list": list} {
		if r.Code != ExitOK {
			t.Fatalf("%s: %d %s", name, r.Code, r.Stderr)
		}
		if i := strings.IndexAny(r.Stdout+r.Stderr, hostile); i >= 0 {
			t.Errorf("%s printed %q at %d:\n%q", name, []rune((r.Stdout + r.Stderr)[i:])[0], i, r.Stdout)
		}
		if strings.Contains(r.Stdout, "pwned") {
			t.Errorf("%s printed the body of an unterminated OSC:\n%s", name, r.Stdout)
		}
	}
	if !strings.Contains(show.Stdout, "Motion: admin tag sep line") {
		t.Errorf("show lost the visible title:\n%s", show.Stdout)
	}
}
