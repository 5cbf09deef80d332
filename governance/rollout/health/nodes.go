package health

import (
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
)

// Names of the per-node host signal: Prometheus's target health of the
// node exporters running on HostOS.
const (
	MetricUp            = "up"
	LabelJob            = "job"
	JobHostNodeExporter = "host_node_exporter"
)

// Node is what a source knows about one node's host (HostOS).
type Node struct {
	// Up reports whether the host's node exporter answers.
	Up bool `json:"up"`
	// NoUp reports that the source has alerts for the node but no up
	// series: whether its host answers is unknown.
	NoUp bool `json:"no_up,omitempty"`
	// Alerts are the alerts seen on the node (ALERTS by ic_node), pending
	// or firing.
	Alerts []Alert `json:"alerts,omitempty"`
}

// nodesFrom reads up{job="host_node_exporter"} and the ALERTS series
// that carry an ic_node label by ic_node; nil when the scrape has none.
func nodesFrom(fams map[string]*dto.MetricFamily) map[string]Node {
	var out map[string]Node
	for _, m := range metricsOf(fams, MetricUp) {
		l := labels(m)
		if l[LabelJob] != JobHostNodeExporter || l[LabelNode] == "" {
			continue
		}
		if out == nil {
			out = map[string]Node{}
		}
		n := out[l[LabelNode]]
		n.Up = value(m) == 1
		out[l[LabelNode]] = n
	}
	for _, m := range metricsOf(fams, MetricAlerts) {
		l := labels(m)
		if l[LabelNode] == "" || value(m) == 0 {
			continue
		}
		out = addNodeAlert(out, l[LabelNode], Alert{Name: l["alertname"], State: l["alertstate"]})
	}
	return out
}

// addNodeAlert records alert on node id; a node the source has no up
// series for appears with NoUp set.
func addNodeAlert(nodes map[string]Node, id string, a Alert) map[string]Node {
	if nodes == nil {
		nodes = map[string]Node{}
	}
	n, ok := nodes[id]
	if !ok {
		n.NoUp = true
	}
	n.Alerts = append(n.Alerts, a)
	nodes[id] = n
	return nodes
}

// NodeUp reports whether the snapshot says node's host answers, and
// whether it says anything about the node's up signal at all.
func (s *Snapshot) NodeUp(node string) (up, known bool) {
	if s == nil {
		return false, false
	}
	n, ok := s.Nodes[node]
	return n.Up, ok && !n.NoUp
}

// Per-node check names: the node answers (Node.Up), and no alert is
// pending or firing on it (Node.Alerts).
const (
	CheckNodeUp     = "node_up"
	CheckNodeAlerts = "node_alerts"
)

// NodeVerdict is what a node gate makes of one node.
type NodeVerdict string

// Node verdicts: NodeOK passes, NodeWaiting neither passes nor fails (an
// alert is pending, as a subnet's pending alerts make it wait), NodeFailed
// fails (down, or an alert firing), NodeUnknown has no data to judge.
const (
	NodeOK      NodeVerdict = "ok"
	NodeWaiting NodeVerdict = "waiting"
	NodeFailed  NodeVerdict = "failed"
	NodeUnknown NodeVerdict = "unknown"
)

// NodeCheck judges one node the way DFINITY's HostOS and API boundary
// node sensors do (dre-airflow plugins/sensors/hostos_rollout.py and
// ic_os_rollout.py: no page or notify alert on the node over the window),
// keeping the up signal: failed when it is down (CheckNodeUp) or an alert
// fires on it (CheckNodeAlerts), waiting while an alert is pending,
// unknown without data, ok otherwise.
func (s *Snapshot) NodeCheck(id string) (Check, NodeVerdict) {
	var n Node
	ok := false
	if s != nil {
		n, ok = s.Nodes[id]
	}
	firing, names := nodeAlerts(n)
	switch {
	case ok && !n.NoUp && !n.Up:
		return Check{Name: CheckNodeUp, Detail: "node " + id + " down"}, NodeFailed
	case firing:
		return Check{Name: CheckNodeAlerts, Detail: "node " + id + " alerts: " + names}, NodeFailed
	case len(n.Alerts) > 0:
		return Check{Name: CheckNodeAlerts, Detail: "node " + id + " alerts: " + names}, NodeWaiting
	case !ok || n.NoUp:
		return Check{Name: CheckNodeUp, Detail: "node " + id + ": no data"}, NodeUnknown
	}
	return Check{Name: CheckNodeUp, OK: true, Detail: "node " + id + " up"}, NodeOK
}

// nodeAlerts reports whether an alert fires on n and names its alerts.
func nodeAlerts(n Node) (firing bool, names string) {
	var parts []string
	for _, a := range n.Alerts {
		firing = firing || a.State == AlertFiring
		parts = append(parts, a.Name+" ("+a.State+")")
	}
	slices.Sort(parts)
	return firing, strings.Join(slices.Compact(parts), ", ")
}

// NodeFailed reports whether the snapshot says node is down or has an
// alert firing (NodeCheck's NodeFailed).
func (s *Snapshot) NodeFailed(node string) bool {
	_, v := s.NodeCheck(node)
	return v == NodeFailed
}

// EvaluateNodes returns one check per node id, in order (NodeCheck): OK
// when the node is up with no alert. unknown lists the nodes the snapshot
// says nothing about (their checks fail with "no data"), waiting those
// with an alert pending; a caller waits for both rather than failing them.
func (s *Snapshot) EvaluateNodes(ids []string) (checks []Check, unknown, waiting []string) {
	for _, id := range ids {
		c, v := s.NodeCheck(id)
		switch v {
		case NodeUnknown:
			unknown = append(unknown, id)
		case NodeWaiting:
			waiting = append(waiting, id)
		}
		checks = append(checks, c)
	}
	return checks, unknown, waiting
}
