package common

import "sync/atomic"

// Selection is the release picked on any page: every page that shows
// releases reads and moves this one selection (Common.Release), so the
// Releases and Rollback pages always show the same release.
type Selection struct {
	i atomic.Int64
}

// Index returns the selected index among n releases (0 when n is 0).
func (s *Selection) Index(n int) int {
	if n <= 0 {
		return 0
	}
	return int(s.i.Load()) % n
}

// Next selects the release after the current one among n.
func (s *Selection) Next(n int) {
	if n > 0 {
		s.i.Store(int64((s.Index(n) + 1) % n))
	}
}

// Prev selects the release before the current one among n.
func (s *Selection) Prev(n int) {
	if n > 0 {
		s.i.Store(int64((s.Index(n) + n - 1) % n))
	}
}

// Set selects index i.
func (s *Selection) Set(i int) { s.i.Store(int64(i)) }
