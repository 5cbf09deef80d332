package rollout

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
)

// localRegistry reads the default localnet registry through the client
// (certified sync over HTTP).
func localRegistry(t *testing.T) *governance.Registry {
	t.Helper()
	_, c := governancetest.Start(t)
	reg, err := c.Registry(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// friday17 is a Friday evening: the plan must not start before Monday.
var friday17 = time.Date(2026, 12, 4, 17, 30, 0, 0, time.UTC)

// TestDefaultPolicyOnLocalnet plans the default localnet registry with
// DefaultPolicy and checks DFINITY's rules: batch 1 is canary application
// subnets; uzr34 never shares a batch with system subnets (it is alone);
// uzr34 and pzp6e start on different days, at least a day apart; the NNS
// subnet is alone, last and in the week after batch 1; nothing starts on a
// weekend or outside 07:00-15:00 UTC; the plan validates; the unassigned
// nodes and the API boundary nodes follow.
func TestDefaultPolicyOnLocalnet(t *testing.T) {
	reg := localRegistry(t)
	p, err := PolicyPlan(reg, DefaultPolicy(), PlanOptions{Version: reg.GuestOS[0].ID, Start: friday17})
	if err != nil {
		t.Fatal(err)
	}
	if _, probs := ValidatePlan(p, reg); len(probs) > 0 {
		t.Fatalf("the default plan has problems: %v", probs)
	}
	typeOf := map[string]string{}
	for _, s := range reg.Subnets {
		typeOf[s.ID] = s.Type
	}
	first := p.Batches[0]
	if len(first.Subnets) == 0 || first.Start.Weekday() != time.Monday || first.Start.Hour() != 7 {
		t.Fatalf("batch 1 %+v: want canaries on Monday 07:00", first)
	}
	for _, id := range first.Subnets {
		if typeOf[id] != "application" || id == SigningBackup {
			t.Errorf("batch 1 holds %s (%s), not a canary application subnet", short(id), typeOf[id])
		}
	}
	for _, b := range p.Batches {
		if slices.Contains(b.Subnets, SigningSubnet) && len(b.Subnets) != 1 {
			t.Errorf("batch %d puts uzr34 with %v", b.Batch, b.Subnets)
		}
		if wd := b.Start.Weekday(); wd == time.Saturday || wd == time.Sunday || wd == time.Friday {
			t.Errorf("batch %d starts on a %s", b.Batch, wd)
		}
		if m := b.Start.Hour()*60 + b.Start.Minute(); m < 7*60 || m > 15*60 {
			t.Errorf("batch %d starts at %s, outside 07:00-15:00", b.Batch, b.Start.Format("15:04"))
		}
	}
	sign, backup := p.Batches[p.BatchOf(SigningSubnet)].Start, p.Batches[p.BatchOf(SigningBackup)].Start
	if sign.YearDay() == backup.YearDay() || backup.Sub(sign).Abs() < DefaultSigningGap {
		t.Errorf("uzr34 at %s and pzp6e at %s: want different days, at least %s apart", sign, backup, DefaultSigningGap)
	}
	last := p.Batches[len(p.Batches)-1]
	if !slices.Equal(last.Subnets, []string{NNSSubnet}) {
		t.Fatalf("last batch %v, want the NNS alone", last.Subnets)
	}
	if weekStart(last.Start).Sub(weekStart(first.Start)) < 7*24*time.Hour {
		t.Errorf("NNS at %s, in the same week as batch 1 at %s", last.Start, first.Start)
	}
	if !p.UnassignedNodes.After(last.Start) || p.APIBoundaryNodes == nil || !p.APIBoundaryNodes.Start.After(p.UnassignedNodes) {
		t.Errorf("unassigned %s, API BNs %+v after the NNS at %s", p.UnassignedNodes, p.APIBoundaryNodes, last.Start)
	}
	if n := len(p.Batches); n > MaxBatches {
		t.Errorf("%d batches", n)
	}
}

// TestPolicyTimeZoneAndOverrides reads a policy file over the defaults: a
// time zone with daylight saving, other hours, named canaries, the NNS not
// held to the next week. Start times are whole minutes inside the window
// in that zone.
func TestPolicyTimeZoneAndOverrides(t *testing.T) {
	reg := testRegistry(12)
	pol, err := ParsePolicy([]byte("time_zone: Europe/Zurich\nhours: \"09:30-16:00\"\ncanaries: [app02]\nnns_next_week: false\nbatch_size: 4\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := PolicyPlan(reg, pol, PlanOptions{Version: testVersion, Start: time.Date(2026, 12, 7, 14, 58, 30, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	zurich, _ := time.LoadLocation("Europe/Zurich")
	if got := p.Batches[0]; !slices.Equal(got.Subnets, []string{"app02-aaaaa"}) || got.Start.In(zurich).Format("Mon 15:04") != "Mon 15:59" {
		t.Errorf("batch 1 = %v at %s, want app02 on Monday 15:59 Zurich", got.Subnets, got.Start.In(zurich).Format("Mon 15:04"))
	}
	for _, b := range p.Batches {
		l := b.Start.In(zurich)
		if m := l.Hour()*60 + l.Minute(); m < 9*60+30 || m > 16*60 || b.Start.Second() != 0 || len(b.Subnets) > 4 {
			t.Errorf("batch %d at %s with %d subnets", b.Batch, l.Format("Mon 15:04:05"), len(b.Subnets))
		}
	}
	if p.TimeZone != "Europe/Zurich" || Calendar(p)[0].Start.Location().String() != "Europe/Zurich" {
		t.Errorf("calendar not in the policy's zone: %q", p.TimeZone)
	}
	if _, probs := ValidatePlan(p, reg); len(probs) > 0 {
		t.Errorf("problems: %v", probs)
	}
}

func TestParsePolicyErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"time_zone: Mars/Olympus\n", "time_zone"},
		{"days: [Funday]\n", "days"},
		{"hours: \"15:00-07:00\"\n", "hours"},
		{"interval: soon\n", "interval"},
		{"batch_sizes: 3\n", "batch_sizes"},
	} {
		_, err := ParsePolicy([]byte(tc.yaml))
		if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want ErrPolicy naming %s", tc.yaml, err, tc.want)
		}
	}
	if _, err := ParsePolicy(nil); err != nil {
		t.Errorf("an empty policy file is the default: %v", err)
	}
	if _, ok, err := LoadPolicy(PolicyContinuous); ok || err != nil {
		t.Errorf("continuous: usePolicy=%v err=%v", ok, err)
	}
}

// TestPolicyNeverLoops: constraints that can never be met are an error,
// not an endless plan.
func TestPolicyNeverLoops(t *testing.T) {
	reg := testRegistry(2)
	pol := DefaultPolicy()
	pol.Days = []string{"Monday"}
	pol.Hours = "07:00-07:00"
	pol.SeparateDays = [][]string{{"app00", "app01"}, {"app01", "app00"}}
	p, err := PolicyPlan(reg, pol, PlanOptions{Version: testVersion, Start: friday17})
	if err != nil {
		t.Fatalf("one slot a week still plans: %v", err)
	}
	if a, b := p.Batches[p.BatchOf("app00-aaaaa")].Start, p.Batches[p.BatchOf("app01-aaaaa")].Start; a.Equal(b) {
		t.Errorf("app00 and app01 on the same day %s", a)
	}
}
