package govmodel

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// neuronInfo reads a neuron through get_neuron_info.
func neuronInfo(t *testing.T, g *Governance, now time.Time, id uint64) govdid.NeuronInfo {
	t.Helper()
	var res govdid.Result5
	decode(t, execute(t, g, "get_neuron_info", alice, now, id), &res)
	if res.Ok == nil {
		t.Fatalf("get_neuron_info %d: %+v", id, res.Err)
	}
	return *res.Ok
}

// fullNeuronOf reads a neuron's full record through list_neurons as caller.
func fullNeuronOf(t *testing.T, g *Governance, caller principal.Principal, now time.Time, id uint64) govdid.Neuron {
	t.Helper()
	var resp govdid.ListNeuronsResponse
	decode(t, execute(t, g, "list_neurons", caller, now, govdid.ListNeurons{NeuronIds: []uint64{id}}), &resp)
	if len(resp.FullNeurons) != 1 {
		t.Fatalf("list_neurons %d: %d full neurons", id, len(resp.FullNeurons))
	}
	return resp.FullNeurons[0]
}

const month = oneMonthSeconds * time.Second

// TestVotingPowerDecay checks the periodic-confirmation curve: full until
// six months after the refresh, half at six and a half, zero at seven,
// and ballots snapshot the decayed (deciding) voting power.
func TestVotingPowerDecay(t *testing.T) {
	g := newGov(t, Config{}, vpNeuron(1, alice, 1000), vpNeuron(2, bob, 1000))
	cases := []struct {
		after    time.Duration
		deciding uint64
	}{
		{0, 1000}, {6 * month, 1000}, {6*month + month/2, 500}, {6*month + month/4, 750}, {7 * month, 0}, {9 * month, 0},
	}
	for _, c := range cases {
		ni := neuronInfo(t, g, genesis.Add(c.after), 2)
		if *ni.DecidingVotingPower != c.deciding || ni.VotingPower != c.deciding || *ni.PotentialVotingPower != 1000 {
			t.Errorf("after %s: deciding %d, voting_power %d, potential %d; want %d, %d, 1000",
				c.after, *ni.DecidingVotingPower, ni.VotingPower, *ni.PotentialVotingPower, c.deciding, c.deciding)
		}
		if *ni.VotingPowerRefreshedTimestampSeconds != secs(genesis) {
			t.Errorf("refreshed = %d, want genesis %d", *ni.VotingPowerRefreshedTimestampSeconds, secs(genesis))
		}
	}
	at := genesis.Add(6*month + month/2)
	mustRefresh(t, g, alice, at, 1)
	id := propose(t, g, alice, at, 1, motion("Half-decayed ballots"))
	p := g.proposals[id-1]
	if b := p.ballot(2); b == nil || b.vp != 500 || p.total != 1500 {
		t.Errorf("ballot of the decaying neuron = %+v, total %d; want 500 of 1500", b, p.total)
	}
}

// mustRefresh sends RefreshVotingPower for neuron id as caller.
func mustRefresh(t *testing.T, g *Governance, caller principal.Principal, now time.Time, id uint64) {
	t.Helper()
	c := refresh(t, g, caller, now, id)
	if c.Error != nil || c.RefreshVotingPower == nil {
		t.Fatalf("refresh voting power of %d: %+v", id, c)
	}
}

// refresh sends RefreshVotingPower and returns the response command.
func refresh(t *testing.T, g *Governance, caller principal.Principal, now time.Time, id uint64) govdid.Command1 {
	t.Helper()
	return manageCmd(t, g, caller, now, id, govdid.ManageNeuronCommandRequest{RefreshVotingPower: &govdid.RefreshVotingPower{}})
}

// TestRefreshVotingPower checks who may refresh and what refreshes: the
// command itself, a direct vote and setting following restore full
// voting power; a vote cast by following does not; a dry run changes
// nothing.
func TestRefreshVotingPower(t *testing.T) {
	late := genesis.Add(6*month + month/2)
	g := newGov(t, Config{}, vpNeuron(1, alice, 1000), vpNeuron(2, bob, 1000), vpNeuron(3, bob, 1000), vpNeuron(4, carol, 1000))
	if c := refresh(t, g, carol, late, 1); c.Error == nil || c.Error.ErrorType != ErrorNotAuthorized {
		t.Errorf("refresh by a stranger: %+v", c)
	}
	req := govdid.ManageNeuronRequest{NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{NeuronId: &govdid.NeuronId{Id: 1}},
		Command: &govdid.ManageNeuronCommandRequest{RefreshVotingPower: &govdid.RefreshVotingPower{}}}
	var resp govdid.ManageNeuronResponse
	decode(t, execute(t, g, "simulate_manage_neuron", alice, late, req), &resp)
	if resp.Command == nil || resp.Command.RefreshVotingPower == nil {
		t.Fatalf("simulated refresh: %+v", resp.Command)
	}
	if got := *neuronInfo(t, g, late, 1).DecidingVotingPower; got != 500 {
		t.Errorf("after a simulated refresh deciding = %d, want 500 (unchanged)", got)
	}
	mustRefresh(t, g, alice, late, 1)
	ni := neuronInfo(t, g, late, 1)
	if *ni.DecidingVotingPower != 1000 || *ni.VotingPowerRefreshedTimestampSeconds != secs(late) {
		t.Errorf("after refresh: deciding %d, refreshed %d; want 1000 at %d", *ni.DecidingVotingPower, *ni.VotingPowerRefreshedTimestampSeconds, secs(late))
	}
	if fn := fullNeuronOf(t, g, alice, late, 1); *fn.VotingPowerRefreshedTimestampSeconds != secs(late) || *fn.DecidingVotingPower != 1000 {
		t.Errorf("full neuron: refreshed %d, deciding %d", *fn.VotingPowerRefreshedTimestampSeconds, *fn.DecidingVotingPower)
	}

	// Neuron 3 follows 2 on Governance (refreshing 3); 2 votes directly.
	earlier := genesis.Add(time.Hour)
	c := manageCmd(t, g, bob, earlier, 3, govdid.ManageNeuronCommandRequest{Follow: &govdid.Follow{Topic: TopicGovernance, Followees: []govdid.NeuronId{{Id: 2}}}})
	if c.Error != nil {
		t.Fatalf("follow: %+v", c.Error)
	}
	if got := *neuronInfo(t, g, earlier, 3).VotingPowerRefreshedTimestampSeconds; got != secs(earlier) {
		t.Errorf("Follow did not refresh: %d", got)
	}
	vote := genesis.Add(6*month + month/4)
	id := propose(t, g, alice, vote, 1, motion("Refresh by voting"))
	mustVote(t, g, bob, vote, 2, id, VoteNo)
	if got := *neuronInfo(t, g, vote, 2).VotingPowerRefreshedTimestampSeconds; got != secs(vote) {
		t.Errorf("a direct vote did not refresh: %d", got)
	}
	if got := *neuronInfo(t, g, vote, 3).VotingPowerRefreshedTimestampSeconds; got != secs(earlier) {
		t.Errorf("a vote by following refreshed the follower: %d", got)
	}
}

// TestFollowingClearedAfterDecay checks that a neuron that never refreshes
// loses its following (except on NeuronManagement) once its voting power
// reached zero, and that a refresh in time keeps it.
func TestFollowingClearedAfterDecay(t *testing.T) {
	stale := vpNeuron(2, bob, 1000)
	stale.Followees = map[int32][]uint64{TopicUnspecified: {1}, TopicNeuronManagement: {1}, TopicGovernance: {1}}
	kept := vpNeuron(3, bob, 1000)
	kept.Followees = map[int32][]uint64{TopicGovernance: {1}}
	g := newGov(t, Config{}, vpNeuron(1, alice, 1000), stale, kept)
	mustRefresh(t, g, bob, genesis.Add(5*month), 3)
	g.Tick(genesis.Add(7*month - time.Second))
	if n := len(fullNeuronOf(t, g, bob, genesis.Add(7*month), 2).Followees); n != 3 {
		t.Fatalf("following cleared early: %d topics left", n)
	}
	g.Tick(genesis.Add(7 * month))
	fs := fullNeuronOf(t, g, bob, genesis.Add(7*month), 2).Followees
	if len(fs) != 1 || fs[0].Field0 != TopicNeuronManagement {
		t.Errorf("stale neuron's following after 7 months: %+v, want NeuronManagement only", fs)
	}
	if fs := fullNeuronOf(t, g, bob, genesis.Add(7*month), 3).Followees; len(fs) != 1 {
		t.Errorf("refreshed neuron lost its following: %+v", fs)
	}
	g.Tick(genesis.Add(12 * month))
	if fs := fullNeuronOf(t, g, bob, genesis.Add(12*month), 3).Followees; len(fs) != 0 {
		t.Errorf("neuron refreshed at 5 months still follows after 12: %+v", fs)
	}
}

// TestGetFullNeuron reads full neurons: the controller and a hot key may,
// so may the controller of a NeuronManagement followee; anyone else gets
// NotAuthorized and an unknown id NotFound.
func TestGetFullNeuron(t *testing.T) {
	managed := vpNeuron(2, bob, 1000)
	managed.HotKeys = []principal.Principal{carol}
	managed.Followees = map[int32][]uint64{TopicNeuronManagement: {1}}
	g := newGov(t, Config{}, vpNeuron(1, alice, 1000), managed, vpNeuron(3, carol, 1000))
	get := func(caller principal.Principal, id uint64) govdid.Result2 {
		var res govdid.Result2
		decode(t, execute(t, g, "get_full_neuron", caller, t0, id), &res)
		return res
	}
	for _, p := range []principal.Principal{bob, carol, alice} {
		if res := get(p, 2); res.Ok == nil || res.Ok.Id.Id != 2 || len(res.Ok.Followees) != 1 {
			t.Errorf("get_full_neuron 2 as %s: %+v", p, res)
		}
	}
	if res := get(bob, 3); res.Err == nil || res.Err.ErrorType != ErrorNotAuthorized || res.Ok != nil {
		t.Errorf("a stranger read neuron 3: %+v", res)
	}
	if res := get(alice, 99); res.Err == nil || res.Err.ErrorType != ErrorNotFound {
		t.Errorf("unknown neuron: %+v", res)
	}
}
