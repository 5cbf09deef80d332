package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

func TestGlance(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	pending := func(n int, start time.Time) BatchStatus {
		return BatchStatus{Batch: n, Start: start, State: StatePending, Subnets: []SubnetStatus{{Subnet: "a", State: StatePending}, {Subnet: "b", State: StatePending}}}
	}
	t.Run("batch 1 due: ready now, not batch 2's start", func(t *testing.T) {
		st := &Status{Now: now, State: RolloutUpgrading, Batches: []BatchStatus{pending(1, now.Add(-time.Minute)), pending(2, now.Add(2*time.Hour))},
			Quiet: QuietStatus{Days: 10, Targets: 6, Unpatched: []string{"1", "2", "3", "4", "5", "6"}}}
		g := st.Glance()
		if !g.Ready || g.Batch.Batch != 1 || !strings.Contains(g.Action, "batch 1") || g.Command != "rollout advance" || !g.At.IsZero() {
			t.Errorf("glance %+v", g)
		}
		if g.Patched != 0 || g.Targets != 6 {
			t.Errorf("patched %d of %d", g.Patched, g.Targets)
		}
	})
	t.Run("batch 1 not started: timed", func(t *testing.T) {
		st := &Status{Now: now, State: RolloutUpgrading, Batches: []BatchStatus{pending(1, now.Add(time.Hour))}}
		if g := st.Glance(); g.Ready || !g.At.Equal(now.Add(time.Hour)) {
			t.Errorf("glance %+v", g)
		}
	})
	t.Run("API boundary node stage bakes", func(t *testing.T) {
		done := BatchStatus{Batch: 1, State: StateComplete}
		st := &Status{Now: now, State: RolloutAPIBoundary, Batches: []BatchStatus{done},
			Unassigned:  SubnetStatus{Subnet: "unassigned", State: StateComplete},
			APIBoundary: &SubnetStatus{Subnet: APIBoundaryTarget, State: StateBaking, BakeLeft: 5 * time.Minute},
			Quiet:       QuietStatus{Days: 10, Held: []string{APIBoundaryTarget}}}
		g := st.Glance()
		if g.Ready || !strings.Contains(g.Action, "API boundary nodes to bake") || !g.At.Equal(now.Add(5*time.Minute)) || !strings.HasPrefix(g.Quiet, "held") {
			t.Errorf("glance %+v", g)
		}
		st.APIBoundary = &SubnetStatus{Subnet: APIBoundaryTarget, State: StatePending}
		st.APIBoundaryStart = now.Add(-time.Minute)
		if g := st.Glance(); !g.Ready || g.Command != "rollout advance" || !strings.Contains(g.Action, "API boundary nodes") {
			t.Errorf("glance %+v", g)
		}
	})
	t.Run("unassigned stage prompts", func(t *testing.T) {
		done := BatchStatus{Batch: 1, State: StateComplete}
		st := &Status{Now: now, State: RolloutUnassigned, Batches: []BatchStatus{done}, UnassignedStart: now.Add(-time.Minute),
			Unassigned: SubnetStatus{Subnet: "unassigned", State: StatePending}}
		if g := st.Glance(); !g.Ready || !strings.Contains(g.Action, "unassigned") || g.Batch != nil {
			t.Errorf("glance %+v", g)
		}
	})
	t.Run("alerts carry their age", func(t *testing.T) {
		failed := SubnetStatus{Subnet: "a", State: StateFailed, FailedCheck: health.CheckAlerts, Record: SubnetRecord{Failed: now.Add(-7 * time.Minute)},
			Checks: []health.Check{{Name: health.CheckAlerts, Detail: "IC_Subnet_Stalled (firing)"}}}
		st := &Status{Now: now, State: RolloutFailed, Batches: []BatchStatus{{Batch: 1, State: StateFailed, Subnets: []SubnetStatus{failed}}}}
		g := st.Glance()
		if len(g.Alerts) != 1 || !g.Alerts[0].Since.Equal(now.Add(-7*time.Minute)) || g.Command != "rollback plan" {
			t.Errorf("glance %+v", g)
		}
	})
	t.Run("void quiet period says why", func(t *testing.T) {
		st := &Status{Now: now, State: RolloutComplete, Quiet: QuietStatus{Void: true, Days: 10, Unpatched: []string{"subnet x"}}}
		if g := st.Glance(); !strings.HasPrefix(g.Quiet, "void: 1 target(s) left") {
			t.Errorf("quiet %q", g.Quiet)
		}
	})
	t.Run("disclosure due", func(t *testing.T) {
		st := &Status{Now: now, State: RolloutComplete, Quiet: QuietStatus{Started: true, Over: true, Days: 10}}
		if g := st.Glance(); !g.Ready || g.Command != "release disclose" {
			t.Errorf("glance %+v", g)
		}
		st.Disclosure = &Disclosure{At: now, SourceURL: "https://example.org/src"}
		if g := st.Glance(); g.Ready || g.Command != "" {
			t.Errorf("after disclosure: %+v", g)
		}
	})
}

func TestPreviewAdvance(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	b1 := BatchStatus{Batch: 1, Start: now.Add(-time.Minute), State: StatePending,
		Subnets: []SubnetStatus{{Subnet: "a", State: StatePending}, {Subnet: "b", State: StatePending}}}
	st := &Status{Now: now, State: RolloutUpgrading, Batches: []BatchStatus{b1}}
	if p := st.PreviewAdvance(); p.Batch != 1 || p.Function != DeploySubnetFunction || len(p.Subnets) != 2 {
		t.Errorf("preview %+v", p)
	}
	st.Batches[0].Start = now.Add(time.Hour)
	st.Blockers = []string{"batch 1 starts later"}
	if p := st.PreviewAdvance(); p.Function != "" || len(p.Wait) != 1 {
		t.Errorf("preview before the start %+v", p)
	}
	st.Batches[0].State = StateComplete
	st.UnassignedStart = now.Add(-time.Minute)
	st.Unassigned = SubnetStatus{Subnet: "unassigned", State: StatePending}
	if p := st.PreviewAdvance(); p.Function != DeployUnassignedFunction || len(p.Subnets) != 0 {
		t.Errorf("preview of the unassigned nodes %+v", p)
	}
}
