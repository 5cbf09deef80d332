package rollout_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// alertingMetrics serves n's /metrics with one more ALERTS series: alert
// in state on node, as a Prometheus alerting rule would export it. It
// returns the URL of the served /metrics.
func alertingMetrics(t *testing.T, n *localnet.Network, node, alert, state string) string {
	t.Helper()
	line := fmt.Sprintf("ALERTS{alertname=%q,alertstate=%q,ic_node=%q,severity=\"notify\"} 1\n", alert, state, node)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(n.URL() + "/metrics")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		typ := []byte("# TYPE ALERTS gauge\n")
		if i := bytes.Index(body, typ); i >= 0 {
			body = append(body[:i+len(typ):i+len(typ)], append([]byte(line), body[i+len(typ):]...)...)
		} else {
			body = append(body, append(typ, line...)...)
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestHostOSFiringAlertFailsNode: a canary node whose host answers but
// has an alert firing on it after its upgrade counts as failed (as
// DFINITY's HostOS sensor judges nodes by their alerts), so the canary
// stage, which tolerates no failure, stops with a *ToleranceError naming
// it.
func TestHostOSFiringAlertFailsNode(t *testing.T) {
	n, _, tr := hostOSTracker(t, 20)
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	canary := l.HostOS.Stages[0].Batches[0].Nodes[0]
	tr.Health = health.Metrics{URL: alertingMetrics(t, n, canary, "HostOS_Disk_Full", health.AlertFiring), Once: true}
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
	snap, err := tr.Health.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if up, known := snap.NodeUp(canary); !up || !known {
		t.Fatalf("canary up=%v known=%v; want its host answering (only the alert fails it)", up, known)
	}
}

// TestHostOSPendingAlertHoldsTheBatch: a pending alert on the canary does
// not count it as failed, but its batch keeps baking past the bake time
// and the next batch waits, naming the node (DFINITY's HostOS sensor waits
// for no alert, pending or firing); once the alert clears, the rollout
// goes on past the canary stage.
func TestHostOSPendingAlertHoldsTheBatch(t *testing.T) {
	n, _, tr := hostOSTracker(t, 20)
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	canary := l.HostOS.Stages[0].Batches[0].Nodes[0]
	clean := tr.Health
	tr.Health = health.Metrics{URL: alertingMetrics(t, n, canary, "HostOS_Disk_Full", health.AlertPending), Once: true}
	if _, err := tr.AdvanceHostOS(t.Context()); err != nil {
		t.Fatalf("first batch: %v", err)
	}
	for range 3 { // hours past the bake
		if _, err := n.Advance(time.Hour); err != nil {
			t.Fatal(err)
		}
		_, err := tr.AdvanceHostOS(t.Context())
		if errors.Is(err, rollout.ErrGateFailed) {
			t.Fatalf("gate failed with only a pending alert: %v", err)
		}
		var we *rollout.WaitError
		if !errors.As(err, &we) || !strings.Contains(we.Error(), "alerts pending on "+canary) {
			t.Fatalf("advance with an alert pending on the canary: %v; want a wait naming it", err)
		}
	}
	st, err := tr.HostOSStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if b := st.Stages[0].Batches[0]; b.State != rollout.StateBaking || len(b.Alerting) != 1 || len(b.Down) != 0 {
		t.Fatalf("canary batch %+v; want baking with the canary alerting, not down", b)
	}
	v, err := tr.Look(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if g := v.Glance(); len(g.Alerts) != 1 || g.Alerts[0].Subnet != "node "+canary || !strings.Contains(g.Gate, "alerts pending on 1 node(s)") {
		t.Fatalf("glance alerts %+v, gate %q; want the pending alert on the canary", g.Alerts, g.Gate)
	}
	tr.Health = clean
	canaries, submitted := len(l.HostOS.Stages[0].Batches), 1
	advanceUntil(t, n, tr, func(res *rollout.HostOSAdvanceResult, err error) bool {
		if err == nil {
			submitted += len(res.Submitted)
		}
		return submitted > canaries // a batch past the canary stage
	})
}
