package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/rollback/drill"
)

const drillsDir = "../../rollback/drill/scenarios"

func TestDrillRunPasses(t *testing.T) {
	isolateConfig(t)
	report := filepath.Join(t.TempDir(), "drill.json")
	r := mustRun(t, 0, "drill", "run", "stall-early-batch", "--report", report)
	if !strings.Contains(r.Stdout, "Drill stall-early-batch: PASSED") || !strings.Contains(r.Stdout, "Time to roll back:") {
		t.Errorf("report:\n%s", r.Stdout)
	}
	for _, want := range []string{"] elect: security-mode election", "] detected: subnet", "] rolled back:"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, r.Stderr)
		}
	}
	if strings.Contains(r.Stderr, "\r") {
		t.Error("progress rewrote lines on a non-terminal")
	}
	var doc jsonout.DrillReport
	if err := json.Unmarshal(mustRead(t, report), &doc); err != nil || !doc.Report.Passed || doc.Report.Detection == nil {
		t.Fatalf("report file: %v %+v", err, doc.Report)
	}
}

func TestDrillRunFailsAnAssertion(t *testing.T) {
	isolateConfig(t)
	b, err := os.ReadFile(filepath.Join(drillsDir, "stall-early-batch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "wrong.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "reelect: []", "reelect: [base]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, ExitDrillFailed, "drill", "run", path, "--json")
	var doc jsonout.DrillReport
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || doc.Report.Passed {
		t.Fatalf("JSON report: %v passed=%v", err, doc.Report != nil && doc.Report.Passed)
	}
	var failed []drill.Assertion
	for _, a := range doc.Report.Assertions {
		if !a.OK {
			failed = append(failed, a)
		}
	}
	if len(failed) != 1 || failed[0].Name != "reelect" || !strings.Contains(r.Stderr, "drill assertion failed") {
		t.Fatalf("failed = %+v\nstderr:\n%s", failed, r.Stderr)
	}
}

func TestDrillRunRefusesBadScenarios(t *testing.T) {
	isolateConfig(t)
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("schema_version: 1\nname: x\nsurprise: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := mustRun(t, ExitUsage, "drill", "run", path); !strings.Contains(r.Stderr, "surprise") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
	mustRun(t, ExitUsage, "drill", "run")
	mustRun(t, ExitError, "drill", "run", filepath.Join(t.TempDir(), "missing.yaml"))
}

func TestDrillProgressOnATerminal(t *testing.T) {
	var b strings.Builder
	p := newDrillProgress(&b, true)
	p.waiting("rolling out", 65*time.Minute, 1500*time.Millisecond)
	p.step(drill.Step{Name: "detected", Detail: "subnet x"})
	p.waiting("rolling back", 70*time.Minute, 2*time.Second)
	p.done()
	want := "  … rolling out  (virtual +01h05m00s, wall 1.5s)\r\033[K[+00h00m00s 0.00s] detected: subnet x\n" +
		"  … rolling back  (virtual +01h10m00s, wall 2.0s)\r\033[K"
	if b.String() != want {
		t.Fatalf("terminal progress = %q\nwant %q", b.String(), want)
	}
	var plain strings.Builder
	q := newDrillProgress(&plain, false)
	q.waiting("rolling out", time.Minute, time.Second)
	q.step(drill.Step{Name: "elect"})
	q.done()
	if plain.String() != "[+00h00m00s 0.00s] elect\n" {
		t.Fatalf("plain progress = %q", plain.String())
	}
}

// TestDrillRunAgainstANetwork runs a drill against a network started
// beforehand (--network URL), as against `nnspatch localnet start`.
func TestDrillRunAgainstANetwork(t *testing.T) {
	isolateConfig(t)
	path := filepath.Join(drillsDir, "nns-last-batch.yaml")
	s, err := drill.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	n := localnettest.Start(t, localnettest.WithConfig(func(c *localnet.Config) { *c = drill.NetworkConfig(s, c.StateDir, c.Listen) }))
	r := mustRun(t, 0, "drill", "run", path, "--network", n.URL())
	if !strings.Contains(r.Stdout, "PASSED") || !strings.Contains(r.Stdout, "on "+n.URL()) {
		t.Fatalf("report:\n%s", r.Stdout)
	}
}

// The shipped scenarios are built in: listed by name, run by name, and an
// unknown name is a usage error that points at the list.
func TestDrillListShowsShippedScenarios(t *testing.T) {
	isolateConfig(t)
	files, _ := filepath.Glob(filepath.Join(drillsDir, "*.yaml"))
	out := mustRun(t, 0, "drill", "list").Stdout
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if !strings.Contains(out, name+"  ") {
			t.Errorf("drill list lacks %s:\n%s", name, out)
		}
	}
	var doc jsonout.DrillList
	if err := json.Unmarshal([]byte(mustRun(t, 0, "drill", "list", "--json").Stdout), &doc); err != nil ||
		doc.SchemaVersion == 0 || len(doc.Scenarios) != len(files) || doc.Scenarios[0].Description == "" {
		t.Fatalf("drill list --json: %v %+v", err, doc)
	}
	if r := mustRun(t, ExitUsage, "drill", "run", "no-such-drill"); !strings.Contains(r.Stderr, "drill list") {
		t.Errorf("unknown scenario:\n%s", r.Stderr)
	}
}
