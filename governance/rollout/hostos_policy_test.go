package rollout

import (
	"context"
	"errors"
	"testing"
)

// TestHostOSPolicyShapesThePlan: a policy file's hostos keys set the
// canary batches, nodes per subnet and stage tolerances of a HostOS plan
// built from the local network's registry; the keys it leaves out keep
// DFINITY's defaults; a tolerance above 1 or an unknown stage is refused.
func TestHostOSPolicyShapesThePlan(t *testing.T) {
	p, err := ParsePolicy([]byte("hostos:\n  canary: [2]\n  per_subnet: 1\n  tolerances: {main: 0.1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := localTracker(t)
	reg, err := c.Registry(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	plan, err := BuildHostOSPlan("0123456789abcdef0123456789abcdef01234567", reg, p.HostOS.PlanOptions(HostOSPlanOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	tol := map[string]float64{}
	for _, s := range plan.Stages {
		tol[s.Name] = s.Tolerance
	}
	canary := plan.Stages[0]
	if canary.Name != StageCanary || len(canary.Batches) != 1 || len(canary.Batches[0].Nodes) != 2 {
		t.Fatalf("canary stage %+v, want one batch of 2 nodes", canary)
	}
	if tol[StageMain] != 0.1 || tol[StageUnassigned] != ToleranceUnassigned || tol[StageCanary] != ToleranceCanary {
		t.Errorf("tolerances %v, want main 0.1 and the defaults elsewhere", tol)
	}
	subnetOf := map[string]string{}
	for _, sn := range reg.Subnets {
		for _, n := range sn.Nodes {
			subnetOf[n] = sn.ID
		}
	}
	for _, s := range plan.Stages {
		if s.Name != StageMain {
			continue
		}
		for _, b := range s.Batches {
			seen := map[string]int{}
			for _, n := range b.Nodes {
				seen[subnetOf[n]]++
			}
			for sub, k := range seen {
				if k > 1 {
					t.Fatalf("main batch %d takes %d nodes of subnet %s, want 1 (per_subnet)", b.Batch, k, sub)
				}
			}
		}
	}
	for _, bad := range []string{"hostos: {tolerances: {main: 1.5}}", "hostos: {tolerances: {nightly: 0}}", "hostos: {canary: [0]}"} {
		if _, err := ParsePolicy([]byte(bad)); !errors.Is(err, ErrPolicy) {
			t.Errorf("%s: %v, want ErrPolicy", bad, err)
		}
	}
}
