package health_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// nodeDownAlert is the alert localnet exports for a node a fault took down.
var nodeDownAlert = health.Alert{Name: localnet.AlertNodeDown, State: health.AlertFiring}

// TestMetricsNodeAlerts reads per-node alerts from localnet's /metrics: a
// fault on one node's HostOS version takes it down and exports a firing
// IC_Node_Down on it alone; its check fails, the others' pass and carry no
// alert; once the fault is cleared the alert is gone.
func TestMetricsNodeAlerts(t *testing.T) {
	ln, _ := startLocal(t)
	src := health.Metrics{URL: ln.URL() + "/metrics", Once: true}
	nodes := ln.Nodes()
	victim := nodes[0]
	if err := ln.SetFault(localnet.Fault{Version: victim.HostOSVersion, Subnets: []string{victim.ID}}); err != nil {
		t.Fatal(err)
	}
	s, err := src.Snapshot(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range nodes {
		got := s.Nodes[nd.ID].Alerts
		c, v := s.NodeCheck(nd.ID)
		if nd.ID == victim.ID {
			if !slices.Equal(got, []health.Alert{nodeDownAlert}) || v != health.NodeFailed || c.OK {
				t.Errorf("victim %s: alerts %v, verdict %s; want a firing %s and failed", nd.ID, got, v, localnet.AlertNodeDown)
			}
			continue
		}
		if len(got) != 0 || v != health.NodeOK || !c.OK {
			t.Errorf("node %s: alerts %v, verdict %s; want none and ok", nd.ID, got, v)
		}
	}
	if _, ok := s.Subnets[""]; ok {
		t.Errorf("a node's alert landed on a subnet with no id: %+v", s.Subnets[""])
	}
	if err := ln.SetFault(localnet.Fault{Version: victim.HostOSVersion, Clear: true}); err != nil {
		t.Fatal(err)
	}
	if s, err = src.Snapshot(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got := s.Nodes[victim.ID].Alerts; len(got) != 0 {
		t.Errorf("after clearing the fault: alerts %v on %s", got, victim.ID)
	}
}

// TestMetricsNodeAlertsWithoutUp: a node the scrape has alerts but no up
// series for is still in the snapshot; a pending alert makes it wait, a
// firing one fails it, and its up signal reads unknown.
func TestMetricsNodeAlertsWithoutUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# TYPE ALERTS gauge\n"+
			`ALERTS{alertname="HostOS_Disk",alertstate="pending",ic_node="n-pending",severity="notify"} 1`+"\n"+
			`ALERTS{alertname="HostOS_Disk",alertstate="firing",ic_node="n-firing",severity="page"} 1`+"\n"+
			`ALERTS{alertname="HostOS_Disk",alertstate="firing",ic_node="n-zero",severity="page"} 0`+"\n")
	}))
	t.Cleanup(srv.Close)
	s, err := health.Metrics{URL: srv.URL, Once: true}.Snapshot(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	checks, unknown, waiting := s.EvaluateNodes([]string{"n-pending", "n-firing", "n-zero"})
	if !slices.Equal(waiting, []string{"n-pending"}) || !slices.Equal(unknown, []string{"n-zero"}) {
		t.Fatalf("waiting %v, unknown %v; want n-pending waiting and n-zero (a 0 sample) unknown", waiting, unknown)
	}
	if checks[1].OK || checks[1].Name != health.CheckNodeAlerts || !s.NodeFailed("n-firing") {
		t.Errorf("n-firing: %+v; want a failed node_alerts check", checks[1])
	}
	if _, known := s.NodeUp("n-pending"); known {
		t.Error("n-pending: up signal known without an up series")
	}
	if _, ok := s.Nodes["n-pending"]; !ok {
		t.Error("n-pending missing from the snapshot")
	}
}

// TestPrometheusNodeAlerts reads per-node alerts through a real
// Prometheus server scraping localnet: the default node_alerts query
// returns the firing IC_Node_Down of the node a fault took down, on that
// node only, and nothing once the fault is cleared and a window passed.
func TestPrometheusNodeAlerts(t *testing.T) {
	ln, _ := startLocal(t)
	src := health.Prometheus{URL: startPrometheus(t, ln.URL()), Window: 2 * time.Second}
	nodes := ln.Nodes()
	victim := nodes[0]
	alerts := func(want []health.Alert) func() (bool, string) {
		return func() (bool, string) {
			s, err := src.Snapshot(testCtx(t))
			if err != nil {
				return false, err.Error()
			}
			var wrong []string
			for _, nd := range nodes {
				w := []health.Alert(nil)
				if nd.ID == victim.ID {
					w = want
				}
				if got := s.Nodes[nd.ID].Alerts; !slices.Equal(got, w) {
					wrong = append(wrong, fmt.Sprintf("%s: %v", nd.ID, got))
				}
			}
			return len(wrong) == 0, fmt.Sprintf("%d nodes wrong, e.g. %v", len(wrong), wrong[:min(len(wrong), 3)])
		}
	}
	waitFor(t, 60*time.Second, "no node alerts", alerts(nil))
	if err := ln.SetFault(localnet.Fault{Version: victim.HostOSVersion, Subnets: []string{victim.ID}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, localnet.AlertNodeDown+" firing on "+victim.ID+" alone", alerts([]health.Alert{nodeDownAlert}))
	s, err := src.Snapshot(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !s.NodeFailed(victim.ID) || s.NodeFailed(nodes[1].ID) {
		t.Errorf("failed: victim %v, other %v; want only the victim", s.NodeFailed(victim.ID), s.NodeFailed(nodes[1].ID))
	}
	if err := ln.SetFault(localnet.Fault{Version: victim.HostOSVersion, Clear: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the alert gone from "+victim.ID, alerts(nil))
}
