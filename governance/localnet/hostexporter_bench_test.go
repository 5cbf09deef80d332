package localnet_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// BenchmarkHostExporterScrape measures one scrape of one node's host
// exporter target over HTTP, as Prometheus does once per node and
// interval; compare with BenchmarkNodes, the derivation of every node's
// state that each scrape would cost without the cache.
func BenchmarkHostExporterScrape(b *testing.B) {
	n := localnettest.Start(b)
	nodes := n.Nodes()
	for i := 0; b.Loop(); i++ {
		resp, err := http.Get(n.URL() + "/_/host_node_exporter/" + nodes[i%len(nodes)].ID + "/metrics")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("scrape: %s", resp.Status)
		}
	}
}

// BenchmarkNodes measures deriving every node's state (Network.Nodes).
func BenchmarkNodes(b *testing.B) {
	n := localnettest.Start(b)
	for b.Loop() {
		if len(n.Nodes()) == 0 {
			b.Fatal("no nodes")
		}
	}
}
