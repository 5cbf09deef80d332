package timeline_test

import (
	"context"
	"testing"

	"github.com/nnspatch/nnspatch/governance/timeline"
)

// BenchmarkBuild derives the timeline from the default local network's
// registry log (read once): the per-status cost on top of the log read.
func BenchmarkBuild(b *testing.B) {
	n := start(b)
	log, err := n.c.RegistryLog(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := timeline.Build(log); err != nil {
			b.Fatal(err)
		}
	}
}
