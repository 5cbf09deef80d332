package localnet

import (
	"fmt"
	"net/http"
	"sync"
)

// Per-node host exporter targets, for a real Prometheus server. On mainnet
// the per-node host signal is up{job="host_node_exporter",ic_node=...}:
// Prometheus writes `up` itself from whether its scrape of the node
// exporter on each HostOS succeeded. /metrics can only publish that series
// as if it had been scraped (it stands in for Prometheus); a real server
// scraping /metrics synthesizes its own `up` for /metrics alone and renames
// the published job label. So the network also serves one scrape target per
// node, which answers while the node is up (NodeStatus.Up) and fails while
// it is down, and an HTTP service discovery document listing them, so that
// Prometheus derives up{job="host_node_exporter"} the way it does on
// mainnet:
//
//	GET /_/sd/host_node_exporter               http_sd_configs document: one target per node,
//	                                           labels ic_node and __metrics_path__
//	GET /_/host_node_exporter/{node}/metrics   200 and a one-line exposition while the node is
//	                                           up, 503 while it is down, 404 for an unknown node
const (
	// HostExporterSDPath is the service discovery document's path.
	HostExporterSDPath = "/_/sd/" + JobHostNodeExporter
	// hostExporterPrefix is the per-node target's path prefix.
	hostExporterPrefix = "/_/" + JobHostNodeExporter + "/"
)

// sdTarget is one entry of a Prometheus HTTP service discovery document.
type sdTarget struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

// handleHostExporterSD lists one host exporter target per node, on the
// host the request was addressed to.
func (n *Network) handleHostExporterSD(w http.ResponseWriter, r *http.Request) {
	nodes := n.Nodes()
	out := make([]sdTarget, 0, len(nodes))
	for _, nd := range nodes {
		out = append(out, sdTarget{Targets: []string{r.Host}, Labels: map[string]string{
			"ic_node": nd.ID, "__metrics_path__": hostExporterPrefix + nd.ID + "/metrics"}})
	}
	writeJSON(w, http.StatusOK, out)
}

// hostExporterCache keeps the node statuses between scrapes: a node's state
// changes only with the registry (its versions) or the fault log (events
// are stamped with the virtual time they were set at, never later than
// the clock), so one derivation serves every target until either changes.
// Each node is a target of its own; deriving all of them per scrape would
// cost the square of the node count.
type hostExporterCache struct {
	mu         sync.Mutex
	regVersion uint64
	faults     int
	byID       map[string]NodeStatus
}

// hostNode returns one node's status, from the cache when it is current.
func (n *Network) hostNode(id string) (NodeStatus, bool) {
	n.mu.Lock()
	faults := len(n.faults)
	n.mu.Unlock()
	c := &n.hostCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := n.reg.Version(); c.byID == nil || c.regVersion != v || c.faults != faults {
		c.byID = map[string]NodeStatus{}
		for _, nd := range n.Nodes() {
			c.byID[nd.ID] = nd
		}
		c.regVersion, c.faults = v, faults
	}
	nd, ok := c.byID[id]
	return nd, ok
}

// handleHostExporter answers a scrape of one node's host exporter: it
// succeeds while the node is up and fails while it is down.
func (n *Network) handleHostExporter(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("node")
	nd, ok := n.hostNode(id)
	switch {
	case !ok:
		http.Error(w, "no node "+id, http.StatusNotFound)
	case !nd.Up:
		http.Error(w, "node "+id+" is down", http.StatusServiceUnavailable)
	default:
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		fmt.Fprintf(w, "# TYPE localnet_host_answers gauge\nlocalnet_host_answers 1\n")
	}
}
