package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/nnspatch/nnspatch/governance/rollout"
	rb "github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
	"github.com/nnspatch/nnspatch/tui/pages/releases"
	rollbackpage "github.com/nnspatch/nnspatch/tui/pages/rollback"
)

var errOffline = errors.New("offline")

// idleTracker and idleSource are releases that never load: the test only
// looks at which one each page has selected.
type idleTracker struct{}

func (idleTracker) Look(context.Context) (*rollout.View, error) { return nil, errOffline }
func (idleTracker) AdvanceRelease(context.Context) (*rollout.Advanced, error) {
	return nil, errOffline
}
func (idleTracker) PlanRelease(context.Context, rollout.PlanRequest) (*rollout.Planned, error) {
	return nil, errOffline
}
func (idleTracker) Halt(context.Context, string, string) error   { return errOffline }
func (idleTracker) Resume(context.Context, string, string) error { return errOffline }
func (idleTracker) Disclose(context.Context, string, bool, string) (*rollout.Disclosure, error) {
	return nil, errOffline
}

type idleSource struct{}

func (idleSource) Plan(context.Context) (*rb.Plan, error)     { return nil, errOffline }
func (idleSource) Started(context.Context) (*rb.Plan, error)  { return nil, nil }
func (idleSource) Start(context.Context, *rb.Plan) error      { return errOffline }
func (idleSource) Submit(context.Context) (*rb.Status, error) { return nil, errOffline }
func (idleSource) Status(context.Context) (*rb.Status, error) { return nil, errOffline }

// TestOneReleaseSelection: the release picked on the Releases page is the
// one the Rollback page shows, and back.
func TestOneReleaseSelection(t *testing.T) {
	names := []string{"2026-10-patch", "2026-11-patch", "2026-12-patch"}
	d := Deps{Gov: &tuitest.Gov{}, Network: "local", Refresh: -1, Wall: func() time.Time { return wall }}
	for _, n := range names {
		d.Releases = append(d.Releases, releases.Release{Name: n, Tracker: idleTracker{}})
		d.Rollbacks = append(d.Rollbacks, rollbackpage.Release{Name: n, Source: idleSource{}})
	}
	a := New(d)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	picked := func() string {
		first := strings.Split(a.View(), "\n")[1]
		i := strings.Index(first, "[")
		j := strings.Index(first, "]")
		if i < 0 || j < i {
			t.Fatalf("no picker: %q", first)
		}
		return first[i+1 : j]
	}
	press(a, "4", "l", "l")
	if got := picked(); got != names[2] {
		t.Fatalf("Releases page picked %q, want %q", got, names[2])
	}
	press(a, "5")
	if got := picked(); got != names[2] {
		t.Errorf("Rollback page shows %q after picking %q on Releases", got, names[2])
	}
	press(a, "h")
	press(a, "4")
	if got := picked(); got != names[1] {
		t.Errorf("Releases page shows %q after picking %q on Rollback", got, names[1])
	}
}
