package localnet_test

import (
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
