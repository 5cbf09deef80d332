package main

import (
	"os"
	"runtime/debug"
)

// oneShotGCPercent is the garbage collector's target for a command that
// runs for a moment and exits: most of a warm `subnets` or `proposal show`
// is decoding, and with Go's default (100) a third of that time went to
// collections of a heap the process drops at exit anyway (measured with
// perf: runtime.gcBgMarkWorker and span sweeping ~10% of the samples).
// 400 lets the heap grow to five times what is live, a few tens of MB.
const oneShotGCPercent = 400

// tuneGC sets oneShotGCPercent unless the user set GOGC.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(oneShotGCPercent)
	}
}

// longRunningGC restores Go's default collector target for commands that
// run until stopped (localnet start, tui), unless the user set GOGC.
func longRunningGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(100)
	}
}
