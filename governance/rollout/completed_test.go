package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// TestDeriveRecordsRunning: the first look at all replicas on the version
// records Running; later looks keep it; a look with replicas missing or a
// registry naming another version clears it.
func TestDeriveRecordsRunning(t *testing.T) {
	now := t0.Add(time.Hour)
	in := SubnetInput{Target: testVersion, RegistryVersion: testVersion, Now: now, Bake: time.Hour, Health: healthy(testVersion)}
	if got := Derive(in).Record.Running; !got.Equal(now) {
		t.Fatalf("first look: running %s, want %s", got, now)
	}
	in.Record.Running = t0
	if got := Derive(in).Record.Running; !got.Equal(t0) {
		t.Errorf("later look: running %s, want the first %s", got, t0)
	}
	half := healthy(testVersion)
	half.Versions = map[string]int{testVersion: 6, "old": 7}
	in.Health = half
	if got := Derive(in).Record.Running; !got.IsZero() {
		t.Errorf("replicas switching: running %s, want cleared", got)
	}
	in.Health, in.RegistryVersion = healthy(testVersion), "old"
	if got := Derive(in).Record.Running; !got.IsZero() {
		t.Errorf("registry names another version: running %s, want cleared", got)
	}
}

// TestCompletedAt: the quiet period starts at the latest real completion
// (a subnet's Running time or the unassigned nodes' execution), not at
// the observation; unknown times count as now and nothing is after now.
func TestCompletedAt(t *testing.T) {
	now := t0.Add(72 * time.Hour)
	l := &Ledger{Plan: &Plan{Batches: []Batch{{Batch: 1, Subnets: []string{"aaaaa-x"}}, {Batch: 2, Subnets: []string{NNSSubnet}}}}}
	l.setSubnet("aaaaa-x", SubnetRecord{Running: t0})
	l.setSubnet(NNSSubnet, SubnetRecord{Running: t0.Add(2 * time.Hour)})
	ex := []ProposalView{{ID: 7, Status: governance.StatusExecuted, Executed: t0.Add(3 * time.Hour)}, {ID: 9, Status: governance.StatusRejected}}
	at, last := CompletedAt(l, ex, now)
	if !at.Equal(t0.Add(3*time.Hour)) || !strings.Contains(last, "proposal 7 executed") {
		t.Errorf("unassigned last: %s (%s), want %s", at, last, t0.Add(3*time.Hour))
	}
	l.setSubnet(NNSSubnet, SubnetRecord{Running: t0.Add(5 * time.Hour)})
	if at, last := CompletedAt(l, ex, now); !at.Equal(t0.Add(5*time.Hour)) || !strings.Contains(last, "subnet tdb26") {
		t.Errorf("NNS last: %s (%s)", at, last)
	}
	if at, last := CompletedAt(l, nil, now); !at.Equal(now) || !strings.Contains(last, "no executed proposal") {
		t.Errorf("no unassigned proposal: %s (%s), want now", at, last)
	}
	l.setSubnet(NNSSubnet, SubnetRecord{})
	if at, _ := CompletedAt(l, ex, now); !at.Equal(now) {
		t.Errorf("subnet without Running: %s, want now", at)
	}
	if at, _ := CompletedAt(l, ex, t0.Add(time.Hour)); !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("times after now: %s, want now", at)
	}
}

// TestUnplannedSubnetHoldsTheQuietPeriod: a subnet in no batch that does
// not run the version (created after the plan) keeps the rollout from
// completing and is named; once it runs the version the quiet period starts.
func TestUnplannedSubnetHoldsTheQuietPeriod(t *testing.T) {
	now := t0.Add(time.Hour)
	l := NewLedger(testVersion, "security", Artifact{}, t0)
	l.Proposals = []ProposalRecord{{ID: 1, Kind: KindElect}}
	l.Plan = &Plan{Version: testVersion, Batches: []Batch{{Batch: 1, Start: t0, Subnets: []string{NNSSubnet}}}, UnassignedNodes: t0}
	l.setSubnet(NNSSubnet, SubnetRecord{HealthySince: t0, Complete: t0, Running: t0})
	reg := &governance.Registry{UnassignedVersion: testVersion, Subnets: []governance.Subnet{
		{ID: NNSSubnet, GuestOSVersion: testVersion}, {ID: "new01-aaaaa", GuestOSVersion: "old"}}}
	o := &observation{now: now, reg: reg, election: &governance.Proposal{ID: 1, Status: governance.StatusExecuted},
		deploys: map[string][]ProposalView{}, health: &health.Snapshot{Subnets: map[string]health.Subnet{NNSSubnet: *healthy(testVersion)}}}
	tr := &Tracker{Actor: "p1"}
	st := tr.derive(l, o)
	if st.State != RolloutUpgrading || len(st.Unplanned) != 1 || !l.QuietPeriod.Start.IsZero() {
		t.Fatalf("state %s, unplanned %v, quiet start %s", st.State, st.Unplanned, l.QuietPeriod.Start)
	}
	if b := strings.Join(st.Blockers, "\n"); !strings.Contains(b, "subnet new01-aaaaa is in no batch") {
		t.Errorf("blockers %q do not name the unplanned subnet", b)
	}
	reg.Subnets[1].GuestOSVersion = testVersion
	if st := tr.derive(l, o); st.State != RolloutComplete || l.QuietPeriod.Start.IsZero() {
		t.Errorf("after the subnet upgraded: state %s, quiet start %s", st.State, l.QuietPeriod.Start)
	}
}
