package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Metric and label names the sources read (the IC's own names).
const (
	MetricReplicaInfo = "ic_replica_info"
	MetricHeight      = "artifact_pool_consensus_height_stat"
	MetricAlerts      = "ALERTS"
	LabelSubnet       = "ic_subnet"
	LabelVersion      = "ic_active_version"
	LabelNode         = "ic_node"
)

// ErrSource reports that a health source could not be read.
var ErrSource = errors.New("health source unavailable")

// DefaultGap is how long Metrics waits between its two scrapes.
const DefaultGap = 1500 * time.Millisecond

// MaxMetricsBytes bounds one scrape.
const MaxMetricsBytes = 64 << 20

// Metrics scrapes a Prometheus text endpoint (e.g. localnet's /metrics)
// directly. It scrapes twice, Gap apart, so it can tell whether the
// finalized height grows; with Once it scrapes once and reports each
// subnet's Height for the caller to compare with an earlier observation.
type Metrics struct {
	// URL is the /metrics endpoint.
	URL string
	// Gap separates the two scrapes (DefaultGap when 0).
	Gap time.Duration
	// Once scrapes a single time: Finalizing stays nil, Height is set.
	Once bool
	// HTTP is the client (http.DefaultClient when nil).
	HTTP *http.Client
}

// Snapshot implements Source.
func (m Metrics) Snapshot(ctx context.Context) (*Snapshot, error) {
	first, err := m.scrape(ctx)
	if err != nil {
		return nil, err
	}
	if m.Once {
		return fromFamilies(nil, first), nil
	}
	gap := m.Gap
	if gap <= 0 {
		gap = DefaultGap
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(gap):
	}
	second, err := m.scrape(ctx)
	if err != nil {
		return nil, err
	}
	return fromFamilies(first, second), nil
}

func (m Metrics) scrape(ctx context.Context) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSource, m.URL, err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	hc := m.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: scrape %s: %v", ErrSource, m.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: scrape %s: HTTP %s", ErrSource, m.URL, resp.Status)
	}
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, MaxMetricsBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: parse metrics from %s: %v", ErrSource, m.URL, err)
	}
	return fams, nil
}

// fromFamilies builds a snapshot from two scrapes: versions and alerts
// from the second, finalization from the height growth between them.
func fromFamilies(first, second map[string]*dto.MetricFamily) *Snapshot {
	s := &Snapshot{Subnets: map[string]Subnet{}}
	get := func(id string) Subnet {
		sub, ok := s.Subnets[id]
		if !ok {
			sub = Subnet{Versions: map[string]int{}}
		}
		return sub
	}
	for _, m := range metricsOf(second, MetricReplicaInfo) {
		l := labels(m)
		sub := get(l[LabelSubnet])
		sub.Versions[l[LabelVersion]]++
		s.Subnets[l[LabelSubnet]] = sub
	}
	for _, m := range metricsOf(second, MetricAlerts) {
		if value(m) == 0 {
			continue
		}
		l := labels(m)
		if l[LabelSubnet] == "" && l[LabelNode] != "" {
			continue // a node's alert (nodesFrom)
		}
		sub := get(l[LabelSubnet])
		sub.Alerts = append(sub.Alerts, Alert{Name: l["alertname"], State: l["alertstate"]})
		s.Subnets[l[LabelSubnet]] = sub
	}
	before := heights(first)
	for key, h := range heights(second) {
		subnet, _, _ := strings.Cut(key, "\x00")
		sub := get(subnet)
		if sub.Height == nil || h < *sub.Height {
			sub.Height = &h
		}
		s.Subnets[subnet] = sub
		if _, ok := before[key]; !ok {
			continue
		}
		grew := h > before[key]
		if sub.Finalizing == nil || !grew {
			sub.Finalizing = boolPtr(grew)
		}
		s.Subnets[subnet] = sub
	}
	s.Nodes = nodesFrom(second)
	return s
}

// heights maps subnet\x00node to the finalized height.
func heights(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, m := range metricsOf(fams, MetricHeight) {
		l := labels(m)
		if l["type"] != "" && l["type"] != "finalization" {
			continue
		}
		out[l[LabelSubnet]+"\x00"+l[LabelNode]] = value(m)
	}
	return out
}

func metricsOf(fams map[string]*dto.MetricFamily, name string) []*dto.Metric {
	if f, ok := fams[name]; ok {
		return f.GetMetric()
	}
	return nil
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}
