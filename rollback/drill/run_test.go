package drill

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
}
