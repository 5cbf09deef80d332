package govmodel

import (
	"slices"
	"testing"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// TestGarbageCollection: with 3 proposals kept per topic, the oldest
// motions go once they are executed and settled, not before; the newest 3
// of each topic stay; a topic at the limit loses nothing; a removed id
// answers None and is missing from listings, as on governance.
func TestGarbageCollection(t *testing.T) {
	g := newGov(t, Config{MaxProposalsToKeepPerTopic: 3, Executor: &fakeExecutor{}},
		vpNeuron(1, alice, 90), vpNeuron(2, bob, 10))
	var motions, deploys []uint64
	for range 6 {
		motions = append(motions, propose(t, g, alice, t0, 1, motion("Motion m")))
	}
	for range 3 {
		deploys = append(deploys, propose(t, g, alice, t0, 1, executeFn(FnDeployGuestosToAllSubnetNodes, []byte("DIDL"))))
	}

	g.Tick(t0.Add(1)) // executed but not settled: nothing may go
	for _, id := range append(motions, deploys...) {
		if info(t, g, bob, t0.Add(1), id) == nil {
			t.Fatalf("proposal %d collected before its rewards were settled", id)
		}
	}

	later := t0.Add(6 * day)
	g.Tick(later)
	for i, id := range motions {
		if gone := info(t, g, bob, later, id) == nil; gone != (i < 3) {
			t.Errorf("motion %d (the %d. oldest): gone=%v, want %v", id, i+1, gone, i < 3)
		}
	}
	listed := ids(list(t, g, bob, later, govdid.ListProposalInfoRequest{Limit: 100}))
	want := append(slices.Clone(deploys), motions[3:]...)
	slices.Sort(want)
	slices.Reverse(want)
	if !slices.Equal(listed, want) {
		t.Errorf("list_proposals = %v, want %v", listed, want)
	}
	if n := g.ProposalCount(); n != 9 {
		t.Errorf("ProposalCount = %d, want 9 (ids are never reused)", n)
	}
	next := propose(t, g, alice, later, 1, motion("after gc"))
	if next != 10 {
		t.Errorf("next id %d, want 10", next)
	}
}

// TestGarbageCollectionOff: a negative keep count (governance's 0) keeps
// every proposal, and the economics say 0.
func TestGarbageCollectionOff(t *testing.T) {
	g := newGov(t, Config{MaxProposalsToKeepPerTopic: -1, Executor: &fakeExecutor{}}, vpNeuron(1, alice, 90))
	for range 150 {
		propose(t, g, alice, t0, 1, motion("Motion m"))
	}
	later := t0.Add(6 * day)
	g.Tick(later)
	if info(t, g, alice, later, 1) == nil {
		t.Fatal("proposal 1 collected with garbage collection off")
	}
	var econ govdid.NetworkEconomics
	decode(t, execute(t, g, "get_network_economics_parameters", alice, later, nil), &econ)
	if econ.MaxProposalsToKeepPerTopic != 0 {
		t.Errorf("max_proposals_to_keep_per_topic = %d, want 0", econ.MaxProposalsToKeepPerTopic)
	}
}
