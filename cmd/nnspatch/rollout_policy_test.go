package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
)

// planDoc is the part of `rollout plan --json` the test reads.
type planDoc struct {
	Policy           string                    `json:"policy"`
	Batches          []rollout.Batch           `json:"batches"`
	APIBoundaryNodes *rollout.APIBoundaryStage `json:"api_boundary_nodes"`
	UnassignedNodes  time.Time                 `json:"unassigned_nodes"`
}

// planJSON decodes `rollout plan --json`.
func planJSON(t *testing.T, out string) planDoc {
	t.Helper()
	var doc struct {
		Plan planDoc `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("decode plan JSON: %v\n%s", err, out)
	}
	return doc.Plan
}

// `rollout plan` follows DFINITY's policy by default (calendar on top,
// canary first, NNS the following week, working days only), honours
// rollout_policy from the config file, and refuses a bad policy with exit 2.
func TestRolloutPlanPolicies(t *testing.T) {
	releaseNet(t)
	rel, _, _ := newTestRelease(t)
	saturday := "2026-12-05T10:00:00Z"

	r := mustRun(t, 0, "rollout", "plan", rel, "--start", saturday)
	if !strings.HasPrefix(r.Stdout, "# Calendar (UTC):\n#   batch  1  Mon 2026-12-07 07:00 UTC  1 subnet(s): ") || !strings.Contains(r.Stdout, "policy: dfinity") {
		t.Fatalf("default plan output:\n%s", r.Stdout)
	}
	p := planJSON(t, mustRun(t, 0, "rollout", "plan", rel, "--start", saturday, "--json").Stdout)
	last := p.Batches[len(p.Batches)-1]
	if len(p.Batches[0].Subnets) != 1 || last.Subnets[0] != rollout.NNSSubnet || last.Start.Before(time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)) || p.APIBoundaryNodes == nil {
		t.Fatalf("default plan: first %v, last %v at %s, API BNs %+v", p.Batches[0].Subnets, last.Subnets, last.Start, p.APIBoundaryNodes)
	}
	for _, b := range p.Batches {
		if wd := b.Start.Weekday(); wd == time.Saturday || wd == time.Sunday || wd == time.Friday {
			t.Errorf("batch %d on a %s", b.Batch, wd)
		}
	}

	cfg := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, cfg, "rollout_policy: continuous\n")
	p = planJSON(t, mustRun(t, 0, "rollout", "plan", rel, "--config", cfg, "--start", saturday, "--json").Stdout)
	if p.Policy != "" || !p.Batches[0].Start.Equal(time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("rollout_policy: continuous not honoured: policy %q, first batch at %s", p.Policy, p.Batches[0].Start)
	}
	if p.APIBoundaryNodes == nil || !p.APIBoundaryNodes.Start.After(p.UnassignedNodes) {
		t.Fatalf("continuous plan: API boundary node stage %+v, want one after the unassigned nodes at %s", p.APIBoundaryNodes, p.UnassignedNodes)
	}

	bad := filepath.Join(t.TempDir(), "policy.yaml")
	writeFile(t, bad, "time_zone: Mars/Olympus\n")
	r = mustRun(t, ExitUsage, "rollout", "plan", rel, "--policy", bad)
	if !strings.Contains(r.Stderr, "time_zone") || !strings.Contains(r.Stderr, "fix the policy") {
		t.Errorf("bad policy: %s", r.Stderr)
	}
}

// The TUI's `P` plans a release with the config's rollout_policy exactly
// as `rollout plan` without flags does: same policy, same batches.
func TestTUIPlansAsTheCLI(t *testing.T) {
	releaseNet(t)
	rel, _, _ := newTestRelease(t)
	for _, policy := range []string{rollout.PolicyDFINITY, rollout.PolicyContinuous} {
		t.Run(policy, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			writeFile(t, cfg, "rollout_policy: "+policy+"\n")
			cli := planJSON(t, mustRun(t, 0, "rollout", "plan", rel, "--config", cfg, "--json").Stdout)
			d := tuiDepsFor(t, "--config", cfg, "--release", rel)
			if len(d.Releases) != 1 {
				t.Fatalf("tui releases %+v; want the one release", d.Releases)
			}
			r := d.Releases[0]
			planned, err := r.Tracker.PlanRelease(context.Background(), r.Plan)
			if err != nil || planned.Plan == nil {
				t.Fatalf("the Releases page's plan: %v", err)
			}
			tuiPlan := planned.Plan
			if tuiPlan.Policy != cli.Policy || len(tuiPlan.Batches) != len(cli.Batches) || (tuiPlan.APIBoundaryNodes == nil) != (cli.APIBoundaryNodes == nil) {
				t.Fatalf("TUI plan: policy %q, %d batches; CLI plan: policy %q, %d batches", tuiPlan.Policy, len(tuiPlan.Batches), cli.Policy, len(cli.Batches))
			}
			for i, b := range cli.Batches {
				if !slices.Equal(b.Subnets, tuiPlan.Batches[i].Subnets) {
					t.Errorf("batch %d: CLI %v, TUI %v", b.Batch, b.Subnets, tuiPlan.Batches[i].Subnets)
				}
			}
		})
	}
}
