package health

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Queries are the PromQL queries of the Prometheus source. Each is a
// text/template over {{.Window}}; results must carry the ic_subnet label.
type Queries struct {
	// Version returns one series per (ic_subnet, ic_active_version) whose
	// value is the number of replicas running it.
	Version string `yaml:"version" json:"version"`
	// Finalizing returns one series per ic_subnet whose value is the
	// smallest finalized-height growth over the window; > 0 means finalizing.
	Finalizing string `yaml:"finalizing" json:"finalizing"`
	// Alerts returns one series per (ic_subnet, alertname, alertstate)
	// seen during the window.
	Alerts string `yaml:"alerts" json:"alerts"`
}

// DefaultQueries follow DFINITY's rollout sensors: replicas by active
// version, finalized height growth, and paging alerts over the window.
func DefaultQueries() Queries {
	return Queries{
		Version: `sum by (ic_subnet, ic_active_version) (ic_replica_info)`,
		Finalizing: `min by (ic_subnet) (delta(artifact_pool_consensus_height_stat` +
			`{type="finalization",pool_type="validated",stat="max"}[{{.Window}}]))`,
		Alerts: `max by (ic_subnet, alertname, alertstate) (max_over_time(ALERTS` +
			`{severity="page",alertname!~"PrometheusTargetMissing|IC_Subnet_HttpRequest_ResponseTooSlow"}[{{.Window}}]))`,
	}
}

// ErrBadQuery reports a query the Prometheus server refused as malformed.
var ErrBadQuery = errors.New("prometheus refused the query")

// QueryError is a query Prometheus refused (errorType bad_data): Query
// names it (version, finalizing or alerts). It matches ErrBadQuery.
type QueryError struct {
	Query   string
	Type    string
	Message string
}

// Error implements error.
func (e *QueryError) Error() string {
	return fmt.Sprintf("prometheus refused the %s query: %s: %s; fix its PromQL", e.Query, e.Type, e.Message)
}

// Is reports whether target is ErrBadQuery.
func (e *QueryError) Is(target error) bool { return target == ErrBadQuery }

// DefaultWindow is the range of the finalizing and alerts queries.
const DefaultWindow = 15 * time.Minute

// Prometheus reads the signals from a Prometheus server's HTTP API.
type Prometheus struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:9090.
	URL string
	// Queries are the queries (DefaultQueries for empty ones).
	Queries Queries
	// Window is the range of the windowed queries (DefaultWindow when 0).
	Window time.Duration
	// AlertWindow is the range of the alerts query when it is longer than
	// Window: set it to the bake time so that an alert anywhere in the bake
	// before the look that completes it fails the gate.
	AlertWindow time.Duration
	// HTTP is the client (http.DefaultClient when nil).
	HTTP *http.Client
}

// Snapshot implements Source.
func (p Prometheus) Snapshot(ctx context.Context) (*Snapshot, error) {
	q := p.queries()
	s := &Snapshot{Subnets: map[string]Subnet{}}
	get := func(id string) Subnet {
		sub, ok := s.Subnets[id]
		if !ok {
			sub = Subnet{Versions: map[string]int{}}
		}
		return sub
	}
	versions, err := p.query(ctx, "version", q.Version)
	if err != nil {
		return nil, err
	}
	for _, r := range versions {
		sub := get(r.labels[LabelSubnet])
		sub.Versions[r.labels[LabelVersion]] += int(r.value)
		s.Subnets[r.labels[LabelSubnet]] = sub
	}
	fin, err := p.query(ctx, "finalizing", q.Finalizing)
	if err != nil {
		return nil, err
	}
	for _, r := range fin {
		sub := get(r.labels[LabelSubnet])
		sub.Finalizing = boolPtr(r.value > 0)
		s.Subnets[r.labels[LabelSubnet]] = sub
	}
	alerts, err := p.queryOver(ctx, "alerts", q.Alerts, max(p.window(), p.AlertWindow))
	if err != nil {
		return nil, err
	}
	for _, r := range alerts {
		if r.value == 0 {
			continue
		}
		sub := get(r.labels[LabelSubnet])
		sub.Alerts = append(sub.Alerts, Alert{Name: r.labels["alertname"], State: r.labels["alertstate"]})
		s.Subnets[r.labels[LabelSubnet]] = sub
	}
	return s, nil
}

func (p Prometheus) queries() Queries {
	q, d := p.Queries, DefaultQueries()
	if q.Version == "" {
		q.Version = d.Version
	}
	if q.Finalizing == "" {
		q.Finalizing = d.Finalizing
	}
	if q.Alerts == "" {
		q.Alerts = d.Alerts
	}
	return q
}

// sample is one series of an instant vector.
type sample struct {
	labels map[string]string
	value  float64
}

// promResponse is the /api/v1/query answer.
type promResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	} `json:"data"`
}

// query renders the named query over Window and runs it as an instant query.
func (p Prometheus) query(ctx context.Context, name, text string) ([]sample, error) {
	return p.queryOver(ctx, name, text, p.window())
}

// queryOver renders the named query over window and runs it.
func (p Prometheus) queryOver(ctx context.Context, name, text string, window time.Duration) ([]sample, error) {
	expr, err := p.render(name, text, window)
	if err != nil {
		return nil, err
	}
	u := strings.TrimRight(p.URL, "/") + "/api/v1/query"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(url.Values{"query": {expr}}.Encode()))
	if err != nil {
		return nil, fmt.Errorf("%w: %s query: %v", ErrSource, name, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := p.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s query to %s: %v", ErrSource, name, p.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxMetricsBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s query answer: %v", ErrSource, name, err)
	}
	return parseVector(name, resp.StatusCode, body)
}

func (p Prometheus) window() time.Duration {
	if p.Window <= 0 {
		return DefaultWindow
	}
	return p.Window
}

func (p Prometheus) render(name, text string, w time.Duration) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("parse %s query: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, struct{ Window string }{promDuration(w)}); err != nil {
		return "", fmt.Errorf("render %s query: %w", name, err)
	}
	return b.String(), nil
}

func parseVector(name string, status int, body []byte) ([]sample, error) {
	var r promResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%w: %s query: HTTP %d, not a Prometheus answer: %v", ErrSource, name, status, err)
	}
	if r.Status != "success" && r.ErrorType == "bad_data" {
		return nil, &QueryError{Query: name, Type: r.ErrorType, Message: r.Error}
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%w: %s query: %s: %s", ErrSource, name, r.ErrorType, r.Error)
	}
	if r.Data.ResultType != "vector" {
		return nil, fmt.Errorf("%w: %s query: want an instant vector, got %s", ErrSource, name, r.Data.ResultType)
	}
	out := make([]sample, 0, len(r.Data.Result))
	for _, s := range r.Data.Result {
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %s query: bad sample value %q", ErrSource, name, str)
		}
		out = append(out, sample{labels: s.Metric, value: v})
	}
	return out, nil
}

// promDuration formats d as a PromQL duration in whole milliseconds.
func promDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
}
