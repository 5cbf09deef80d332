package governance

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// The fast vote encoding is agent-go's, byte for byte, for any values.
func TestEncodeVoteMatchesAgentGo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := [][3]uint64{{0, 0, 0}, {math.MaxUint64, math.MaxUint64, 2}, {80, 1, 1}}
	for range 150 { // agent-go takes ~7 ms to encode one vote
		cases = append(cases, [3]uint64{r.Uint64(), r.Uint64(), uint64(r.IntN(3))})
	}
	for _, c := range cases {
		req := VoteCommand(c[0], c[1], Vote(c[2]))
		want, err := candid.Marshal([]any{req})
		if err != nil {
			t.Fatal(err)
		}
		got, err := EncodeManageNeuron(req)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("vote %v: fast encoding differs from agent-go's (%v)\n got %x\nwant %x", c, err, got, want)
		}
	}
}

// Anything that is not a plain vote goes to agent-go unchanged.
func TestEncodeManageNeuronOtherShapes(t *testing.T) {
	vote := VoteCommand(1, 2, VoteYes)
	bySub := vote
	sub := []byte{1}
	bySub.NeuronIdOrSubaccount = &govdid.NeuronIdOrSubaccount{Subaccount: &sub}
	withID := vote
	withID.Id = &govdid.NeuronId{Id: 9}
	noProposal := VoteCommand(1, 2, VoteYes)
	noProposal.Command = &govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: 1}}
	for name, req := range map[string]govdid.ManageNeuronRequest{
		"subaccount": bySub, "id": withID, "no proposal": noProposal,
		"motion": MakeProposalCommand(80, motionRequest("x")),
	} {
		if _, _, _, ok := plainVote(req); ok {
			t.Errorf("%s: taken for a plain vote", name)
		}
		want, _ := candid.Marshal([]any{req})
		if got, err := EncodeManageNeuron(req); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: encoding differs from agent-go's (%v)", name, err)
		}
	}
}

// BenchmarkEncodeVote compares agent-go's reflective encoding of a vote
// with the template encoding, in one run.
func BenchmarkEncodeVote(b *testing.B) {
	req := VoteCommand(81, 12345, VoteYes)
	b.Run("agent-go", func(b *testing.B) {
		for range b.N {
			if _, err := candid.Marshal([]any{req}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("template", func(b *testing.B) {
		for range b.N {
			if _, err := EncodeManageNeuron(req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchVoters is how many goroutines vote at once through one Client.
const benchVoters = 8

// BenchmarkClientVotes measures verified votes per second from nnspatch's
// own client (signed calls over HTTP, certified replies verified) to a
// local network, with agent-go's reflective encoding and with the
// template encoding side by side. Neuron 81 (the developer's spare) votes
// once on each of b.N open motions.
func BenchmarkClientVotes(b *testing.B) {
	for _, mode := range []struct {
		name string
		fast bool
	}{{"agent-go", false}, {"template", true}} {
		b.Run(mode.name, func(b *testing.B) {
			fastManageNeuron = mode.fast
			b.Cleanup(func() { fastManageNeuron = true })
			net, c := startLocal(b)
			ids := seedMotions(b, net, b.N)
			var next, voted atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range benchVoters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := next.Add(1) - 1; i < int64(len(ids)); i = next.Add(1) - 1 {
						if err := c.Vote(context.Background(), 81, ids[i], VoteYes); err != nil {
							b.Error(err)
							return
						}
						voted.Add(1)
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(voted.Load())/time.Since(start).Seconds(), "votes/s")
		})
	}
}

// seedMotions makes n open motions from neuron 80 straight through the
// governance model (the set-up is not what is measured).
func seedMotions(b *testing.B, net *localnet.Network, n int) []uint64 {
	b.Helper()
	dev := net.Topology().Developer
	var ids []uint64
	for i := range n {
		arg, err := candid.Marshal([]any{MakeProposalCommand(devNeuron, motionRequest(fmt.Sprintf("bench vote %d", i)))})
		if err != nil {
			b.Fatal(err)
		}
		out, rej := net.Governance().Execute(replica.Call{Method: "manage_neuron", Arg: arg, Caller: dev, Now: net.Now(), Replicated: true})
		if rej != nil {
			b.Fatalf("seed motion %d: %s", i, rej.Message)
		}
		var resp govdid.ManageNeuronResponse
		if err := candid.Unmarshal(out, []any{&resp}); err != nil {
			b.Fatal(err)
		}
		id, err := proposalIDOf(resp.Command)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
