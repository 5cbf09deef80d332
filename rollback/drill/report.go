package drill

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"io"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/rollback"
)

// ErrAssertionFailed reports a drill whose end state does not hold.
var ErrAssertionFailed = errors.New("drill assertion failed")

// AssertionError lists the assertions that failed.
type AssertionError struct {
	Failed []Assertion
}

// Error implements error.
func (e *AssertionError) Error() string {
	var names []string
	for _, a := range e.Failed {
		names = append(names, a.Name+": "+a.Detail)
	}
	return fmt.Sprintf("drill assertion failed (%d): %s", len(e.Failed), strings.Join(names, "; "))
}

// Is reports whether target is ErrAssertionFailed.
func (e *AssertionError) Is(target error) bool { return target == ErrAssertionFailed }

// Step is one reported step of a drill.
type Step struct {
	Name   string `json:"name"`
	Detail string `json:"detail"`
	// Virtual is the virtual time since the drill started; Wall the real time.
	Virtual   time.Duration `json:"virtual_ns"`
	Wall      time.Duration `json:"wall_ns"`
	Proposals []uint64      `json:"proposals,omitempty"`
}

// Proposal is one proposal the drill made.
type Proposal struct {
	ID     uint64            `json:"id"`
	Kind   string            `json:"kind"`
	Target string            `json:"target,omitempty"`
	Title  string            `json:"title"`
	Status governance.Status `json:"status"`
}

// Detection is when and where the fault was noticed.
type Detection struct {
	Subnet string `json:"subnet"`
	Check  string `json:"check"`
	// Detail is the failed gate's detail (e.g. the API boundary nodes
	// found down).
	Detail string `json:"detail,omitempty"`
	// StalledAt is when the subnet stopped finalizing (for the API
	// boundary nodes: when the registry switched them to the patch, which
	// takes them down); DetectedAt when a rollout gate failed on it
	// (virtual times).
	StalledAt    time.Time     `json:"stalled_at"`
	DetectedAt   time.Time     `json:"detected_at"`
	TimeToDetect time.Duration `json:"time_to_detect_ns"`
}

// Assertion is one checked end-state fact.
type Assertion struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Report is a drill's outcome.
type Report struct {
	Scenario string `json:"scenario"`
	Network  string `json:"network"`
	Release  string `json:"release"`
	// FaultSubnet is the subnet the fault was injected on.
	FaultSubnet string         `json:"fault_subnet"`
	Steps       []Step         `json:"steps"`
	Detection   *Detection     `json:"detection,omitempty"`
	Plan        *rollback.Plan `json:"rollback_plan,omitempty"`
	// Outcome is OutcomeRolledBack or OutcomeRecoveryNeeded ("" when the
	// drill stopped before either).
	Outcome string `json:"outcome"`
	// TimeToRollBack is virtual time from detection to every target healthy.
	TimeToRollBack time.Duration `json:"time_to_roll_back_ns"`
	Proposals      []Proposal    `json:"proposals"`
	Assertions     []Assertion   `json:"assertions"`
	Passed         bool          `json:"passed"`
	VirtualTotal   time.Duration `json:"virtual_total_ns"`
	WallTotal      time.Duration `json:"wall_total_ns"`
}

// RenderText writes the report for a terminal.
func RenderText(w io.Writer, r *Report) error {
	var b strings.Builder
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "Drill %s: %s\n", r.Scenario, verdict)
	fault := "subnet " + r.FaultSubnet
	if r.FaultSubnet == rollout.APIBoundaryTarget {
		fault = "the API boundary nodes"
	}
	fmt.Fprintf(&b, "Release %s on %s; fault on %s\n\n", r.Release, r.Network, fault)
	b.WriteString("Steps (virtual time, wall time):\n")
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "  %s  %s  %s", fmtVirtual(s.Virtual), fmtWall(s.Wall), s.Name)
		if s.Detail != "" {
			b.WriteString(": " + s.Detail)
		}
		b.WriteString("\n")
	}
	if d := r.Detection; d != nil {
		where := "subnet " + d.Subnet
		if d.Subnet == rollout.APIBoundaryTarget {
			where = "the API boundary nodes"
		}
		fmt.Fprintf(&b, "\nTime to detect:    %s (%s, %s check)\n", fmtVirtual(d.TimeToDetect), where, d.Check)
	} else {
		b.WriteString("\nTime to detect:    not detected\n")
	}
	if r.Outcome != "" {
		fmt.Fprintf(&b, "Outcome:           %s\n", r.Outcome)
	}
	fmt.Fprintf(&b, "Time to roll back: %s\n", fmtVirtual(r.TimeToRollBack))
	fmt.Fprintf(&b, "Total:             %s virtual, %s wall\n", fmtVirtual(r.VirtualTotal), fmtWall(r.WallTotal))
	fmt.Fprintf(&b, "\nProposals (%d):\n", len(r.Proposals))
	for _, p := range r.Proposals {
		fmt.Fprintf(&b, "  %5d  %-10s %-9s %s\n", p.ID, p.Kind, p.Status, governance.SanitizeLine(p.Title))
	}
	b.WriteString("\nAssertions:\n")
	for _, a := range r.Assertions {
		mark := "✓"
		if !a.OK {
			mark = "✗"
		}
		fmt.Fprintf(&b, "  %s %s: %s\n", mark, a.Name, a.Detail)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderJSON writes the report as indented JSON.
func RenderJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// fmtVirtual prints a virtual duration as +1d02h03m.
func fmtVirtual(d time.Duration) string {
	d = d.Round(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	if days > 0 {
		return fmt.Sprintf("+%dd%02dh%02dm", days, h, m)
	}
	return fmt.Sprintf("+%02dh%02dm%02ds", h, m, s)
}

// FormatVirtual prints a virtual duration as the report does (+01h05m00s).
func FormatVirtual(d time.Duration) string { return fmtVirtual(d) }

// fmtWall prints a wall duration with millisecond precision.
func fmtWall(d time.Duration) string { return fmt.Sprintf("%6.2fs", d.Seconds()) }

// FormatStep renders one progress line (for live displays).
func FormatStep(s Step) string {
	line := fmt.Sprintf("[%s %s] %s", fmtVirtual(s.Virtual), strings.TrimSpace(fmtWall(s.Wall)), s.Name)
	if s.Detail != "" {
		line += ": " + s.Detail
	}
	return line
}
