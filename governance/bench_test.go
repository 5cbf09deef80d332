package governance

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// benchProposals is how many proposals the listing benchmark reads.
const benchProposals = 10_000

// benchNetwork starts a local network holding benchProposals motions for
// the Go and JS sides of the comparison, so both read the same server. It
// belongs to the parent benchmark: its sub-benchmarks run inside the
// parent's lifetime, and the parent's cleanup stops the network and removes
// its state directory. The motions are made by handing manage_neuron
// straight to the governance model (the set-up is not what is measured).
func benchNetwork(b *testing.B) *localnet.Network {
	b.Helper()
	net := localnettest.Start(b)
	dev := net.Topology().Developer
	arg, err := candid.Marshal([]any{MakeProposalCommand(devNeuron, motionRequest("benchmark listing"))})
	if err != nil {
		b.Fatal(err)
	}
	for i := range benchProposals {
		if _, rej := net.Governance().Execute(replica.Call{Method: "manage_neuron", Arg: arg, Caller: dev,
			Now: net.Now(), Replicated: true}); rej != nil {
			b.Fatalf("seed proposal %d: %s", i, rej.Message)
		}
	}
	return net
}

// BenchmarkList10kProposals lists and decodes 10,000 proposals from the
// same local network with nnspatch's client (go) and with the JS
// NnsGovernanceCanister (js), query signatures verified on both sides.
// Each side reports ms/list: connect (root key fetch) plus every page; the
// JS figure excludes node's start-up.
func BenchmarkList10kProposals(b *testing.B) {
	net := benchNetwork(b)
	b.Run("go", func(b *testing.B) {
		var total time.Duration
		for range b.N {
			start := time.Now()
			c, err := New(context.Background(), Network{Name: "local", URL: net.URL(), FetchRootKey: true}, nil, Options{})
			if err != nil {
				b.Fatal(err)
			}
			ps, err := c.ListProposals(context.Background(), ListOptions{Limit: benchProposals})
			if err != nil {
				b.Fatal(err)
			}
			total += time.Since(start)
			if len(ps) != benchProposals {
				b.Fatalf("listed %d proposals, want %d", len(ps), benchProposals)
			}
		}
		b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/list")
	})
	b.Run("js", func(b *testing.B) {
		var total float64
		for range b.N {
			var res struct {
				Count     int     `json:"count"`
				ElapsedMS float64 `json:"elapsed_ms"`
			}
			if err := json.Unmarshal(runJSPeer(b, "governance_list.mjs", net.URL(), strconv.Itoa(benchProposals)), &res); err != nil {
				b.Fatal(err)
			}
			if res.Count != benchProposals {
				b.Fatalf("JS listed %d proposals, want %d", res.Count, benchProposals)
			}
			total += res.ElapsedMS
		}
		b.ReportMetric(total/float64(b.N), "ms/list")
	})
}
