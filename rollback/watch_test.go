package rollback

import (
	"testing"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// TestJudgeTargetTellsWaitsFromFailures: a target whose restored version
// has not arrived waits while its deploy is pending, open or adopted and
// fails only once the deploy was rejected, or executed while the registry
// names another version; on the restored version, a stall, a firing alert
// and missing replicas are judged as the rollout's gate judges them.
func TestJudgeTargetTellsWaitsFromFailures(t *testing.T) {
	yes, no := true, false
	h := 1234.0
	nodes := []string{"n1", "n2", "n3", "n4"}
	onPatch := &governance.Registry{Subnets: []governance.Subnet{{ID: subA, GuestOSVersion: vPatch, Nodes: nodes}}}
	restored := &governance.Registry{Subnets: []governance.Subnet{{ID: subA, GuestOSVersion: vOld, Nodes: nodes}}}
	snap := func(s health.Subnet) *health.Snapshot {
		return &health.Snapshot{Subnets: map[string]health.Subnet{subA: s}}
	}
	on := func(v string, n int) map[string]int { return map[string]int{v: n} }
	cases := []struct {
		name           string
		reg            *governance.Registry
		snap           *health.Snapshot
		dp             DeployProgress
		version, whole CheckState
	}{
		{"deploy pending", onPatch, snap(health.Subnet{Versions: on(vPatch, 4)}), DeployProgress{State: StatePending}, CheckWaiting, CheckWaiting},
		{"proposal open", onPatch, snap(health.Subnet{Versions: on(vPatch, 4)}), DeployProgress{State: StateSubmitted, Proposal: 7, Status: governance.StatusOpen}, CheckWaiting, CheckWaiting},
		{"proposal adopted", onPatch, nil, DeployProgress{State: StateSubmitted, Proposal: 7, Status: governance.StatusAdopted}, CheckWaiting, CheckWaiting},
		{"proposal rejected", onPatch, nil, DeployProgress{State: StateFailed, Proposal: 7, Status: governance.StatusRejected}, CheckFailed, CheckFailed},
		{"executed, registry elsewhere", onPatch, nil, DeployProgress{State: StateSubmitted, Proposal: 7, Status: governance.StatusExecuted}, CheckFailed, CheckFailed},
		{"replicas upgrading", restored, snap(health.Subnet{Versions: map[string]int{vOld: 2, vPatch: 2}, Finalizing: &no}), DeployProgress{}, CheckWaiting, CheckWaiting},
		{"replicas missing", restored, snap(health.Subnet{Versions: on(vOld, 3), Finalizing: &yes}), DeployProgress{}, CheckWaiting, CheckWaiting},
		{"one height", restored, snap(health.Subnet{Versions: on(vOld, 4), Height: &h}), DeployProgress{}, CheckOK, CheckWaiting},
		{"alert pending", restored, snap(health.Subnet{Versions: on(vOld, 4), Finalizing: &yes, Alerts: []health.Alert{{Name: "X", State: health.AlertPending}}}), DeployProgress{}, CheckOK, CheckWaiting},
		{"alert firing", restored, snap(health.Subnet{Versions: on(vOld, 4), Finalizing: &yes, Alerts: []health.Alert{{Name: "X", State: health.AlertFiring}}}), DeployProgress{}, CheckOK, CheckFailed},
		{"stalled", restored, snap(health.Subnet{Versions: on(vOld, 4), Finalizing: &no}), DeployProgress{}, CheckOK, CheckFailed},
		{"healthy", restored, snap(health.Subnet{Versions: on(vOld, 4), Finalizing: &yes}), DeployProgress{}, CheckOK, CheckOK},
		{"registry only", restored, nil, DeployProgress{}, CheckOK, CheckOK},
	}
	for _, c := range cases {
		th := JudgeTarget(c.reg, c.snap, subA, vOld, c.dp)
		if got := checkState(th, health.CheckVersion); got != c.version || th.State() != c.whole || th.Healthy() != (c.whole == CheckOK) {
			t.Errorf("%s: version %s, whole %s; want %s, %s (%+v)", c.name, got, th.State(), c.version, c.whole, th.Checks)
		}
	}
}
