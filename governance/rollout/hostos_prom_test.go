package rollout_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/rollout/health/promtest"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
)

// TestHostOSGateReadsPrometheus runs a HostOS release's gate on a real
// Prometheus server (not /metrics): it scrapes each node's host exporter
// target the local network lists for service discovery, and the nodes
// query turns the failing scrapes of a node that a fault on the new HostOS
// version took down into Up=false. The canary stage tolerates no failure,
// so the advance after the first canary batch stops with a
// *ToleranceError naming that node.
func TestHostOSGateReadsPrometheus(t *testing.T) {
	n, _, tr := hostOSTracker(t, 20)
	src := health.Prometheus{URL: promtest.Start(t, n.URL()), Window: 2 * time.Second}
	tr.Health = src
	ctx := context.Background()
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	canary := l.HostOS.Stages[0].Batches[0].Nodes[0]
	nodeIs := func(want bool) func() (bool, string) {
		return func() (bool, string) {
			s, err := src.Snapshot(ctx)
			if err != nil {
				return false, err.Error()
			}
			up, known := s.NodeUp(canary)
			return known && up == want, "known " + strconv.FormatBool(known) + ", up " + strconv.FormatBool(up)
		}
	}
	promtest.WaitFor(t, 60*time.Second, "Prometheus to see canary "+canary+" up", nodeIs(true))
	if err := n.SetFault(localnet.Fault{Version: rollouttest.HostOSVersion, Subnets: []string{canary}}); err != nil {
		t.Fatal(err)
	}
	res, err := tr.AdvanceHostOS(ctx)
	if err != nil || len(res.Submitted) != 1 {
		t.Fatalf("first advance: %+v, %v; want the first canary batch", res, err)
	}
	promtest.WaitFor(t, 30*time.Second, "Prometheus to see canary "+canary+" down after its upgrade", nodeIs(false))
	if _, err := n.Advance(time.Hour); err != nil { // past the bake
		t.Fatal(err)
	}
	_, err = tr.AdvanceHostOS(ctx)
	var te *rollout.ToleranceError
	if !errors.As(err, &te) || te.Stage != rollout.StageCanary || len(te.Down) != 1 || te.Down[0] != canary {
		t.Fatalf("advance with the canary down: %v; want the canary stage over tolerance naming %s", err, canary)
	}
	st, err := tr.HostOSStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != rollout.RolloutFailed || len(st.Down) != 1 || st.Down[0] != canary {
		t.Fatalf("status %s, down %v; want failed with %s down", st.State, st.Down, canary)
	}
}
