package health_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// TestMetricsGate reads localnet's /metrics directly: the gate passes on a
// healthy subnet, reports upgrading replicas and pending alerts right after
// a deploy, passes once they caught up, and fails after a fault.
func TestMetricsGate(t *testing.T) {
	net, c := startLocal(t)
	src := health.Metrics{URL: net.URL() + "/metrics", Gap: 1100 * time.Millisecond}
	snap := func() *health.Snapshot {
		t.Helper()
		s, err := src.Snapshot(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	got := checksOf(snap(), testSubnet, oldVersion)
	for _, name := range []string{health.CheckVersion, health.CheckFinalizing, health.CheckAlerts} {
		if !got[name].OK {
			t.Errorf("before deploy: %s check failed: %s", name, got[name].Detail)
		}
	}
	if got := checksOf(snap(), testSubnet, newVersion); got[health.CheckVersion].OK {
		t.Errorf("before deploy: version check passed for %s", newVersion)
	}

	deploy(t, c, testSubnet, newVersion)
	if _, err := net.Advance(localnet.DefaultUpgradeDelay + time.Minute); err != nil {
		t.Fatal(err)
	}
	got = checksOf(snap(), testSubnet, newVersion)
	if !got[health.CheckVersion].OK || got[health.CheckAlerts].OK || !strings.Contains(got[health.CheckAlerts].Detail, "IC_Replica_Behind (pending)") {
		t.Errorf("after switch: version %v, alerts %q; want version ok and a pending IC_Replica_Behind", got[health.CheckVersion], got[health.CheckAlerts].Detail)
	}
	if _, err := net.Advance(localnet.DefaultCatchUp); err != nil {
		t.Fatal(err)
	}
	got = checksOf(snap(), testSubnet, newVersion)
	for _, name := range []string{health.CheckVersion, health.CheckFinalizing, health.CheckAlerts} {
		if !got[name].OK {
			t.Errorf("after catch-up: %s check failed: %s", name, got[name].Detail)
		}
	}

	if err := net.SetFault(localnet.Fault{Version: newVersion, Subnets: []string{testSubnet}}); err != nil {
		t.Fatal(err)
	}
	s := snap()
	got = checksOf(s, testSubnet, newVersion)
	if got[health.CheckFinalizing].OK || got[health.CheckAlerts].OK || !s.Subnets[testSubnet].Firing() {
		t.Errorf("after fault: finalizing %v, alerts %v; want both failing with a firing alert", got[health.CheckFinalizing], got[health.CheckAlerts])
	}
	if other := checksOf(s, otherSubnet, oldVersion); !other[health.CheckFinalizing].OK {
		t.Errorf("fault leaked to %s: %v", otherSubnet, other[health.CheckFinalizing])
	}
}

// TestMetricsUnreachable reports ErrSource for a dead endpoint.
func TestMetricsUnreachable(t *testing.T) {
	_, err := health.Metrics{URL: "http://127.0.0.1:1/metrics"}.Snapshot(testCtx(t))
	if !errors.Is(err, health.ErrSource) {
		t.Fatalf("err = %v, want ErrSource", err)
	}
}
