package health_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// TestPrometheusAlertWindow: the alerts and node_alerts queries look back
// over AlertWindow when it is longer than Window (the bake time), the
// finalizing and nodes queries keep Window.
func TestPrometheusAlertWindow(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.FormValue("query"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		window, alert time.Duration
		fin, alerts   string
	}{
		{0, 0, "[900s]", "[900s]"},
		{5 * time.Minute, 45 * time.Minute, "[300s]", "[2700s]"},
		{time.Hour, 30 * time.Minute, "[3600s]", "[3600s]"},
	} {
		queries = nil
		src := health.Prometheus{URL: srv.URL, Window: tt.window, AlertWindow: tt.alert}
		if _, err := src.Snapshot(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(queries) != 5 || !strings.Contains(queries[1], tt.fin) || !strings.Contains(queries[2], tt.alerts) || !strings.Contains(queries[2], "ALERTS") ||
			!strings.Contains(queries[3], tt.fin) || !strings.Contains(queries[3], "host_node_exporter") ||
			!strings.Contains(queries[4], tt.alerts) || !strings.Contains(queries[4], "ic_node") {
			t.Errorf("window %s, alert window %s: queries %q, want finalizing and nodes over %s and alerts and node_alerts over %s", tt.window, tt.alert, queries, tt.fin, tt.alerts)
		}
	}
}
