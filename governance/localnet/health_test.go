package localnet

import (
	"bytes"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

func TestHealthUpgradeStallRollback(t *testing.T) {
	g := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	v1, v2 := derivedHex(40, "v1"), derivedHex(40, "v2")
	sn := Subnet{ID: "uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe", Type: "system", Nodes: []string{"n1"}, Version: v1}
	h := health{genesis: g, delay: 10 * time.Minute, catchUp: 5 * time.Minute}
	deps := []Deployment{{sn.ID, v2, g.Add(time.Hour)}, {sn.ID, v1, g.Add(3 * time.Hour)}}
	faults := faultLog{{g, Fault{Version: v2}}}
	base := baseHeight(sn.ID)
	tests := []struct {
		name      string
		at        time.Duration
		registry  string
		running   string
		height    uint64
		stalled   bool
		catchingU bool
	}{
		{"genesis", 0, v1, v1, base, false, false},
		{"after deploy before switch", time.Hour + 5*time.Minute, v2, v1, base + 3900, false, false},
		{"switched to bad version", time.Hour + 12*time.Minute, v2, v2, base + 4200, true, true},
		{"still stalled", 2 * time.Hour, v2, v2, base + 4200, true, false},
		{"rollback deployed", 3*time.Hour + 5*time.Minute, v1, v2, base + 4200, true, false},
		{"rolled back and finalizing", 3*time.Hour + 20*time.Minute, v1, v1, base + 4200 + 600, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := h.status(sn, deps, faults, g.Add(tt.at))
			if st.RegistryVersion != tt.registry || st.RunningVersion != tt.running || st.Height != tt.height ||
				st.Stalled != tt.stalled || st.CatchingUp != tt.catchingU {
				t.Fatalf("status = registry %s running %s height %d (base+%d) stalled %v catching up %v",
					st.RegistryVersion[:6], st.RunningVersion[:6], st.Height, st.Height-base, st.Stalled, st.CatchingUp)
			}
		})
	}
}

func TestHealthRuntimeFaultAndClear(t *testing.T) {
	g := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	v1 := derivedHex(40, "v1")
	sn := Subnet{ID: "pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae", Nodes: []string{"n"}, Version: v1}
	other := "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"
	h := health{genesis: g, delay: time.Minute}
	faults := faultLog{
		{g.Add(time.Hour), Fault{Version: v1, Subnets: []string{other}}},
		{g.Add(2 * time.Hour), Fault{Version: v1, Subnets: []string{sn.ID}}},
		{g.Add(3 * time.Hour), Fault{Version: v1, Clear: true}},
	}
	base := baseHeight(sn.ID)
	if st := h.status(sn, nil, faults, g.Add(90*time.Minute)); st.Stalled || st.Height != base+5400 {
		t.Fatalf("fault on another subnet affected this one: %+v", st)
	}
	st := h.status(sn, nil, faults, g.Add(150*time.Minute))
	if !st.Stalled || !st.StalledSince.Equal(g.Add(2*time.Hour)) || st.Height != base+7200 {
		t.Fatalf("runtime fault: %+v", st)
	}
	if st := h.status(sn, nil, faults, g.Add(4*time.Hour)); st.Stalled || st.Height != base+7200+3600 {
		t.Fatalf("after clear: stalled %v height base+%d", st.Stalled, st.Height-base)
	}
	if got := faults.active(g.Add(150 * time.Minute)); len(got) != 2 {
		t.Fatalf("active faults = %v", got)
	}
	if got := faults.active(g.Add(4 * time.Hour)); len(got) != 0 {
		t.Fatalf("active faults after clear = %v", got)
	}
}

func TestWriteMetricsParses(t *testing.T) {
	sts := []SubnetStatus{
		{ID: "a", Nodes: []string{"n1", "n2"}, RunningVersion: "v", Height: 42, Stalled: true},
		{ID: "b", Nodes: []string{"n3"}, RunningVersion: "w", Height: 7, CatchingUp: true},
		{ID: "c", Nodes: []string{"n4"}, RunningVersion: "w", Height: 9},
	}
	var buf bytes.Buffer
	if err := writeMetrics(&buf, sts, nil, time.Unix(1000, 0), time.Hour); err != nil {
		t.Fatal(err)
	}
	fams, err := new(expfmt.TextParser).TextToMetricFamilies(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fams[MetricReplicaInfo].GetMetric()); n != 4 {
		t.Errorf("%d replica info series, want 4", n)
	}
	alerts := map[string]string{}
	for _, m := range fams[MetricAlerts].GetMetric() {
		l := labels(m)
		alerts[l["ic_subnet"]+"/"+l["alertname"]] = l["alertstate"] + "/" + l["severity"]
	}
	want := map[string]string{
		"a/" + AlertStalled: "firing/page", "a/" + AlertBehind: "firing/page", "b/" + AlertBehind: "pending/page",
	}
	if len(alerts) != len(want) {
		t.Errorf("alerts = %v", alerts)
	}
	for k, v := range want {
		if alerts[k] != v {
			t.Errorf("alert %s = %q, want %q", k, alerts[k], v)
		}
	}
	if v := fams["localnet_virtual_clock_offset_seconds"].GetMetric()[0].GetGauge().GetValue(); v != 3600 {
		t.Errorf("offset = %v", v)
	}
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}
