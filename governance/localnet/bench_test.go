package localnet_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

const benchClients = 50

// benchSeed has benchClients voter neurons and a developer proposer too
// small to decide alone, so every motion stays open for all voters.
func benchSeed(history int) *localnet.Seed {
	s := loadSeed(benchClients)
	s.Neurons[0].StakeICP = 10_000 // pays the reject cost of up to 400 open motions
	if history > 0 {
		s.Neurons[0].StakeICP = 10_000_000 // adopts its history motions alone
		s.History = &localnet.HistorySeed{Proposals: history, Proposer: devNeuron}
		off := 0 // keep the whole history listable
		s.Governance = &localnet.GovernanceSeed{MaxProposalsToKeepPerTopic: &off}
	}
	return s
}

// BenchmarkVotes measures verified update calls (votes) per second from
// benchClients concurrent agent-go clients over HTTP to a durable network,
// and checks that the final tallies equal the acknowledged ballots.
func BenchmarkVotes(b *testing.B) {
	n := localnettest.Start(b, localnettest.WithSeed(benchSeed(0)))
	dev := newGovClient(b, n.URL(), localnet.DeveloperIdentity("load"))
	perClient := (b.N + benchClients - 1) / benchClients
	var proposals []uint64
	for i := 0; i < perClient; i++ {
		id, err := dev.propose(devNeuron, fmt.Sprintf("Bench motion %d", i), motion("bench"))
		if err != nil {
			b.Fatal(err)
		}
		proposals = append(proposals, id)
	}
	clients := make([]govClient, benchClients)
	for i := range clients {
		clients[i] = newGovClient(b, n.URL(), voterIdentity(i))
	}
	var acked atomic.Int64
	ackedOn := make([]atomic.Int64, len(proposals))
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i, p := range proposals {
				if c+i*benchClients >= b.N {
					return
				}
				if err := clients[c].leanRegisterVote(voterNeuron(c), p); err != nil {
					b.Error(err)
					return
				}
				acked.Add(1)
				ackedOn[i].Add(1)
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(acked.Load())/elapsed.Seconds(), "votes/s")
	checkTallies(b, n, dev, proposals, ackedOn)
}

// checkTallies asserts yes = proposer + acknowledged voters, exactly. The
// proposer's voting power shrinks with every open proposal's reject cost,
// so both powers are read from each proposal's own ballots.
func checkTallies(b *testing.B, n *localnet.Network, dev govClient, proposals []uint64, ackedOn []atomic.Int64) {
	voter := newGovClient(b, n.URL(), voterIdentity(0))
	for i, id := range proposals {
		p := dev.info(b, id)
		want := ballotPower(p) + uint64(ackedOn[i].Load())*ballotPower(voter.info(b, id))
		if got := p.LatestTally.Yes; got != want {
			b.Errorf("proposal %d: yes %d, want %d (%d acknowledged votes)", id, got, want, ackedOn[i].Load())
		}
	}
}

// ballotPower returns the voting power of the caller's (single) ballot.
func ballotPower(p govdid.ProposalInfo) uint64 {
	var vp uint64
	for _, bl := range p.Ballots {
		vp += bl.Field1.VotingPower
	}
	return vp
}

// BenchmarkListProposals measures list_proposals (limit 100) against a
// network holding 10,000 proposals and 50 neurons, reporting median
// latencies: "server" is the governance model's Execute (Candid decode,
// listing, encode) in-process; "http-raw" is a signed, node-signature
// verified agent-go query over HTTP without decoding the reply; "http" adds
// agent-go's reflection-based decoding of the 100 ProposalInfo records.
func BenchmarkListProposals(b *testing.B) {
	n := localnettest.Start(b, localnettest.WithSeed(benchSeed(10_000)))
	c := newGovClient(b, n.URL(), voterIdentity(0))
	if got := n.Governance().ProposalCount(); got != 10_000 {
		b.Fatalf("%d proposals in state", got)
	}
	req := govdid.ListProposalInfoRequest{Limit: 100}
	arg, err := candid.Marshal([]any{req})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("server", func(b *testing.B) {
		call := replica.Call{Method: "list_proposals", Arg: arg, Caller: voterIdentity(0).Sender(), Now: n.Now()}
		medianLatency(b, func() error {
			_, rej := n.Governance().Execute(call)
			if rej != nil {
				return fmt.Errorf("reject: %s", rej.Message)
			}
			return nil
		})
	})
	b.Run("http-raw", func(b *testing.B) {
		medianLatency(b, func() error {
			_, err := c.QueryRaw(localnet.GovernanceID, "list_proposals", arg)
			return err
		})
	})
	b.Run("http", func(b *testing.B) {
		medianLatency(b, func() error {
			resp, err := c.ListProposals(req)
			if err == nil && len(resp.ProposalInfo) != 100 {
				err = fmt.Errorf("%d proposals listed", len(resp.ProposalInfo))
			}
			return err
		})
	})
}

// medianLatency runs fn b.N times and reports the median latency in ms.
func medianLatency(b *testing.B, fn func() error) {
	lat := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkReopen measures how long a network takes to start on a state of
// 2,000 logged votes (plus their proposals and ticks), i.e. replay speed.
func BenchmarkReopen(b *testing.B) {
	dir := b.TempDir()
	n := localnettest.Start(b, localnettest.WithSeed(benchSeed(0)), localnettest.WithStateDir(dir))
	dev := newGovClient(b, n.URL(), localnet.DeveloperIdentity("load"))
	const votes = 2000
	var wg sync.WaitGroup
	for p := 0; p < votes/benchClients; p++ {
		id, err := dev.propose(devNeuron, fmt.Sprintf("Reopen motion %d", p), motion("reopen"))
		if err != nil {
			b.Fatal(err)
		}
		for c := 0; c < benchClients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				if err := newGovClient(b, n.URL(), voterIdentity(c)).leanRegisterVote(voterNeuron(c), id); err != nil {
					b.Error(err)
				}
			}(c)
		}
		wg.Wait()
	}
	if err := n.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg := localnet.Config{StateDir: dir, Listen: "127.0.0.1:0", Seed: benchSeed(0)}
		m, err := localnet.Start(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		m.Close()
		b.StartTimer()
	}
}
