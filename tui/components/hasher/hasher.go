// Package hasher runs artifact hashing inside tea commands and draws its
// progress bar. Progress reports travel over a channel the hashing
// goroutine fills, one message per read, so Update never blocks.
package hasher

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/proposals/artifact/progress"
)

// ProgressMsg is one progress report of a running hash.
type ProgressMsg struct {
	id       int64
	Progress artifact.Progress
	ch       <-chan tea.Msg
}

// DoneMsg ends a hash run.
type DoneMsg struct {
	id      int64
	Digests []artifact.Digest
	Err     error
}

var nextID atomic.Int64

// Hasher is one hashing slot: at most one run at a time.
type Hasher struct {
	id      int64
	running bool
	cancel  context.CancelFunc
	last    artifact.Progress
	started time.Time
	now     func() time.Time
}

// New returns an idle Hasher measuring elapsed time with now.
func New(now func() time.Time) *Hasher {
	if now == nil {
		now = time.Now
	}
	return &Hasher{id: nextID.Add(1), now: now}
}

// Running reports whether a hash is under way.
func (h *Hasher) Running() bool { return h.running }

// Start hashes sources one after the other. opts.Progress is replaced.
func (h *Hasher) Start(sources []string, opts artifact.Options) tea.Cmd {
	h.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	h.running, h.cancel, h.started = true, cancel, h.now()
	h.last = artifact.Progress{Total: -1}
	if len(sources) > 0 {
		h.last.Source = sources[0]
	}
	ch := make(chan tea.Msg, 8)
	id := h.id
	srcs := append([]string(nil), sources...)
	opts.Progress = func(p artifact.Progress) {
		select { // drop a report rather than stall the hash
		case ch <- ProgressMsg{id: id, Progress: p, ch: ch}:
		default:
		}
	}
	go func() {
		ds, err := artifact.HashAll(ctx, opts, srcs...)
		ch <- DoneMsg{id: id, Digests: ds, Err: err}
		close(ch)
	}()
	return waitCmd(ch)
}

// waitCmd waits for the next report of a run.
func waitCmd(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return nil
		}
		return m
	}
}

// Stop cancels a running hash.
func (h *Hasher) Stop() {
	if h.cancel != nil {
		h.cancel()
	}
	h.running = false
}

// Update takes the hasher's messages: it returns the command that waits for
// the next report, and the final result once the run ends. Messages of
// other hashers are ignored.
func (h *Hasher) Update(msg tea.Msg) (tea.Cmd, *DoneMsg) {
	switch msg := msg.(type) {
	case ProgressMsg:
		if msg.id != h.id {
			return nil, nil
		}
		h.last = msg.Progress
		return waitCmd(msg.ch), nil
	case DoneMsg:
		if msg.id != h.id {
			return nil, nil
		}
		h.running = false
		if h.cancel != nil {
			h.cancel()
		}
		return nil, &msg
	}
	return nil, nil
}

// View draws the progress bar, width cells wide.
func (h *Hasher) View(width int) string {
	label := filepath.Base(h.last.Source)
	return progress.Render(label, h.last.Done, h.last.Total, h.now().Sub(h.started), width)
}
