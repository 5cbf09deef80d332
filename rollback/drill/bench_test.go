package drill

import (
	"context"
	"testing"
	"time"
)

// bench40 is a 40-subnet network (the NNS subnet and 39 application
// subnets, 4 nodes each); the patch stalls a subnet of batch 3.
const bench40 = `
schema_version: 1
name: bench-40-subnets
network:
  versions: [base, old]
  subnets:
    - {count: 9, version: old, nodes: 4}
    - {count: 30, version: base, nodes: 4}
  unassigned_nodes: {count: 8, version: base}
  upgrade_delay: 12m
  catch_up: 2m
patch: {version: patch-bench-40, mode: security}
votes: [81]
rollout: {batch_size: 3, interval: 1h, bake: 15m}
fault: {batch: 3, index: 1}
expect: {detect_within: 15m, rollback_within: 2h}
`

// BenchmarkDrill40Subnets runs the whole drill (embedded network start,
// election, three batches, detection, a 9-subnet rollback, assertions).
// The target is under 20 s of wall time per run.
func BenchmarkDrill40Subnets(b *testing.B) {
	s, err := Parse([]byte(bench40))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		rep, err := Run(ctx, s, Options{})
		cancel()
		if err != nil {
			b.Fatalf("Run: %v", err)
		}
		if len(rep.Plan.Targets) != 9 {
			b.Fatalf("rolled back %d subnets; want 9", len(rep.Plan.Targets))
		}
		b.ReportMetric(rep.VirtualTotal.Hours(), "virtual-h/op")
		b.ReportMetric(float64(len(rep.Proposals)), "proposals/op")
	}
}
