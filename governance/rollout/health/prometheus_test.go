package health_test

import (
	"errors"
	"fmt"
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

// TestPrometheusNodes reads per-node host health from a real Prometheus
// server that scrapes each node's host exporter target the local network
// lists for service discovery: every node is up, then a fault on one
// node's HostOS version takes its exporter down and only that node reads
// Up=false (its `up` series is written by Prometheus from the failing
// scrapes), and it reads up again once the fault is cleared and a whole
// window of scrapes succeeded.
func TestPrometheusNodes(t *testing.T) {
	ln, _ := startLocal(t)
	src := health.Prometheus{URL: startPrometheus(t, ln.URL()), Window: 2 * time.Second}
	nodes := ln.Nodes()
	if len(nodes) < 2 {
		t.Fatalf("local network has %d nodes", len(nodes))
	}
	victim := nodes[0]
	upCount := func(want map[string]bool) func() (bool, string) {
		return func() (bool, string) {
			s, err := src.Snapshot(testCtx(t))
			if err != nil {
				return false, err.Error()
			}
			var wrong []string
			for _, nd := range nodes {
				up, known := s.NodeUp(nd.ID)
				if w, ok := want[nd.ID]; !known || up != (!ok || w) {
					wrong = append(wrong, fmt.Sprintf("%s up=%v known=%v", nd.ID, up, known))
				}
			}
			return len(wrong) == 0, fmt.Sprintf("%d of %d nodes wrong, e.g. %v", len(wrong), len(nodes), wrong[:min(len(wrong), 3)])
		}
	}
	waitFor(t, 60*time.Second, "every node up", upCount(nil))
	if err := ln.SetFault(localnet.Fault{Version: victim.HostOSVersion, Subnets: []string{victim.ID}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "node "+victim.ID+" down, the others up", upCount(map[string]bool{victim.ID: false}))
	if err := ln.SetFault(localnet.Fault{Version: victim.HostOSVersion, Clear: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "node "+victim.ID+" up again", upCount(nil))
}

// TestPrometheusBadNodesQuery names the nodes query when Prometheus
// refuses it.
func TestPrometheusBadNodesQuery(t *testing.T) {
	ln := localnetURL(t)
	src := health.Prometheus{URL: startPrometheus(t, ln), Queries: health.Queries{Nodes: "min by (ic_node) ("}}
	_, err := src.Snapshot(testCtx(t))
	var qe *health.QueryError
	if !errors.As(err, &qe) || qe.Query != "nodes" || !errors.Is(err, health.ErrBadQuery) {
		t.Fatalf("err = %v, want a bad_data QueryError for the nodes query", err)
	}
}
