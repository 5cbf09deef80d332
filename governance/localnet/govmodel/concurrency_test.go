package govmodel

import (
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// TestConcurrentCalls runs votes, listings and ticks from many goroutines
// (meaningful under -race) and checks that every vote landed once.
func TestConcurrentCalls(t *testing.T) {
	var ns []NeuronSeed
	for id := uint64(1); id <= 20; id++ {
		ns = append(ns, vpNeuron(id, principal.Principal{Raw: []byte{0xcc, byte(id)}}, 10))
	}
	g := newGov(t, Config{}, ns...)
	var pids []uint64
	for i := 0; i < 3; i++ {
		pids = append(pids, propose(t, g, ns[0].Controller, t0, 1, motion("A motion")))
	}
	var wg sync.WaitGroup
	for id := uint64(2); id <= 20; id++ {
		wg.Add(2)
		go func(id uint64) {
			defer wg.Done()
			for _, pid := range pids {
				vote := VoteYes
				if id%3 == 0 {
					vote = VoteNo
				}
				mustVote(t, g, ns[id-1].Controller, t0.Add(time.Minute), id, pid, vote)
			}
		}(id)
		go func(id uint64) {
			defer wg.Done()
			list(t, g, ns[id-1].Controller, t0.Add(time.Minute), govdid.ListProposalInfoRequest{})
			info(t, g, ns[id-1].Controller, t0.Add(time.Minute), pids[0])
			g.Tick(t0.Add(time.Minute))
		}(id)
	}
	wg.Wait()
	for _, pid := range pids {
		pi := info(t, g, alice, t0.Add(time.Minute), pid)
		// Neurons 3, 6, ..., 18 vote no (6 x 10); the other 14 yes.
		if pi.LatestTally.Yes+pi.LatestTally.No != 200 || pi.LatestTally.No != 60 {
			t.Errorf("proposal %d tally = %+v", pid, pi.LatestTally)
		}
	}
}
