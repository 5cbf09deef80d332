package health

import dto "github.com/prometheus/client_model/go"

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
}

// nodesFrom reads up{job="host_node_exporter"} by ic_node; nil when the
// scrape has none.
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
		out[l[LabelNode]] = Node{Up: value(m) == 1}
	}
	return out
}

// NodeUp reports whether the snapshot says node's host answers, and
// whether it says anything about the node at all.
func (s *Snapshot) NodeUp(node string) (up, known bool) {
	if s == nil {
		return false, false
	}
	n, ok := s.Nodes[node]
	return n.Up, ok
}

// CheckNodeUp names the per-node check: the node answers (Node.Up).
const CheckNodeUp = "node_up"

// EvaluateNodes returns one CheckNodeUp per node id, in order: OK when the
// snapshot says the node is up. unknown lists the nodes the snapshot says
// nothing about (their checks fail with "no data"); a caller waits for
// them rather than calling them down.
func (s *Snapshot) EvaluateNodes(ids []string) (checks []Check, unknown []string) {
	for _, id := range ids {
		up, known := s.NodeUp(id)
		c := Check{Name: CheckNodeUp, OK: up}
		switch {
		case !known:
			c.Detail = "node " + id + ": no data"
			unknown = append(unknown, id)
		case up:
			c.Detail = "node " + id + " up"
		default:
			c.Detail = "node " + id + " down"
		}
		checks = append(checks, c)
	}
	return checks, unknown
}
