package health_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/rollout/health/promtest"
)

func startPrometheus(t *testing.T, target string) string { return promtest.Start(t, target) }

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	promtest.WaitFor(t, timeout, what, cond)
}

// TestPrometheusGate runs the gate against a real Prometheus server that
// scrapes localnet: healthy before, upgrading with pending alerts right
// after a deploy, healthy once caught up, failing after a fault.
func TestPrometheusGate(t *testing.T) {
	ln, c := startLocal(t)
	src := health.Prometheus{URL: startPrometheus(t, ln.URL()), Window: 2 * time.Second}
	gate := func(version string) func() (bool, string) {
		return func() (bool, string) {
			s, err := src.Snapshot(testCtx(t))
			if err != nil {
				return false, err.Error()
			}
			var bad []string
			for _, ch := range health.Evaluate(s.Subnets[testSubnet], version) {
				if !ch.OK {
					bad = append(bad, ch.Name+": "+ch.Detail)
				}
			}
			return len(bad) == 0, strings.Join(bad, "; ")
		}
	}
	waitFor(t, 30*time.Second, "healthy gate on the old version", gate(oldVersion))
	if ok, _ := gate(newVersion)(); ok {
		t.Fatalf("gate passed for %s before it was deployed", newVersion)
	}

	deploy(t, c, testSubnet, newVersion)
	if _, err := ln.Advance(localnet.DefaultUpgradeDelay + time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "replicas on the new version with IC_Replica_Behind pending", func() (bool, string) {
		s, err := src.Snapshot(testCtx(t))
		if err != nil {
			return false, err.Error()
		}
		got := checksOf(s, testSubnet, newVersion)
		return got[health.CheckVersion].OK && strings.Contains(got[health.CheckAlerts].Detail, "IC_Replica_Behind (pending)"),
			got[health.CheckVersion].Detail + "; " + got[health.CheckAlerts].Detail
	})
	if _, err := ln.Advance(localnet.DefaultCatchUp); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "healthy gate on the new version", gate(newVersion))

	if err := ln.SetFault(localnet.Fault{Version: newVersion, Subnets: []string{testSubnet}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "finalizing and alerts checks failing after the fault", func() (bool, string) {
		s, err := src.Snapshot(testCtx(t))
		if err != nil {
			return false, err.Error()
		}
		got := checksOf(s, testSubnet, newVersion)
		return !got[health.CheckFinalizing].OK && s.Subnets[testSubnet].Firing(),
			got[health.CheckFinalizing].Detail + "; " + got[health.CheckAlerts].Detail
	})
	if s, err := src.Snapshot(testCtx(t)); err != nil || !checksOf(s, otherSubnet, oldVersion)[health.CheckFinalizing].OK {
		t.Errorf("fault leaked to %s (err %v)", otherSubnet, err)
	}
}

// TestPrometheusBadQuery reports the server's error for a broken query.
func TestPrometheusBadQuery(t *testing.T) {
	ln := localnetURL(t)
	src := health.Prometheus{URL: startPrometheus(t, ln), Queries: health.Queries{Version: "sum by (ic_subnet) ("}}
	_, err := src.Snapshot(testCtx(t))
	var qe *health.QueryError
	if !errors.As(err, &qe) || qe.Query != "version" || !errors.Is(err, health.ErrBadQuery) || !strings.Contains(err.Error(), "bad_data") {
		t.Fatalf("err = %v, want a bad_data QueryError for the version query", err)
	}
}

func localnetURL(t *testing.T) string {
	t.Helper()
	n, _ := startLocal(t)
	return n.URL()
}
