package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// TestDeriveAPIBoundaryGate: once the registry names the version for every
// node of the stage, the stage waits for health data, fails while a node is
// down (naming it), bakes while every node is up and completes after the
// bake; a node down after completion fails the stage again.
func TestDeriveAPIBoundaryGate(t *testing.T) {
	nodes := []governance.APIBoundaryNode{{ID: "bn1", Version: testVersion}, {ID: "bn2", Version: testVersion}}
	snap := func(up1, up2 bool) *health.Snapshot {
		return &health.Snapshot{Nodes: map[string]health.Node{"bn1": {Up: up1}, "bn2": {Up: up2}}}
	}
	in := APIBoundaryInput{Target: testVersion, Nodes: nodes, Now: t0, Bake: 15 * time.Minute}
	if st := DeriveAPIBoundary(in); st.State != StateUpgrading || !strings.Contains(st.Detail, "no health data") {
		t.Fatalf("without health: %s %q", st.State, st.Detail)
	}
	in.Health = &health.Snapshot{Nodes: map[string]health.Node{"bn1": {Up: true}}}
	if st := DeriveAPIBoundary(in); st.State != StateUpgrading || !strings.Contains(st.Detail, "bn2") {
		t.Fatalf("bn2 unknown: %s %q", st.State, st.Detail)
	}
	in.Health = snap(true, false)
	st := DeriveAPIBoundary(in)
	if st.State != StateFailed || st.FailedCheck != health.CheckNodeUp || !strings.Contains(st.Detail, "bn2") || strings.Contains(st.Detail, "bn1") {
		t.Fatalf("bn2 down: %s %s %q", st.State, st.FailedCheck, st.Detail)
	}
	if !st.Record.Running.IsZero() {
		t.Errorf("running recorded while a node is down: %s", st.Record.Running)
	}
	in.Health, in.Record = snap(true, true), st.Record
	st = DeriveAPIBoundary(in)
	if st.State != StateBaking || st.BakeLeft != 15*time.Minute || !st.Record.Running.Equal(t0) || !st.Record.HealthySince.Equal(t0) {
		t.Fatalf("both up: %s left %s record %+v", st.State, st.BakeLeft, st.Record)
	}
	in.Record, in.Now = st.Record, t0.Add(10*time.Minute)
	if st = DeriveAPIBoundary(in); st.State != StateBaking || st.BakeLeft != 5*time.Minute {
		t.Fatalf("10 minutes up: %s left %s", st.State, st.BakeLeft)
	}
	in.Record, in.Now = st.Record, t0.Add(15*time.Minute)
	if st = DeriveAPIBoundary(in); st.State != StateComplete || !st.Record.Complete.Equal(in.Now) {
		t.Fatalf("bake over: %s record %+v", st.State, st.Record)
	}
	in.Record, in.Health = st.Record, snap(false, true)
	if st = DeriveAPIBoundary(in); st.State != StateFailed || !strings.Contains(st.Detail, "bn1") || !st.Record.HealthySince.IsZero() {
		t.Fatalf("bn1 down after completion: %s %q", st.State, st.Detail)
	}

	// Running: the deploy's execution when the first look sees every node
	// up, the look itself when the stage failed its gate before.
	executed := t0.Add(-2 * time.Hour)
	fresh := APIBoundaryInput{Target: testVersion, Nodes: nodes, Now: t0, Bake: 15 * time.Minute, Health: snap(true, true),
		Proposals: []ProposalView{{ID: 7, Status: governance.StatusExecuted, Executed: executed}}}
	if got := DeriveAPIBoundary(fresh).Record.Running; !got.Equal(executed) {
		t.Errorf("up at the first look: running %s, want the execution %s", got, executed)
	}
	fresh.Record.Failed = t0.Add(-time.Hour)
	if got := DeriveAPIBoundary(fresh).Record.Running; !got.Equal(t0) {
		t.Errorf("up after failing: running %s, want this look %s", got, t0)
	}
}

// TestAPIBoundaryNodeDownHoldsTheRelease rolls a release out on the local
// network with the continuous planner (which ends with the API boundary
// node stage), node health read from the network's /metrics. One API
// boundary node goes down on the patch: after its deploy the stage fails
// its node_up check naming the node, and neither "complete" nor the quiet
// period is reached. Once the node is back up and stays up for the bake,
// the release completes and the quiet period starts.
func TestAPIBoundaryNodeDownHoldsTheRelease(t *testing.T) {
	n, c, tr := localTracker(t)
	tr.Health = health.Metrics{URL: n.URL() + "/metrics", Once: true}
	ctx := context.Background()
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const v = "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081"
	p, err := BuildPlan(reg, PlanOptions{Version: v, Start: n.Now(), BatchSize: 20, Interval: time.Hour, Bake: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if p.APIBoundaryNodes == nil || len(reg.APIBoundaryNodes) == 0 {
		t.Fatalf("continuous plan has no API boundary node stage (registry has %d)", len(reg.APIBoundaryNodes))
	}
	if _, err := tr.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	broken := reg.APIBoundaryNodes[0].ID
	if err := n.SetFault(localnet.Fault{Version: v, Subnets: []string{broken}}); err != nil {
		t.Fatal(err)
	}
	var gate *GateError
	for i := 0; gate == nil; i++ {
		if i == 150 {
			t.Fatal("the API boundary node stage did not fail within 150 steps")
		}
		res, err := tr.Advance(ctx)
		switch {
		case errors.As(err, &gate):
		case errors.Is(err, ErrNotReady):
			if res.Status.State == RolloutComplete {
				t.Fatalf("release complete with API boundary node %s down", broken)
			}
			step := 10 * time.Minute
			if next := res.Status.Next; next != nil && next.In > step {
				step = next.In // the signing backup waits a day
			}
			if _, err := n.Advance(step); err != nil {
				t.Fatal(err)
			}
		case err != nil:
			t.Fatalf("advance: %v", err)
		}
	}
	if gate.Subnet != "API boundary nodes" || gate.Check != health.CheckNodeUp || !strings.Contains(gate.Detail, broken) {
		t.Fatalf("gate error %v; want the API boundary nodes' node_up check naming %s", gate, broken)
	}
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	st, err := tr.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != RolloutFailed || st.Quiet.Started || strings.Join(st.Quiet.Held, ",") != APIBoundaryTarget {
		t.Fatalf("node down an hour later: state %s, quiet %+v; want failed, quiet period held", st.State, st.Quiet)
	}
	if q := st.Quiet.String(); !strings.Contains(q, "held") {
		t.Errorf("quiet period reads %q; want it held", q)
	}
	if b := strings.Join(st.Blockers, "\n"); !strings.Contains(b, broken) {
		t.Errorf("blockers %q do not name %s", b, broken)
	}
	if _, err := tr.Disclose(ctx, "https://github.com/dfinity/ic/commit/x", false, ""); !errors.Is(err, ErrQuietPeriod) {
		t.Errorf("disclosure with a node down: %v; want ErrQuietPeriod", err)
	}

	if err := n.SetFault(localnet.Fault{Version: v, Clear: true}); err != nil {
		t.Fatal(err)
	}
	recovered := n.Now()
	if st, err = tr.Status(ctx); err != nil {
		t.Fatal(err)
	}
	if st.State != RolloutAPIBoundary || st.APIBoundary.State != StateBaking || st.APIBoundary.BakeLeft != 15*time.Minute {
		t.Fatalf("node back up: state %s, stage %+v; want baking for 15m", st.State, st.APIBoundary)
	}
	// 100% patched counts from when every node was seen up on the version
	// (like a subnet's Running time), not from the registry's earlier write.
	seenUp := st.APIBoundary.Record.Running
	if seenUp.Before(recovered) || seenUp.After(st.Now) {
		t.Fatalf("nodes seen up at %s; want the first look after the recovery at %s", seenUp, recovered)
	}
	if !st.Quiet.Started || !st.Quiet.Start.Equal(seenUp.UTC()) || len(st.Quiet.Held) != 0 {
		t.Fatalf("node back up: quiet %+v; want it started at %s", st.Quiet, seenUp)
	}
	if _, err := n.Advance(16 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, err = tr.Status(ctx); err != nil {
		t.Fatal(err)
	}
	if st.State != RolloutComplete || st.APIBoundary.State != StateComplete || !st.Quiet.Start.Equal(seenUp.UTC()) {
		t.Fatalf("after the bake: state %s, quiet %+v; want complete, quiet period from %s", st.State, st.Quiet, seenUp)
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	var audit []string
	for _, e := range l.Audit {
		audit = append(audit, e.Detail)
	}
	all := strings.Join(audit, "\n")
	for _, want := range []string{"the API boundary node stage failed its node_up check", "the API boundary node stage no longer fails its gate", "the API boundary node stage passed its gate"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit lacks %q:\n%s", want, all)
		}
	}
}

// TestDeriveAPIBoundaryGateNodeAlerts: an alert pending on an API boundary
// node keeps the stage baking (its healthy time restarts, so it does not
// complete however long the alert stays pending), one firing fails it with
// the node_alerts check naming the node, and the stage completes a full
// bake after the alert cleared.
func TestDeriveAPIBoundaryGateNodeAlerts(t *testing.T) {
	nodes := []governance.APIBoundaryNode{{ID: "bn1", Version: testVersion}, {ID: "bn2", Version: testVersion}}
	snap := func(state string) *health.Snapshot {
		bn2 := health.Node{Up: true}
		if state != "" {
			bn2.Alerts = []health.Alert{{Name: "BoundaryNode_Errors", State: state}}
		}
		return &health.Snapshot{Nodes: map[string]health.Node{"bn1": {Up: true}, "bn2": bn2}}
	}
	in := APIBoundaryInput{Target: testVersion, Nodes: nodes, Now: t0, Bake: 15 * time.Minute, Health: snap("")}
	st := DeriveAPIBoundary(in)
	if st.State != StateBaking || !st.Record.HealthySince.Equal(t0) {
		t.Fatalf("both up, no alert: %s record %+v", st.State, st.Record)
	}
	in.Record, in.Now, in.Health = st.Record, t0.Add(10*time.Minute), snap(health.AlertPending)
	st = DeriveAPIBoundary(in)
	if st.State != StateBaking || st.BakeLeft != in.Bake || !st.Record.HealthySince.IsZero() ||
		!strings.Contains(st.Detail, "bn2") || !strings.Contains(st.Detail, "BoundaryNode_Errors (pending)") {
		t.Fatalf("alert pending on bn2: %s left %s %q record %+v; want baking from scratch naming it", st.State, st.BakeLeft, st.Detail, st.Record)
	}
	in.Record, in.Now = st.Record, t0.Add(time.Hour)
	if st = DeriveAPIBoundary(in); st.State == StateComplete || st.State == StateFailed {
		t.Fatalf("alert still pending an hour later: %s %q; want the stage still waiting", st.State, st.Detail)
	}
	in.Record, in.Health = st.Record, snap(health.AlertFiring)
	st = DeriveAPIBoundary(in)
	if st.State != StateFailed || st.FailedCheck != health.CheckNodeAlerts || !strings.Contains(st.Detail, "bn2") ||
		strings.Contains(st.Detail, "bn1") || !strings.Contains(st.Detail, "BoundaryNode_Errors (firing)") {
		t.Fatalf("alert firing on bn2: %s %s %q; want failed on node_alerts naming bn2", st.State, st.FailedCheck, st.Detail)
	}
	in.Record, in.Health = st.Record, snap("")
	st = DeriveAPIBoundary(in)
	in.Record, in.Now = st.Record, in.Now.Add(14*time.Minute)
	if st = DeriveAPIBoundary(in); st.State != StateBaking {
		t.Fatalf("14 minutes after the alert cleared: %s; want baking", st.State)
	}
	in.Record, in.Now = st.Record, in.Now.Add(time.Minute)
	if st = DeriveAPIBoundary(in); st.State != StateComplete {
		t.Fatalf("a full bake after the alert cleared: %s %q; want complete", st.State, st.Detail)
	}

	// A node down still reads node_up even when it also has a firing alert.
	in.Health = &health.Snapshot{Nodes: map[string]health.Node{"bn1": {Up: true},
		"bn2": {Alerts: []health.Alert{{Name: "IC_Node_Down", State: health.AlertFiring}}}}}
	if st = DeriveAPIBoundary(in); st.State != StateFailed || st.FailedCheck != health.CheckNodeUp {
		t.Fatalf("bn2 down and alerting: %s %s; want failed on node_up", st.State, st.FailedCheck)
	}
}
