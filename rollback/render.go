package rollback

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/nnspatch/nnspatch/internal/textsafe"
)

// RenderText writes the plan for a terminal: targets, then numbered steps
// with their preconditions and expected states. Chain-sourced text is
// sanitized.
func RenderText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Rollback plan for %s %s (%s mode)\n", planWhat(p), p.Release, p.Mode)
	fmt.Fprintf(&b, "What failed: %s\n", textsafe.Line(p.Problem))
	fmt.Fprintf(&b, "Planned at %s, registry version %d\n\n", p.Created.Format("2006-01-02 15:04:05Z07:00"), p.RegistryVersion)
	b.WriteString("Targets (in rollback order):\n")
	for _, t := range p.Targets {
		fmt.Fprintf(&b, "  %s %-16s %s -> %s  %s\n", targetMark(t), shortName(t), short(t.Current), short(t.Restore), targetNote(t))
	}
	b.WriteString("\nSteps:\n")
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "  %d. %s\n", s.N, stepHeadline(s))
		if s.Draft != nil {
			fmt.Fprintf(&b, "     proposal: %s\n", textsafe.Line(s.Draft.Title))
		}
		fmt.Fprintf(&b, "     why:      %s\n", s.Why)
		fmt.Fprintf(&b, "     before:   %s\n", s.Precondition.Text)
		fmt.Fprintf(&b, "     after:    %s\n", s.Expect.Text)
	}
	if len(p.Notes) > 0 {
		b.WriteString("\nNot in this plan:\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  ! %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shortName abbreviates a subnet id to its first two groups.
func shortName(t Target) string {
	if t.IsAPIBoundary() {
		return fmt.Sprintf("%d API BN(s)", len(t.APIBoundaryNodes))
	}
	if t.Subnet == "" {
		return "unassigned nodes"
	}
	if len(t.Subnet) > 11 {
		return t.Subnet[:11] + "…"
	}
	return t.Subnet
}

func targetMark(t Target) string {
	if t.Failing {
		return "✗"
	}
	return "·"
}

func targetNote(t Target) string {
	var parts []string
	if t.Failing {
		parts = append(parts, "failing")
	}
	parts = append(parts, fmt.Sprintf("upgraded at registry version %d", t.UpgradedAt))
	if !t.RestoreElected {
		parts = append(parts, "target unelected: re-elect first")
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// stepHeadline says what a step does in one line.
func stepHeadline(s Step) string {
	switch s.Kind {
	case StepHalt:
		return "halt the rollout"
	case StepReelect:
		return "re-elect GuestOS " + s.Version
	case StepUnassigned:
		return "roll the unassigned nodes back to " + short(s.Version)
	case StepAPIBoundary:
		return fmt.Sprintf("roll %d API boundary node(s) back to %s", len(s.Nodes), short(s.Version))
	case StepHostOS:
		return fmt.Sprintf("roll %d nodes back to HostOS %s", len(s.Nodes), short(s.Version))
	case StepCanister:
		return fmt.Sprintf("reinstall the previous module %s of canister %s", short(s.Version), s.Canister)
	}
	return fmt.Sprintf("roll subnet %s back to %s", s.Subnet, short(s.Version))
}

// RenderMarkdown writes the plan as a Markdown document (for a forum post
// or a runbook).
func RenderMarkdown(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Rollback plan: %s `%s`\n\n", planWhat(p), p.Release)
	fmt.Fprintf(&b, "- **Mode:** %s\n- **What failed:** %s\n- **Planned at:** %s (registry version %d)\n\n",
		p.Mode, textsafe.MarkdownLine(p.Problem), p.Created.Format("2006-01-02 15:04:05Z07:00"), p.RegistryVersion)
	b.WriteString("## Targets\n\n| | Target | Runs | Restores | Upgraded at | Restore elected |\n|---|---|---|---|---|---|\n")
	for i, t := range p.Targets {
		fail := ""
		if t.Failing {
			fail = " (failing)"
		}
		fmt.Fprintf(&b, "| %d | %s%s | `%s` | `%s` | %d | %s |\n", i+1, nameOf(t), fail, short(t.Current), short(t.Restore), t.UpgradedAt, yesNo(t.RestoreElected))
	}
	b.WriteString("\n## Steps\n")
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "\n### %d. %s\n\n", s.N, mdEscape(stepHeadline(s)))
		if s.Draft != nil {
			fmt.Fprintf(&b, "- **Proposal:** %s\n", textsafe.MarkdownLine(s.Draft.Title))
		}
		fmt.Fprintf(&b, "- **Why:** %s\n- **Before:** %s\n- **After:** %s\n", mdEscape(s.Why), mdEscape(s.Precondition.Text), mdEscape(s.Expect.Text))
	}
	if len(p.Notes) > 0 {
		b.WriteString("\n## Not in this plan\n\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "- %s\n", mdEscape(n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// mdEscape keeps generated text (subnet ids, versions, notes) one line of
// literal Markdown; user and chain text goes through textsafe.MarkdownLine.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)
	return r.Replace(textsafe.Line(s))
}

// RenderJSON writes the plan as indented JSON (the same document the
// executor's state file embeds).
func RenderJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
