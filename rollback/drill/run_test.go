package drill

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/rollback"
)

func runScenario(t *testing.T, file string) (*Report, error) {
	t.Helper()
	s, err := Load(filepath.Join("..", "drills", file))
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

func TestDrillNNSLastBatch(t *testing.T) {
	rep, err := runScenario(t, "nns-last-batch.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.FaultSubnet != rollout.NNSSubnet || rep.Detection.Subnet != rollout.NNSSubnet {
		t.Fatalf("fault %s detected on %+v; want the NNS subnet", rep.FaultSubnet, rep.Detection)
	}
	steps := rep.Plan.Steps
	if steps[1].Subnet != rollout.NNSSubnet || steps[1].Version != Commit("nns-base") {
		t.Fatalf("first rollback step = %+v; want the NNS subnet back to nns-base", steps[1])
	}
	if len(rep.Plan.Targets) != 6 {
		t.Fatalf("targets = %d; want all 6 subnets", len(rep.Plan.Targets))
	}
}

func TestDrillUnelectedTarget(t *testing.T) {
	rep, err := runScenario(t, "unelected-target.yaml")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	re := rep.Plan.Steps[1]
	if re.Kind != rollback.StepReelect || re.Version != Commit("old") || re.Draft.ElectGuestOS.ReleasePackageSHA256Hex == nil {
		t.Fatalf("step 2 = %+v; want the re-election of old", re)
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
