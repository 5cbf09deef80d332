package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
	"github.com/nnspatch/nnspatch/tui/pages/proposals"
)

// benchApp is the whole app at 80x24 over 10,000 proposals, its
// countdowns on a network clock (as against a local network).
func benchApp(b *testing.B) *App {
	fx := tuitest.Proposals()
	list := make([]governance.Proposal, 10_000)
	for i := range list {
		list[i] = fx[i%len(fx)]
		list[i].ID = uint64(10_000 - i)
		list[i].Title = fmt.Sprintf("%s %d", fx[i%len(fx)].Title, i)
	}
	gov := &tuitest.Gov{Proposals: list}
	a := New(Deps{Gov: gov, Network: "local", Neurons: []uint64{80}, Refresh: -1,
		NetworkNow: func(context.Context) (time.Time, error) { return tuitest.Now, nil }})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(a, a.clockCmd())
	a.Update(proposals.LoadedMsg{Proposals: list})
	return a
}

// BenchmarkAppView draws the whole screen on the Proposals page with
// 10,000 proposals (target: < 16 ms).
func BenchmarkAppView(b *testing.B) {
	a := benchApp(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = a.View()
	}
}

// BenchmarkAppUpdateKey routes a cursor key through the root to the
// Proposals page (target: < 1 ms).
func BenchmarkAppUpdateKey(b *testing.B) {
	a := benchApp(b)
	down, up := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyUp}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			a.Update(down)
		} else {
			a.Update(up)
		}
		i++
	}
}
