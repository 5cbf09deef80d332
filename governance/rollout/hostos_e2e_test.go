package rollout_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
)

// hostOSTracker starts a network and a HostOS release on it whose election
// executed and whose plan is saved (main batches of perSubnet nodes per
// subnet). The tracker reads node health from the network's /metrics.
func hostOSTracker(t *testing.T, perSubnet int) (*localnet.Network, *governance.Client, *rollout.Tracker) {
	t.Helper()
	n, c := governancetest.Start(t)
	tr, _ := rollouttest.HostOSRelease(t, n, c, perSubnet)
	return n, c, tr
}

// advanceUntil advances the rollout, moving the network's clock an hour
// whenever it waits, until stop says so or 60 steps passed.
func advanceUntil(t *testing.T, n *localnet.Network, tr *rollout.Tracker, stop func(*rollout.HostOSAdvanceResult, error) bool) (batches int) {
	t.Helper()
	ctx := context.Background()
	for range 60 {
		res, err := tr.AdvanceHostOS(ctx)
		if stop(res, err) {
			return batches
		}
		switch {
		case errors.Is(err, rollout.ErrNotReady):
			if _, err := n.Advance(time.Hour); err != nil {
				t.Fatal(err)
			}
		case err != nil:
			t.Fatalf("advance after %d batches: %v", batches, err)
		default:
			batches += len(res.Submitted)
		}
	}
	t.Fatal("the rollout did not stop within 60 steps")
	return batches
}

// TestHostOSReleaseEndToEnd rolls a HostOS version out to every node of the
// local network stage by stage (canary, main, unassigned), then checks the
// quiet period starts at the last batch's execution, disclosure is refused
// until it is over and recorded once it is.
func TestHostOSReleaseEndToEnd(t *testing.T) {
	n, c, tr := hostOSTracker(t, 20)
	ctx := context.Background()
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range l.HostOS.Stages {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "canary,main,unassigned,stragglers" {
		t.Fatalf("stages = %s", got)
	}
	if got := len(l.HostOS.Stages[0].Batches[0].Nodes); got != 1 {
		t.Fatalf("first canary batch has %d nodes; want 1", got)
	}
	batches := advanceUntil(t, n, tr, func(res *rollout.HostOSAdvanceResult, err error) bool {
		return res != nil && res.Status.State == rollout.RolloutComplete
	})
	// Every planned batch but the stragglers' (nothing is left for it).
	want := 0
	for _, s := range l.HostOS.Stages[:3] {
		want += len(s.Batches)
	}
	if batches != want || want < 5 {
		t.Fatalf("%d batches proposed; want the %d planned ones", batches, want)
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for id, nd := range reg.Nodes {
		if nd.HostOSVersion != rollouttest.HostOSVersion {
			t.Fatalf("node %s runs HostOS %s after the rollout", id, nd.HostOSVersion)
		}
	}
	st, err := tr.HostOSStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := st.Stages[2].Batches[0].Proposal
	if !st.Quiet.Started || !st.Quiet.Start.Equal(last.Executed) {
		t.Fatalf("quiet period %+v; want it started at the last batch's execution %s", st.Quiet, last.Executed)
	}
	if _, err := tr.Disclose(ctx, "https://github.com/dfinity/ic/commit/x", false, ""); !errors.Is(err, rollout.ErrQuietPeriod) {
		t.Fatalf("early disclosure: %v; want ErrQuietPeriod", err)
	}
	if _, err := n.Advance(10 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	d, err := tr.Disclose(ctx, "https://github.com/dfinity/ic/commit/x", false, "")
	if err != nil || d.Forced {
		t.Fatalf("disclosure after the quiet period: %+v, %v", d, err)
	}
	if _, err := tr.Status(ctx); !errors.Is(err, rollout.ErrReleaseKind) {
		t.Fatalf("GuestOS status of a HostOS release: %v; want ErrReleaseKind", err)
	}
}

// TestHostOSStageOverToleranceStops takes the first canary node down with a
// fault on the new HostOS version: the canary stage tolerates no failure,
// so the next advance stops with a *ToleranceError naming the node.
func TestHostOSStageOverToleranceStops(t *testing.T) {
	n, _, tr := hostOSTracker(t, 20)
	ctx := context.Background()
	canary := rollouttest.FaultCanary(t, n, tr)
	var stopped error
	advanceUntil(t, n, tr, func(_ *rollout.HostOSAdvanceResult, err error) bool {
		if errors.Is(err, rollout.ErrGateFailed) {
			stopped = err
			return true
		}
		return false
	})
	var te *rollout.ToleranceError
	if !errors.As(stopped, &te) || te.Stage != rollout.StageCanary || te.Failed != 1 || te.Down[0] != canary {
		t.Fatalf("stopped with %v; want the canary stage over tolerance with node %s", stopped, canary)
	}
	st, err := tr.HostOSStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != rollout.RolloutFailed || st.OnVersion != 1 {
		t.Fatalf("status %s with %d nodes on the version; want failed with 1", st.State, st.OnVersion)
	}
}
