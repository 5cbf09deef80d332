package drill

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/rollback"
)

func runScenario(t *testing.T, file string) (*Report, error) {
	t.Helper()
	s, err := Load(filepath.Join("scenarios", file))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var lines []string
	rep, err := Run(ctx, s, Options{Dir: t.TempDir(), Progress: func(s Step) { lines = append(lines, FormatStep(s)) }})
	if rep != nil && testing.Verbose() {
		var b bytes.Buffer
		_ = RenderText(&b, rep)
		t.Logf("progress:\n%s\n\nreport:\n%s", strings.Join(lines, "\n"), b.String())
	}
	if len(lines) == 0 {
		t.Error("no progress reported")
	}
	return rep, err
}

func TestDrillStallEarlyBatch(t *testing.T) {
	rep, err := runScenario(t, "stall-early-batch.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rep.Passed || rep.Detection == nil || rep.Detection.Subnet != rep.FaultSubnet {
		t.Fatalf("report: passed=%v detection=%+v fault=%s", rep.Passed, rep.Detection, rep.FaultSubnet)
	}
	if rep.Plan.Steps[0].Kind != rollback.StepHalt || rep.Plan.Steps[1].Subnet != rep.FaultSubnet {
		t.Fatalf("plan does not halt then roll the failing subnet back first: %+v", rep.Plan.Steps[:2])
	}
	// Batches 1 and 2 (3 subnets each) got the patch; all roll back.
	if n := len(rep.Plan.Targets); n != 6 {
		t.Fatalf("targets = %d; want 6", n)
	}
	// The failing subnet's step is reported when proposed and again, later
	// on the virtual clock, once its replicas run the restored version.
	var proposed, done *Step
	for i, st := range rep.Steps {
		if st.Name != "rollback" || !strings.Contains(st.Detail, "(deploy "+shortSubnet(rep.FaultSubnet)+" → ") {
			continue
		}
		switch {
		case strings.HasSuffix(st.Detail, "submitted") && len(st.Proposals) == 1:
			proposed = &rep.Steps[i]
		case strings.Contains(st.Detail, "done: every replica runs"):
			done = &rep.Steps[i]
		}
	}
	if proposed == nil || done == nil || done.Virtual <= proposed.Virtual {
		t.Fatalf("failing subnet's rollback reported as proposed %+v, done %+v", proposed, done)
	}
}

// TestDrillNNSLastBatch: the patch stalls the NNS subnet; the drill does
// not pretend a rollback proposal could execute there: it ends in "subnet
// recovery needed", halts the rollout, proposes no rollback, and the
// stalled network refuses a proposal.
func TestDrillNNSLastBatch(t *testing.T) {
	rep, err := runScenario(t, "nns-last-batch.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.FaultSubnet != rollout.NNSSubnet || rep.Detection.Subnet != rollout.NNSSubnet {
		t.Fatalf("fault %s detected on %+v; want the NNS subnet", rep.FaultSubnet, rep.Detection)
	}
	if rep.Outcome != OutcomeRecoveryNeeded || rep.Plan != nil {
		t.Fatalf("outcome %q with plan %v; want %q and no rollback plan", rep.Outcome, rep.Plan, OutcomeRecoveryNeeded)
	}
	for _, p := range rep.Proposals {
		if p.Kind == "rollback" {
			t.Errorf("rollback proposal %d made on a stalled NNS subnet", p.ID)
		}
	}
	names := map[string]bool{}
	for _, a := range rep.Assertions {
		names[a.Name] = a.OK
	}
	if !names["nns_executes_nothing"] || !names["no_rollback_proposal"] {
		t.Errorf("assertions %+v", rep.Assertions)
	}
}

func TestDrillUnelectedTarget(t *testing.T) {
	rep, err := runScenario(t, "unelected-target.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The failing subnet (batch 2, back to base) goes first; "old" is
	// re-elected right before the first batch-1 subnet returns to it.
	steps := rep.Plan.Steps
	if steps[1].Subnet != rep.FaultSubnet || steps[1].Version != Commit("base") {
		t.Fatalf("step 2 = %+v; want the failing subnet back to base", steps[1])
	}
	i := slices.IndexFunc(steps, func(s rollback.Step) bool { return s.Kind == rollback.StepReelect })
	if i < 0 || steps[i].Version != Commit("old") || steps[i].Draft.ElectGuestOS.ReleasePackageSHA256Hex == nil ||
		i+1 >= len(steps) || steps[i+1].Version != Commit("old") || slices.ContainsFunc(steps[:i], func(s rollback.Step) bool { return s.Version == Commit("old") }) {
		t.Fatalf("re-election of old at step %d of %+v", i+1, steps)
	}
	var unelect, reelect bool
	for _, p := range rep.Proposals {
		unelect = unelect || p.Kind == "unelect"
		reelect = reelect || strings.HasPrefix(p.Title, "Re-elect GuestOS version "+Commit("old"))
	}
	if !unelect || !reelect {
		t.Fatalf("proposals lack the clean-up (%v) or the re-election (%v): %+v", unelect, reelect, rep.Proposals)
	}
}

// TestDrillAPIBoundaryNodeFault: the patch breaks the API boundary nodes;
// the rollout reaches them with a function-47 proposal after the unassigned
// nodes, localnet's fault takes them down on the patch, the stage's
// node_up gate fails naming them, the rollout halts, and one function-47
// proposal points them back at base, where they are up again, while the
// healthy subnets keep the patch (left alone, named in the plan's notes).
func TestDrillAPIBoundaryNodeFault(t *testing.T) {
	rep, err := runScenario(t, "api-boundary-node-fault.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rep.Passed || rep.Detection == nil || rep.Detection.Subnet != rollout.APIBoundaryTarget {
		t.Fatalf("report: passed=%v detection=%+v", rep.Passed, rep.Detection)
	}
	steps := rep.Plan.Steps
	if len(steps) != 2 || steps[0].Kind != rollback.StepHalt || steps[1].Kind != rollback.StepAPIBoundary ||
		steps[1].Draft.DeployAPIBoundaryNodes == nil || len(steps[1].Nodes) != 3 || steps[1].Version != Commit("base") {
		t.Fatalf("plan steps %+v; want a halt, then one function-47 step of 3 nodes back to base", steps)
	}
	// The detection is the rollout's own gate on the API boundary node
	// stage: localnet's fault took the nodes down on the patch, and the
	// node_up check names each of them.
	if rep.Detection.Check != health.CheckNodeUp || rep.Detection.StalledAt.IsZero() {
		t.Errorf("detection %+v; want the %s check, timed from the registry switch", rep.Detection, health.CheckNodeUp)
	}
	for _, n := range steps[1].Nodes {
		if !strings.Contains(rep.Detection.Detail, n) {
			t.Errorf("detection detail %q does not name API boundary node %s", rep.Detection.Detail, n)
		}
	}
	if len(rep.Plan.Notes) == 0 || !strings.Contains(strings.Join(rep.Plan.Notes, "\n"), "left alone") {
		t.Errorf("the plan does not name the subnets it leaves alone: %q", rep.Plan.Notes)
	}
	names := map[string]bool{}
	for _, a := range rep.Assertions {
		names[a.Name] = a.OK
	}
	for _, want := range []string{"detected", "api_boundary_nodes_restored", "rollout_halted", "texts_leak_nothing", "detect_within", "rollback_within"} {
		if ok, seen := names[want]; !seen || !ok {
			t.Errorf("assertion %s: seen %v, ok %v", want, seen, ok)
		}
	}
}

// TestDrillHostOSStageTolerance: the canary node down on the HostOS patch
// stops the rollout on the canary stage's tolerance, and the HostOS
// rollback brings it back to its previous version, up.
func TestDrillHostOSStageTolerance(t *testing.T) {
	rep, err := runScenario(t, "hostos-stage-tolerance.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.Outcome != OutcomeRolledBack || rep.Detection.Check != "failure tolerance" || rep.Detection.Subnet != rep.FaultSubnet {
		t.Fatalf("outcome %q, detection %+v; want the fault node's stage over tolerance, rolled back", rep.Outcome, rep.Detection)
	}
	if rep.Plan.Kind != "hostos" || rep.Plan.Steps[1].Kind != rollback.StepHostOS || !slices.Contains(rep.Plan.Steps[1].Nodes, rep.FaultSubnet) {
		t.Fatalf("rollback plan %+v; want a HostOS step with the fault node", rep.Plan.Steps)
	}
}

// TestDrillNNSCanisterRollback: the root canister's upgrade is installed
// and then rolled back to the module it ran before.
func TestDrillNNSCanisterRollback(t *testing.T) {
	rep, err := runScenario(t, "nns-canister-rollback.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.Outcome != OutcomeRolledBack || rep.Plan.Steps[1].Kind != rollback.StepCanister {
		t.Fatalf("outcome %q, plan %+v; want a canister rollback", rep.Outcome, rep.Plan)
	}
	kinds := map[string]int{}
	for _, p := range rep.Proposals {
		kinds[p.Kind]++
		if p.Status != governance.StatusExecuted {
			t.Errorf("proposal %d (%s) is %s", p.ID, p.Kind, p.Status)
		}
	}
	if kinds["upgrade"] != 1 || kinds["rollback"] != 1 {
		t.Fatalf("proposals by kind %v; want one upgrade and one rollback", kinds)
	}
}
