package localnet_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// TestNodeHealthFollowsHostOSFaults: a fault on the nodes' HostOS version
// takes down the node it names, or every node of the subnet it names, and
// /metrics says so in up{job="host_node_exporter"}; clearing it brings
// them back.
func TestNodeHealthFollowsHostOSFaults(t *testing.T) {
	n := localnettest.Start(t)
	hostos := n.Topology().HostOSVersions[0].ID
	sub := n.Topology().Subnets[1]
	node := n.Topology().Subnets[2].Nodes[0]
	down := func() map[string]bool {
		out := map[string]bool{}
		for _, s := range n.Nodes() {
			if s.HostOSVersion != hostos {
				t.Fatalf("node %s runs HostOS %s; want the seed's %s", s.ID, s.HostOSVersion, hostos)
			}
			if !s.Up {
				out[s.ID] = true
			}
		}
		return out
	}
	if d := down(); len(d) != 0 {
		t.Fatalf("%d nodes down before any fault", len(d))
	}
	if err := n.SetFault(localnet.Fault{Version: hostos, Subnets: []string{node, sub.ID}}); err != nil {
		t.Fatal(err)
	}
	d := down()
	if len(d) != len(sub.Nodes)+1 || !d[node] || !d[sub.Nodes[0]] {
		t.Fatalf("down = %d nodes; want the %d of subnet %s and node %s", len(d), len(sub.Nodes), sub.ID, node)
	}
	resp, err := http.Get(n.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `up{ic_node="`+node+`",job="host_node_exporter"} 0`) {
		t.Errorf("/metrics does not show node %s down", node)
	}
	if err := n.SetFault(localnet.Fault{Version: hostos, Clear: true}); err != nil {
		t.Fatal(err)
	}
	if d := down(); len(d) != 0 {
		t.Fatalf("%d nodes still down after the fault was cleared", len(d))
	}
	if err := n.SetFault(localnet.Fault{Version: hostos, Subnets: []string{"aaaaa-aa"}}); err == nil {
		t.Fatal("a fault naming neither a subnet nor a node was accepted")
	}
}

// TestAPIBoundaryNodeFault: a fault on the GuestOS version of the API
// boundary nodes that names one of them takes that node down (and only
// it); a fault on the same version without targets does not (it stalls
// subnets). The node's host exporter target fails while it is down, and
// the service discovery document lists every node with its target.
func TestAPIBoundaryNodeFault(t *testing.T) {
	n := localnettest.Start(t)
	bns := n.Registry().APIBoundaryNodes()
	if len(bns) < 2 {
		t.Fatalf("seed has %d API boundary nodes", len(bns))
	}
	bn, v := bns[0].ID.String(), bns[0].Version
	downs := func() []string {
		var out []string
		for _, s := range n.Nodes() {
			if !s.Up {
				out = append(out, s.ID)
			}
		}
		return out
	}
	if err := n.SetFault(localnet.Fault{Version: v}); err != nil {
		t.Fatal(err)
	}
	if d := downs(); len(d) != 0 {
		t.Fatalf("a GuestOS fault without targets took down %v", d)
	}
	if err := n.SetFault(localnet.Fault{Version: v, Subnets: []string{bn}}); err != nil {
		t.Fatal(err)
	}
	if d := downs(); len(d) != 1 || d[0] != bn {
		t.Fatalf("down %v; want only API boundary node %s", d, bn)
	}
	status := func(node string) int {
		resp, err := http.Get(n.URL() + "/_/host_node_exporter/" + node + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(bn); got != http.StatusServiceUnavailable {
		t.Errorf("target of the down node answers %d; want 503", got)
	}
	if got := status(bns[1].ID.String()); got != http.StatusOK {
		t.Errorf("target of an up node answers %d; want 200", got)
	}
	if got := status("aaaaa-aa"); got != http.StatusNotFound {
		t.Errorf("target of an unknown node answers %d; want 404", got)
	}
	if err := n.SetFault(localnet.Fault{Version: v, Clear: true}); err != nil {
		t.Fatal(err)
	}
	if got := status(bn); got != http.StatusOK {
		t.Errorf("target after the fault was cleared answers %d; want 200", got)
	}
	resp, err := http.Get(n.URL() + localnet.HostExporterSDPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sd []struct {
		Targets []string          `json:"targets"`
		Labels  map[string]string `json:"labels"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&sd); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("service discovery document: %v (content type %q)", err, resp.Header.Get("Content-Type"))
	}
	if len(sd) != len(n.Nodes()) {
		t.Fatalf("%d targets; want one per node (%d)", len(sd), len(n.Nodes()))
	}
	for _, e := range sd {
		if e.Labels["ic_node"] == bn && e.Labels["__metrics_path__"] == "/_/host_node_exporter/"+bn+"/metrics" && len(e.Targets) == 1 {
			return
		}
	}
	t.Errorf("no target for %s in %+v", bn, sd[:1])
}
