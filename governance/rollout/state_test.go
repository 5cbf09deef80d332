package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

func healthy(version string) *health.Subnet {
	t := true
	return &health.Subnet{Versions: map[string]int{version: 13}, Finalizing: &t}
}

func TestDerive(t *testing.T) {
	const v = testVersion
	bake := 15 * time.Minute
	stalled := healthy(v)
	f := false
	stalled.Finalizing = &f
	firing := healthy(v)
	firing.Alerts = []health.Alert{{Name: "IC_Subnet_Stalled", State: health.AlertFiring}}
	pending := healthy(v)
	pending.Alerts = []health.Alert{{Name: "IC_Replica_Behind", State: health.AlertPending}}
	half := healthy(v)
	half.Versions = map[string]int{v: 6, "old": 7}
	noData := healthy(v)
	noData.Finalizing = nil

	tests := []struct {
		name      string
		in        SubnetInput
		want      State
		check     string
		since     time.Time
		completed bool
	}{
		{"no proposal", SubnetInput{RegistryVersion: "old"}, StatePending, "", time.Time{}, false},
		{"intent recorded", SubnetInput{RegistryVersion: "old", Intent: true}, StateProposing, "", time.Time{}, false},
		{"open", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusOpen}}}, StateWaitingForAdoption, "", time.Time{}, false},
		{"adopted", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusAdopted}}}, StateWaitingForAdoption, "", time.Time{}, false},
		{"rejected", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusRejected}}}, StateFailed, CheckProposal, time.Time{}, false},
		{"failed execution", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusFailed, FailureReason: "boom"}}}, StateFailed, CheckProposal, time.Time{}, false},
		{"rejected then open again", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusRejected}, {ID: 9, Status: governance.StatusOpen}}}, StateWaitingForAdoption, "", time.Time{}, false},
		{"executed, registry elsewhere, no later deploy", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusExecuted, Executed: t0}}}, StateFailed, CheckProposal, time.Time{}, false},
		{"executed, then rolled back", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusExecuted, Executed: t0}},
			Replaced: &Replacement{ID: 8, Version: "old", Executed: t0.Add(time.Hour)}}, StateRolledBack, "", time.Time{}, false},
		{"executed, rolled back in the same second", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusExecuted, Executed: t0}},
			Replaced: &Replacement{ID: 8, Version: "old", Executed: t0}}, StateRolledBack, "", time.Time{}, false},
		{"other version executed before ours", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusExecuted, Executed: t0}},
			Replaced: &Replacement{ID: 3, Version: "old", Executed: t0.Add(-time.Hour)}}, StateFailed, CheckProposal, time.Time{}, false},
		{"re-deployed after the rollback", SubnetInput{RegistryVersion: "old", Proposals: []ProposalView{{ID: 5, Status: governance.StatusExecuted, Executed: t0}, {ID: 9, Status: governance.StatusOpen}},
			Replaced: &Replacement{ID: 8, Version: "old", Executed: t0.Add(time.Hour)}}, StateWaitingForAdoption, "", time.Time{}, false},
		{"deployed, no health", SubnetInput{RegistryVersion: v}, StateUpgrading, "", time.Time{}, false},
		{"replicas switching", SubnetInput{RegistryVersion: v, Health: half, Record: SubnetRecord{HealthySince: t0}}, StateUpgrading, "", time.Time{}, false},
		{"replicas missing", SubnetInput{RegistryVersion: v, Health: healthy(v), Replicas: 28, Record: SubnetRecord{HealthySince: t0}}, StateUpgrading, "", time.Time{}, false},
		{"all replicas report", SubnetInput{RegistryVersion: v, Health: healthy(v), Replicas: 13, Record: SubnetRecord{HealthySince: t0}}, StateComplete, "", t0, true},
		{"alerts pending", SubnetInput{RegistryVersion: v, Health: pending, Record: SubnetRecord{HealthySince: t0}}, StateBaking, "", time.Time{}, false},
		{"no height data yet", SubnetInput{RegistryVersion: v, Health: noData}, StateBaking, "", time.Time{}, false},
		{"no height data after completion", SubnetInput{RegistryVersion: v, Health: noData, Record: SubnetRecord{HealthySince: t0, Complete: t0}}, StateComplete, "", t0, true},
		{"first healthy look", SubnetInput{RegistryVersion: v, Health: healthy(v)}, StateBaking, "", t0.Add(time.Hour), false},
		{"baking", SubnetInput{RegistryVersion: v, Health: healthy(v), Record: SubnetRecord{HealthySince: t0.Add(50 * time.Minute)}}, StateBaking, "", t0.Add(50 * time.Minute), false},
		{"baked", SubnetInput{RegistryVersion: v, Health: healthy(v), Record: SubnetRecord{HealthySince: t0.Add(45 * time.Minute)}}, StateComplete, "", t0.Add(45 * time.Minute), true},
		{"stalled", SubnetInput{RegistryVersion: v, Health: stalled, Record: SubnetRecord{HealthySince: t0}}, StateFailed, health.CheckFinalizing, time.Time{}, false},
		{"alert firing after completion", SubnetInput{RegistryVersion: v, Health: firing, Record: SubnetRecord{HealthySince: t0, Complete: t0}}, StateFailed, health.CheckAlerts, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Target, in.Now, in.Bake = v, t0.Add(time.Hour), bake
			got := Derive(in)
			if got.State != tt.want || got.FailedCheck != tt.check {
				t.Fatalf("state %s (check %q: %s), want %s (check %q)", got.State, got.FailedCheck, got.Detail, tt.want, tt.check)
			}
			if !got.Record.HealthySince.Equal(tt.since) {
				t.Errorf("healthy since %s, want %s", got.Record.HealthySince, tt.since)
			}
			if got.Record.Complete.IsZero() == tt.completed {
				t.Errorf("complete = %s, want set: %v", got.Record.Complete, tt.completed)
			}
			if got.Detail == "" {
				t.Error("empty detail")
			}
		})
	}
}

func TestDeriveUnassigned(t *testing.T) {
	if got := DeriveUnassigned(UnassignedInput{Target: "v", RegistryVersion: "v"}); got.State != StateComplete {
		t.Errorf("configured: %s", got.State)
	}
	if got := DeriveUnassigned(UnassignedInput{Target: "v", RegistryVersion: "old", Proposals: []ProposalView{{ID: 3, Status: governance.StatusOpen}}}); got.State != StateWaitingForAdoption || got.Proposal != 3 {
		t.Errorf("open: %+v", got)
	}
	rb := DeriveUnassigned(UnassignedInput{Target: "v", RegistryVersion: "old", Proposals: []ProposalView{{ID: 3, Status: governance.StatusExecuted, Executed: t0}},
		Replaced: &Replacement{ID: 7, Version: "old", Executed: t0.Add(time.Minute)}})
	if rb.State != StateRolledBack || rb.RolledBack == nil || rb.RolledBack.ID != 7 || !strings.Contains(rb.Detail, "rolled back to old by proposal 7") {
		t.Errorf("rolled back: %+v", rb)
	}
}

func TestQuietStatus(t *testing.T) {
	q := QuietPeriod{Days: 10, Start: t0}
	got := quietStatus(q, t0.Add(50*time.Hour))
	if want := "quiet period day 3 of 10, disclosure due 2026-12-03"; got.String() != want || got.Over {
		t.Errorf("%q, want %q", got, want)
	}
	if got := quietStatus(q, t0.Add(240*time.Hour)); !got.Over {
		t.Errorf("after 10 days: %+v", got)
	}
	if got := quietStatus(QuietPeriod{}, t0); got.Started || got.Days != DefaultQuietPeriodDays {
		t.Errorf("not started: %+v", got)
	}
}

func TestDeriveFinalizingFromHeights(t *testing.T) {
	now := t0.Add(time.Hour)
	withHeight := func(h float64) *health.Subnet {
		s := healthy(testVersion)
		s.Finalizing = nil
		s.Height = &h
		return s
	}
	tests := []struct {
		name       string
		rec        SubnetRecord
		height     float64
		want       State
		wantHeight float64
		wantAt     time.Time
	}{
		{"first look", SubnetRecord{}, 500, StateBaking, 500, now},
		{"grew", SubnetRecord{Height: 100, HeightAt: t0}, 500, StateBaking, 500, now},
		{"stalled", SubnetRecord{Height: 500, HeightAt: t0}, 500, StateFailed, 500, now},
		{"too soon to tell", SubnetRecord{Height: 499, HeightAt: now.Add(-2 * time.Second)}, 500, StateBaking, 499, now.Add(-2 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := withHeight(tt.height)
			got := Derive(SubnetInput{Target: testVersion, Now: now, Bake: time.Minute, RegistryVersion: testVersion, Health: h, Record: tt.rec})
			if got.State != tt.want {
				t.Fatalf("state %s (%s), want %s", got.State, got.Detail, tt.want)
			}
			if got.Record.Height != tt.wantHeight || !got.Record.HeightAt.Equal(tt.wantAt) {
				t.Errorf("record height %v at %s, want %v at %s", got.Record.Height, got.Record.HeightAt, tt.wantHeight, tt.wantAt)
			}
			if h.Finalizing != nil {
				t.Error("Derive changed its input")
			}
		})
	}
}

func TestBlockersNameTheNextBatch(t *testing.T) {
	st := &Status{Now: t0.Add(time.Hour), State: RolloutUpgrading, Batches: []BatchStatus{
		{Batch: 1, Start: t0, State: StateBaking, Subnets: []SubnetStatus{{Subnet: "aaaaa-x", State: StateBaking, Detail: "healthy for 5m0s of 30m0s"}}},
		{Batch: 2, Start: t0.Add(2 * time.Hour), State: StatePending, Subnets: []SubnetStatus{{Subnet: "bbbbb-y", State: StatePending}}},
	}}
	got := blockers(&Ledger{}, st)
	if len(got) != 1 || got[0] != "batch 1 is baking: subnet aaaaa healthy for 5m0s of 30m0s" {
		t.Errorf("blockers %q", got)
	}
	if st.Next == nil || st.Next.Batch != 2 || st.Next.In != time.Hour {
		t.Errorf("next %+v", st.Next)
	}
	st.Batches[0].State, st.Batches[0].Subnets[0].State = StateComplete, StateComplete
	st.Next = nil
	got = blockers(&Ledger{}, st)
	if len(got) != 1 || !strings.HasPrefix(got[0], "batch 2 starts at ") || st.Next == nil || st.Next.Batch != 2 {
		t.Errorf("blockers %q, next %+v", got, st.Next)
	}
}

// TestBlockersStopAtAFailure: a failed subnet blocks everything; no later
// batch is announced as next.
func TestBlockersStopAtAFailure(t *testing.T) {
	st := &Status{Now: t0.Add(time.Hour), State: RolloutFailed, Batches: []BatchStatus{
		{Batch: 1, Start: t0, State: StateFailed, Subnets: []SubnetStatus{{Subnet: "aaaaa-x", State: StateFailed, FailedCheck: "alerts", Detail: "IC_Subnet_Stalled (firing)"}}},
		{Batch: 2, Start: t0.Add(2 * time.Hour), State: StatePending, Subnets: []SubnetStatus{{Subnet: "bbbbb-y", State: StatePending}}},
	}}
	got := blockers(&Ledger{}, st)
	if len(got) != 1 || got[0] != "subnet aaaaa-x failed its alerts check: IC_Subnet_Stalled (firing)" || st.Next != nil {
		t.Errorf("blockers %q, next %+v", got, st.Next)
	}
	st.Batches[0].State, st.Batches[0].Subnets[0].State = StateComplete, StateComplete
	st.Batches[1].State, st.Batches[1].Subnets[0].State = StateComplete, StateComplete
	st.Unassigned = SubnetStatus{State: StateFailed, FailedCheck: CheckProposal, Detail: "proposal 9 rejected"}
	if got := blockers(&Ledger{}, st); len(got) != 1 || !strings.Contains(got[0], "unassigned nodes failed their proposal check: proposal 9 rejected") {
		t.Errorf("unassigned failure: %q", got)
	}
}
