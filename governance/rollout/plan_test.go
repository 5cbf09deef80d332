package rollout

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance"
)

// testRegistry has the NNS, the signing subnet and its backup, and n other
// subnets named app-<i>, all on an old version; testVersion is elected.
func testRegistry(n int) *governance.Registry {
	reg := &governance.Registry{GuestOS: []governance.GuestOSVersion{{ID: "old"}, {ID: testVersion}}, UnassignedVersion: "old"}
	add := func(id string) { reg.Subnets = append(reg.Subnets, governance.Subnet{ID: id, GuestOSVersion: "old"}) }
	add(NNSSubnet)
	add(SigningSubnet)
	add(SigningBackup)
	for i := range n {
		add(fmt.Sprintf("app%02d-aaaaa", i))
	}
	return reg
}

func TestBuildPlanDefaults(t *testing.T) {
	reg := testRegistry(10)
	p, err := BuildPlan(reg, PlanOptions{Version: testVersion, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	last := p.Batches[len(p.Batches)-1]
	if diff := cmp.Diff([]string{NNSSubnet}, last.Subnets); diff != "" {
		t.Errorf("last batch (-want +got):\n%s", diff)
	}
	for i, b := range p.Batches[:len(p.Batches)-1] {
		if len(b.Subnets) > DefaultBatchSize || slicesContains(b.Subnets, NNSSubnet) {
			t.Errorf("batch %d: %v", b.Batch, b.Subnets)
		}
		if i > 0 && b.Start.Sub(p.Batches[i-1].Start) < DefaultInterval {
			t.Errorf("batch %d starts %s after the previous one", b.Batch, b.Start.Sub(p.Batches[i-1].Start))
		}
	}
	sign, backup := p.Batches[p.BatchOf(SigningSubnet)].Start, p.Batches[p.BatchOf(SigningBackup)].Start
	if backup.Sub(sign) < DefaultSigningGap {
		t.Errorf("signing backup %s after the signing subnet, want >= %s", backup.Sub(sign), DefaultSigningGap)
	}
	if !p.UnassignedNodes.After(last.Start) {
		t.Errorf("unassigned nodes at %s, not after the NNS at %s", p.UnassignedNodes, last.Start)
	}
	if _, probs := ValidatePlan(p, reg); len(probs) > 0 {
		t.Errorf("a built plan has problems: %v", probs)
	}
}

func TestBuildPlanBatchSizeAndInterval(t *testing.T) {
	p, err := BuildPlan(testRegistry(30), PlanOptions{Version: testVersion, Start: t0, BatchSize: 10, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range p.Batches {
		sizes = append(sizes, len(b.Subnets))
	}
	// 32 non-NNS subnets: uzr34 in batch 1, pzp6e a day later, then the NNS.
	if diff := cmp.Diff([]int{10, 10, 10, 1, 1, 1}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if got := p.Batches[4].Start.Sub(t0); got != 24*time.Hour {
		t.Errorf("signing backup batch at +%s, want +24h", got)
	}
	if got := p.Batches[5].Start.Sub(t0); got != 25*time.Hour {
		t.Errorf("NNS batch at +%s, want +25h", got)
	}
}

func TestPlanFileRoundTrip(t *testing.T) {
	p, err := BuildPlan(testRegistry(4), PlanOptions{Version: testVersion, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := WritePlan(path, p); err != nil {
		t.Fatal(err)
	}
	back, err := LoadPlan(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestValidatePlanProblems(t *testing.T) {
	reg := testRegistry(3)
	good := func() *Plan {
		p, err := BuildPlan(reg, PlanOptions{Version: testVersion, Start: t0, BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name   string
		mutate func(p *Plan)
		want   []string
	}{
		{"nns not last", func(p *Plan) {
			n := len(p.Batches)
			p.Batches[0].Subnets, p.Batches[n-1].Subnets = p.Batches[n-1].Subnets, p.Batches[0].Subnets
		}, []string{"must be in the last batch"}},
		{"nns not alone", func(p *Plan) {
			n := len(p.Batches)
			p.Batches[n-1].Subnets = append(p.Batches[n-1].Subnets, p.Batches[0].Subnets[0])
			p.Batches[0].Subnets = p.Batches[0].Subnets[1:]
		}, []string{"must be alone in its batch"}},
		{"unknown and duplicate", func(p *Plan) {
			p.Batches[0].Subnets = append(p.Batches[0].Subnets, "zzzzz-nope", p.Batches[1].Subnets[0])
		}, []string{`unknown subnet "zzzzz-nope"`, "is already in batches[0]"}},
		{"ambiguous prefix", func(p *Plan) { p.Batches[0].Subnets = append(p.Batches[0].Subnets, "app") }, []string{`ambiguous subnet "app"`}},
		{"version not elected", func(p *Plan) { p.Version = "0123456789012345678901234567890123456789" }, []string{"is not elected"}},
		{"subnet missing and signing gap", func(p *Plan) {
			p.Batches[p.BatchOf(SigningBackup)].Subnets = nil
			p.Batches[0].Subnets = append(p.Batches[0].Subnets, SigningBackup[:5])
		}, []string{"at least 24h0m0s apart"}},
		{"dropped subnet", func(p *Plan) { p.Batches[0].Subnets = p.Batches[0].Subnets[1:] }, []string{"is in no batch"}},
		{"unassigned first", func(p *Plan) { p.UnassignedNodes = t0 }, []string{"must follow the NNS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good()
			tt.mutate(p)
			_, probs := ValidatePlan(p, reg)
			var all []string
			for _, pr := range probs {
				all = append(all, pr.String())
			}
			joined := strings.Join(all, "\n")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("problems lack %q:\n%s", w, joined)
				}
			}
			if len(tt.want) > 0 && len(probs) == 0 {
				t.Error("no problems")
			}
			err := &PlanError{Problems: probs}
			if !errors.Is(err, ErrPlanInvalid) {
				t.Error("PlanError does not match ErrPlanInvalid")
			}
		})
	}
}

func TestValidatePlanResolvesPrefixes(t *testing.T) {
	reg := testRegistry(2)
	p, _ := BuildPlan(reg, PlanOptions{Version: testVersion, Start: t0, BatchSize: 10})
	want := p.Batches[0].Subnets[0]
	p.Batches[0].Subnets[0] = want[:8]
	got, probs := ValidatePlan(p, reg)
	if len(probs) > 0 || got.Batches[0].Subnets[0] != want {
		t.Fatalf("prefix %q resolved to %q, problems %v", want[:8], got.Batches[0].Subnets[0], probs)
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestBuildPlanAPIBoundaryStage: the continuous planner ends with the API
// boundary node stage, one interval after the unassigned nodes, when the
// registry has API boundary nodes, and has none when it has none.
func TestBuildPlanAPIBoundaryStage(t *testing.T) {
	reg := testRegistry(4)
	p, err := BuildPlan(reg, PlanOptions{Version: testVersion, Start: t0, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if p.APIBoundaryNodes != nil {
		t.Fatalf("stage %+v without API boundary nodes in the registry", p.APIBoundaryNodes)
	}
	reg.APIBoundaryNodes = []governance.APIBoundaryNode{{ID: "abn01-aaaaa", Version: "old"}}
	if p, err = BuildPlan(reg, PlanOptions{Version: testVersion, Start: t0, Interval: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if p.APIBoundaryNodes == nil || !p.APIBoundaryNodes.Start.Equal(p.UnassignedNodes.Add(time.Hour)) || len(p.APIBoundaryNodes.Nodes) != 0 {
		t.Fatalf("stage %+v, want every API boundary node one hour after the unassigned nodes (%s)", p.APIBoundaryNodes, p.UnassignedNodes)
	}
	if _, probs := ValidatePlan(p, reg); len(probs) != 0 {
		t.Errorf("plan problems: %v", probs)
	}
}
