package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseDayPlan(t *testing.T) {
	spec := `
Monday:
  "9:00": [uzr34, app00]
  "11:00":
    batch: 2
    subnets: [app01]
Tuesday:
  "9:00": {subnets: [pzp6e, app02]}
Monday next week:
  "7:00": {batch: 30, subnets: [tdb26]}
`
	ref := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) // a Saturday: plan the next week
	p, err := ParseDayPlan([]byte(spec), testVersion, ref, time.Hour, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	want := []Batch{
		{Batch: 1, Start: mon.Add(9 * time.Hour), Subnets: []string{"uzr34", "app00"}},
		{Batch: 2, Start: mon.Add(11 * time.Hour), Subnets: []string{"app01"}},
		{Batch: 3, Start: mon.Add(33 * time.Hour), Subnets: []string{"pzp6e", "app02"}},
		{Batch: 30, Start: mon.Add(7*24*time.Hour + 7*time.Hour), Subnets: []string{"tdb26"}},
	}
	if diff := cmp.Diff(want, p.Batches); diff != "" {
		t.Fatalf("batches (-want +got):\n%s", diff)
	}
	if !p.UnassignedNodes.Equal(want[3].Start.Add(2 * time.Hour)) {
		t.Errorf("unassigned at %s", p.UnassignedNodes)
	}
	resolved, probs := ValidatePlan(p, testRegistry(3))
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if resolved.Batches[3].Subnets[0] != NNSSubnet {
		t.Errorf("tdb26 resolved to %s", resolved.Batches[3].Subnets[0])
	}
}

func TestParseDayPlanErrors(t *testing.T) {
	for name, spec := range map[string]string{
		"bad day":   "Someday:\n  \"9:00\": [a]\n",
		"bad time":  "Monday:\n  \"25:00\": [a]\n",
		"extra key": "Monday:\n  \"9:00\": {batch: 1, subnets: [a], note: x}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseDayPlan([]byte(spec), testVersion, t0, time.Hour, time.Hour)
			if err == nil || !strings.Contains(err.Error(), "read day plan") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestReadPlanFileDetectsShape(t *testing.T) {
	dir := t.TempDir()
	own, err := BuildPlan(testRegistry(2), PlanOptions{Version: testVersion, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePlan(dir+"/own.yaml", own); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPlanFile(dir+"/own.yaml", PlanOptions{})
	if err != nil || len(got.Batches) != len(own.Batches) {
		t.Fatalf("own shape: %v, %d batches", err, len(got.Batches))
	}
	if err := writeAtomic(dir+"/day.yaml", []byte("Monday:\n  \"9:00\": [tdb26]\n")); err != nil {
		t.Fatal(err)
	}
	got, err = ReadPlanFile(dir+"/day.yaml", PlanOptions{Version: testVersion, Start: t0})
	if err != nil || len(got.Batches) != 1 || got.Version != testVersion || got.Bake != Duration(DefaultBake) {
		t.Fatalf("day shape: %v, %+v", err, got)
	}
}
