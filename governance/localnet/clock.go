package localnet

import (
	"sync"
	"time"
)

// Clock is the network's virtual clock: real time plus a persisted offset,
// never moving backwards. Advance grows the offset; the clock then keeps
// ticking with real time from the advanced point.
type Clock struct {
	mu     sync.Mutex
	real   func() time.Time
	offset time.Duration
	last   time.Time
}

// NewClock returns a clock that follows real (time.Now when nil) with no offset.
func NewClock(real func() time.Time) *Clock {
	if real == nil {
		real = time.Now
	}
	return &Clock{real: real}
}

// Now returns the virtual time: real time plus the offset, but never earlier
// than any time returned before.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	now := c.real().Add(c.offset)
	if now.Before(c.last) {
		return c.last
	}
	c.last = now
	return now
}

// Advance moves the clock forward by d (negative durations are ignored) and
// returns the new virtual time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.offset += d
	}
	return c.nowLocked()
}

// Offset returns how far the virtual clock runs ahead of real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// restore sets the offset and the floor recovered from the log.
func (c *Clock) restore(offset time.Duration, floor time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = offset
	if floor.After(c.last) {
		c.last = floor
	}
}
