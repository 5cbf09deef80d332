package health

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"text/template"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Queries are the PromQL queries of the Prometheus source. Each is a
// text/template over {{.Window}}; results must carry the ic_subnet label,
// those of Nodes the ic_node label.
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
	// Nodes returns one series per ic_node whose value is 1 when the
	// node's host answered throughout the window and 0 otherwise: the
	// per-node signal of HostOS rollouts and of the API boundary node
	// stage (Snapshot.Nodes).
	Nodes string `yaml:"nodes" json:"nodes"`
	// NodeAlerts returns one series per (ic_node, alertname, alertstate)
	// seen during the alert window: the alerts of Snapshot.Nodes.
	NodeAlerts string `yaml:"node_alerts" json:"node_alerts"`
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
		Nodes:      DefaultNodesQuery,
		NodeAlerts: DefaultNodeAlertsQuery,
	}
}

// DefaultNodesQuery reads Prometheus's target health of the node exporters
// on HostOS (job host_node_exporter, the series the /metrics source reads,
// see nodesFrom) by ic_node: a node counts as up only if every scrape of
// its exporter in the window succeeded. domain.md §6 documents DFINITY's
// rollout sensors for subnets only (replicas by version, no paging alert
// over the last 15 minutes); no PromQL of theirs for HostOS node health is
// on record there, so this follows the subnets' rule ("clean for the whole
// window", min_over_time where the alerts query takes max_over_time) over
// the host exporter's up series.
const DefaultNodesQuery = `min by (ic_node) (min_over_time(up{job="host_node_exporter"}[{{.Window}}]))`

// DefaultNodeAlertsQuery reads the page and notify alerts pending or
// firing on each node over the window, as DFINITY's HostOS and API
// boundary node sensors do (dre-airflow plugins/sensors/hostos_rollout.py
// and ic_os_rollout.py judge a node by its ALERTS with those severities
// over the last 15 minutes).
const DefaultNodeAlertsQuery = `max by (ic_node, alertname, alertstate) (max_over_time(ALERTS` +
	`{ic_node!="", severity=~"page|notify"}[{{.Window}}]))`

// ErrBadQuery reports a query the Prometheus server refused as malformed.
var ErrBadQuery = errors.New("prometheus refused the query")

// QueryError is a query Prometheus refused (errorType bad_data): Query
// names it (version, finalizing, alerts, nodes or node_alerts). It matches ErrBadQuery.
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

// DefaultWindow is the range of the finalizing, alerts and nodes queries.
const DefaultWindow = 15 * time.Minute

// Prometheus reads the signals from a Prometheus server's HTTP API.
type Prometheus struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:9090.
	URL string
	// Queries are the queries (DefaultQueries for empty ones).
	Queries Queries
	// Window is the range of the windowed queries (DefaultWindow when 0).
	Window time.Duration
	// AlertWindow is the range of the alerts and node_alerts queries when it is longer than
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
		if r.value == 0 || r.labels[LabelSubnet] == "" {
			continue
		}
		sub := get(r.labels[LabelSubnet])
		sub.Alerts = append(sub.Alerts, Alert{Name: r.labels["alertname"], State: r.labels["alertstate"]})
		s.Subnets[r.labels[LabelSubnet]] = sub
	}
	if s.Nodes, err = p.nodes(ctx, q.Nodes); err != nil {
		return nil, err
	}
	if s.Nodes, err = p.nodeAlerts(ctx, q.NodeAlerts, s.Nodes); err != nil {
		return nil, err
	}
	return s, nil
}

// nodeAlerts runs the node_alerts query over the alert window (like the
// subnets' alerts query) and adds each alert to its node.
func (p Prometheus) nodeAlerts(ctx context.Context, text string, nodes map[string]Node) (map[string]Node, error) {
	rows, err := p.queryOver(ctx, "node_alerts", text, max(p.window(), p.AlertWindow))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.value == 0 || r.labels[LabelNode] == "" {
			continue
		}
		nodes = addNodeAlert(nodes, r.labels[LabelNode], Alert{Name: r.labels["alertname"], State: r.labels["alertstate"]})
	}
	return nodes, nil
}

// nodes runs the nodes query: a node is up when its series is 1; nil when
// the query returns no series (Snapshot.Nodes' "the source has none").
func (p Prometheus) nodes(ctx context.Context, text string) (map[string]Node, error) {
	rows, err := p.query(ctx, "nodes", text)
	if err != nil {
		return nil, err
	}
	var out map[string]Node
	for _, r := range rows {
		id := r.labels[LabelNode]
		if id == "" {
			continue
		}
		if out == nil {
			out = map[string]Node{}
		}
		out[id] = Node{Up: r.value == 1}
	}
	return out, nil
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
	if q.Nodes == "" {
		q.Nodes = d.Nodes
	}
	if q.NodeAlerts == "" {
		q.NodeAlerts = d.NodeAlerts
	}
	return q
}

// sample is one series of an instant vector.
type sample struct {
	labels map[string]string
	value  float64
}

// query renders the named query over Window and runs it as an instant query.
func (p Prometheus) query(ctx context.Context, name, text string) ([]sample, error) {
	return p.queryOver(ctx, name, text, p.window())
}

// queryOver renders the named query over window and runs it through
// client_golang's HTTP API client (/api/v1/query, POST with GET fallback).
func (p Prometheus) queryOver(ctx context.Context, name, text string, window time.Duration) ([]sample, error) {
	expr, err := p.render(name, text, window)
	if err != nil {
		return nil, err
	}
	c, err := promapi.NewClient(promapi.Config{Address: p.URL, Client: p.httpClient()})
	if err != nil {
		return nil, fmt.Errorf("%w: %s query: %v", ErrSource, name, err)
	}
	val, _, err := promv1.NewAPI(c).Query(ctx, expr, time.Time{})
	if err != nil {
		return nil, queryFailure(name, p.URL, err)
	}
	vec, ok := val.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("%w: %s query: want an instant vector, got %s", ErrSource, name, val.Type())
	}
	out := make([]sample, 0, len(vec))
	for _, s := range vec {
		labels := make(map[string]string, len(s.Metric))
		for k, v := range s.Metric {
			labels[string(k)] = string(v)
		}
		out = append(out, sample{labels: labels, value: float64(s.Value)})
	}
	return out, nil
}

// queryFailure turns the API client's error into a QueryError for a
// malformed query (bad_data) and an ErrSource for everything else.
func queryFailure(name, url string, err error) error {
	var apiErr *promv1.Error
	if errors.As(err, &apiErr) && apiErr.Type == promv1.ErrBadData {
		return &QueryError{Query: name, Type: string(apiErr.Type), Message: apiErr.Msg}
	}
	return fmt.Errorf("%w: %s query to %s: %v", ErrSource, name, url, err)
}

// httpClient is the configured client whose response bodies are capped at
// MaxMetricsBytes, so a misbehaving server cannot exhaust memory.
func (p Prometheus) httpClient() *http.Client {
	hc := p.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	capped := *hc
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	capped.Transport = cappedTransport{base: base}
	return &capped
}

// cappedTransport limits every response body to MaxMetricsBytes.
type cappedTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t cappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = cappedBody{Reader: io.LimitReader(resp.Body, MaxMetricsBytes), Closer: resp.Body}
	}
	return resp, err
}

type cappedBody struct {
	io.Reader
	io.Closer
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

// promDuration formats d as a PromQL duration in whole milliseconds.
func promDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
}
