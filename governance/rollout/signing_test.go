package rollout

import (
	"strings"
	"testing"
	"time"
)

// TestSigningTwinsHeldADayApart: the signing backup is not proposed while
// the signing subnet's deploy is in flight or executed less than a day ago,
// even when the plan's start times allow it; other subnets of the batch go.
func TestSigningTwinsHeldADayApart(t *testing.T) {
	executed := t0.Add(time.Hour)
	st := &Status{Now: t0.Add(3 * time.Hour), State: RolloutUpgrading, Batches: []BatchStatus{
		{Batch: 1, Start: t0, State: StateComplete, Subnets: []SubnetStatus{{Subnet: SigningSubnet, State: StateComplete, Proposal: 2, Executed: executed}}},
		{Batch: 2, Start: t0.Add(2 * time.Hour), State: StatePending, Subnets: []SubnetStatus{
			{Subnet: SigningBackup, State: StatePending}, {Subnet: "app01-aaaaa", State: StatePending}}},
	}}
	targets, _ := nextTargets(&Ledger{}, st, false, false)
	if len(targets) != 1 || targets[0] != "app01-aaaaa" {
		t.Fatalf("targets %v, want only app01 while the backup is held", targets)
	}
	st.Batches[1].Subnets[1].State = StateComplete
	targets, wait := nextTargets(&Ledger{}, st, false, false)
	if len(targets) != 0 || len(wait) == 0 || !strings.Contains(wait[0], "subnet pzp6e waits until 2026-11-24 10:00 UTC") {
		t.Fatalf("targets %v, wait %q", targets, wait)
	}
	if b := strings.Join(blockers(&Ledger{}, st), "\n"); !strings.Contains(b, "signing twin uzr34") {
		t.Errorf("status blockers %q do not explain the hold", b)
	}
	st.Batches[0].Subnets[0] = SubnetStatus{Subnet: SigningSubnet, State: StateWaitingForAdoption, Proposal: 2}
	if _, wait := nextTargets(&Ledger{}, st, false, false); len(wait) == 0 || !strings.Contains(wait[0], "not executed yet") {
		t.Errorf("twin in flight: wait %q", wait)
	}
	st.Batches[0].Subnets[0] = SubnetStatus{Subnet: SigningSubnet, State: StateComplete, Executed: executed}
	st.Now = executed.Add(DefaultSigningGap)
	if targets, _ := nextTargets(&Ledger{}, st, false, false); len(targets) != 1 || targets[0] != SigningBackup {
		t.Errorf("a day later: targets %v, want the backup", targets)
	}
}
