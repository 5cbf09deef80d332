package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/rollback"
)

// TestRolloutAPIBoundaryStageEndToEnd plans a release with a policy file
// (every day, all day, the NNS not held to the next week), drives it on
// the local network's virtual clock and checks that the API boundary
// nodes follow the unassigned nodes with a DeployGuestosToSomeApiBoundaryNodes
// proposal, that status shows the stage, and that the release is then
// 100% patched (the quiet period starts) without any manual step.
func TestRolloutAPIBoundaryStageEndToEnd(t *testing.T) {
	n := releaseNet(t)
	rel, _, _ := newTestRelease(t)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	writeFile(t, policy, "days: [Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday]\nhours: \"00:00-23:59\"\nnns_next_week: false\nbatch_size: 10\n")

	r := mustRun(t, 0, "rollout", "plan", rel, "--policy", policy, "--bake", "30m")
	for _, want := range []string{"# Calendar (UTC):", "every API boundary node", "policy: custom", "api_boundary_nodes:\n  start: "} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, r.Stdout)
		}
	}
	st := statusJSON(t, mustRun(t, 0, "rollout", "status", rel, "--json").Stdout)
	if st.APIBoundary == nil || st.APIBoundary.State != rollout.StatePending || len(st.APIBoundaryPending) != len(n.Registry().APIBoundaryNodes()) {
		t.Fatalf("API BN stage before the rollout: %+v pending %v", st.APIBoundary, st.APIBoundaryPending)
	}

	order := driveRollout(t, n, rel)
	if k := len(order); k < 3 || order[k-1] != rollout.APIBoundaryTarget || order[k-2] != "" || order[k-3] != rollout.NNSSubnet {
		t.Fatalf("deploy order ends %q, want NNS, unassigned, API boundary nodes", order[max(0, len(order)-3):])
	}
	for _, b := range n.Registry().APIBoundaryNodes() {
		if b.Version != patchVersion {
			t.Errorf("API boundary node %s runs %s after the rollout", b.ID, b.Version)
		}
	}
	out := mustRun(t, 0, "rollout", "status", rel).Stdout
	if !strings.Contains(out, "API boundary nodes ") || !strings.Contains(out, "API boundary node(s) run "+patchVersion[:10]) {
		t.Errorf("status text lacks the API boundary node stage:\n%s", out)
	}
	st = statusJSON(t, mustRun(t, 0, "rollout", "status", rel, "--json").Stdout)
	if st.State != rollout.RolloutComplete || !st.Quiet.Started || len(st.Quiet.Unpatched) != 0 {
		t.Fatalf("after the stage: state %s, quiet %+v", st.State, st.Quiet)
	}
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := l.ProposalsFor(rollout.KindAPIBoundary, ""); len(got) != 1 || got[0].ID == 0 || got[0].Status != "executed" {
		t.Errorf("ledger API BN proposals %+v, want one executed", got)
	}

	// Rolling the API boundary nodes back: a function-47 step back to the
	// version they ran, submitted and executed, not "by hand".
	before := n.Registry().APIBoundaryNodes()
	p, err := rollback.DecodePlan([]byte(mustRun(t, 0, "rollback", "plan", "--release", rel, "--api-boundary-nodes", "--format", "json").Stdout))
	if err != nil {
		t.Fatal(err)
	}
	step := p.Steps[len(p.Steps)-1]
	if step.Kind != rollback.StepAPIBoundary || len(step.Nodes) != len(before) || step.Version != topoAPIVersion(n) {
		t.Fatalf("rollback plan steps %+v; want a function-47 step of %d nodes back to %s", p.Steps, len(before), topoAPIVersion(n))
	}
	if text := mustRun(t, 0, "rollback", "plan", "--release", rel, "--api-boundary-nodes").Stdout; strings.Contains(text, "ic-admin") ||
		!strings.Contains(text, "API boundary node(s) back to") {
		t.Errorf("rollback plan text:\n%s", text)
	}
	out = mustRun(t, 0, "rollback", "submit", "--release", rel, "--api-boundary-nodes", "--yes").Stdout
	if !strings.Contains(out, "API boundary nodes") {
		t.Errorf("rollback submit output:\n%s", out)
	}
	for _, b := range n.Registry().APIBoundaryNodes() {
		if b.Version != topoAPIVersion(n) {
			t.Errorf("API boundary node %s runs %s after the rollback, want %s", b.ID, b.Version, topoAPIVersion(n))
		}
	}
}

// topoAPIVersion is the GuestOS version the seed gives the API boundary nodes.
func topoAPIVersion(n *localnet.Network) string { return n.Topology().APIBoundaryVersion }
