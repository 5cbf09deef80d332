package drill

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", t.Name(), name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func sampleReport() *Report {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	return &Report{Scenario: "stall-early-batch", Network: "embedded localnet", Release: Commit("patch"), FaultSubnet: "ntsh3-vcw7y",
		Steps: []Step{
			{Name: "elect", Detail: "security-mode election submitted as proposal 1", Wall: 70 * time.Millisecond, Proposals: []uint64{1}},
			{Name: "detected", Detail: "subnet ntsh3-vcw7y failed the alerts check", Virtual: 73 * time.Minute, Wall: 410 * time.Millisecond},
			{Name: "rolled back", Virtual: 88 * time.Minute, Wall: 670 * time.Millisecond},
		},
		Detection:      &Detection{Subnet: "ntsh3-vcw7y", Check: "alerts", StalledAt: at, DetectedAt: at.Add(3 * time.Minute), TimeToDetect: 3 * time.Minute},
		TimeToRollBack: 15 * time.Minute,
		Proposals: []Proposal{{ID: 1, Kind: "elect", Title: "Security patch update", Status: governance.StatusExecuted},
			{ID: 8, Kind: "rollback", Target: "ntsh3-vcw7y", Title: "Roll back subnet ntsh3-vcw7y\x1b[31m", Status: governance.StatusExecuted}},
		Assertions:   []Assertion{{Name: "detected", OK: true, Detail: "gate failed on ntsh3-vcw7y"}, {Name: "reelect", OK: false, Detail: "re-elected [], expected [abc]"}},
		VirtualTotal: 88 * time.Minute, WallTotal: 700 * time.Millisecond,
	}
}

func TestRenderReport(t *testing.T) {
	var b bytes.Buffer
	if err := RenderText(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden(t, "failed_txt", b.Bytes())
	b.Reset()
	if err := RenderJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden(t, "failed_json", b.Bytes())
	if got := FormatStep(sampleReport().Steps[1]); got != "[+01h13m00s 0.41s] detected: subnet ntsh3-vcw7y failed the alerts check" {
		t.Errorf("FormatStep = %q", got)
	}
}
