package rollout

import "testing"

// BenchmarkPolicyPlan plans 50 subnets with DefaultPolicy (calendar,
// separate days, canaries), for comparison with BenchmarkBuildPlan.
func BenchmarkPolicyPlan(b *testing.B) {
	reg := testRegistry(50)
	for b.Loop() {
		if _, err := PolicyPlan(reg, DefaultPolicy(), PlanOptions{Version: testVersion, Start: friday17}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildPlan plans the same 50 subnets back to back.
func BenchmarkBuildPlan(b *testing.B) {
	reg := testRegistry(50)
	for b.Loop() {
		if _, err := BuildPlan(reg, PlanOptions{Version: testVersion, Start: friday17, BatchSize: 3}); err != nil {
			b.Fatal(err)
		}
	}
}
