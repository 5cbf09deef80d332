package govmodel

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

func TestRegisterVoteErrors(t *testing.T) {
	short := NeuronSeed{ID: 3, Controller: alice, StakeE8s: 100 * e8s, DissolveDelay: 30 * day}
	tests := []struct {
		name     string
		caller   principal.Principal
		neuron   uint64
		proposal uint64
		vote     int32
		at       time.Time
		wantType int32
		wantMsg  string
	}{
		{"unknown neuron", alice, 9, 1, VoteYes, t0, ErrorNotFound, "Neuron not found: NeuronId { id: 9 }"},
		{"stranger", bob, 1, 1, VoteYes, t0, ErrorNotAuthorized, "Caller is not authorized to vote for neuron."},
		{"unknown proposal", bob, 2, 7, VoteYes, t0, ErrorNotFound, "Can't find proposal."},
		{"unspecified vote", bob, 2, 1, VoteUnspecified, t0, ErrorPreconditionFailed, "Invalid vote specified."},
		{"vote out of range", bob, 2, 1, 3, t0, ErrorPreconditionFailed, "Invalid vote specified."},
		{"neuron without ballot", alice, 3, 1, VoteYes, t0, ErrorNotAuthorized, "Neuron not authorized to vote on proposal."},
		{"second vote", alice, 1, 1, VoteNo, t0, ErrorNeuronAlreadyVoted, "Neuron already voted on proposal."},
		{"after the deadline", bob, 2, 1, VoteNo, t0.Add(4 * day), ErrorPreconditionFailed, "Proposal deadline has passed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 40), vpNeuron(4, carol, 60), short)
			propose(t, g, alice, t0, 1, motion("A motion"))
			got := castVote(t, g, tt.caller, tt.at, tt.neuron, tt.proposal, tt.vote)
			if got == nil || got.ErrorType != tt.wantType || got.ErrorMessage != tt.wantMsg {
				t.Fatalf("error = %+v, want (%d, %q)", got, tt.wantType, tt.wantMsg)
			}
		})
	}
	t.Run("no proposal id", func(t *testing.T) {
		g := newGov(t, Config{}, vpNeuron(1, alice, 10))
		c := manageCmd(t, g, alice, t0, 1, govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: VoteYes}})
		if c.Error == nil || c.Error.ErrorType != ErrorPreconditionFailed || c.Error.ErrorMessage != "Vote must include a proposal id." {
			t.Fatalf("error = %+v", c.Error)
		}
	})
}

func TestDecision(t *testing.T) {
	type step struct {
		after  time.Duration
		neuron uint64
		vote   int32
	}
	tests := []struct {
		name        string
		vps         []uint64 // neuron i+1; neuron 1 proposes
		steps       []step
		tickAfter   time.Duration
		wantStatus  int32
		wantDecided time.Duration // after t0; -1 = still open
	}{
		{"proposer alone with absolute majority adopts at once", []uint64{51, 49}, nil, 0, StatusExecuted, 0},
		{"exactly half is not an absolute majority", []uint64{50, 50}, nil, 0, StatusOpen, -1},
		{"yes beyond half adopts early", []uint64{10, 45, 45}, []step{{time.Hour, 2, VoteYes}}, 0, StatusExecuted, time.Hour},
		{"no reaching half rejects early", []uint64{10, 40, 50}, []step{{time.Hour, 3, VoteNo}}, 0, StatusRejected, time.Hour},
		{"no below half keeps it open", []uint64{10, 40, 50}, []step{{time.Hour, 2, VoteNo}}, 0, StatusOpen, -1},
		{"open just before the deadline", []uint64{10, 90}, nil, 4*day - time.Second, StatusOpen, -1},
		{"yes over 3% and over no adopts at the deadline", []uint64{4, 96}, nil, 4 * day, StatusExecuted, 4 * day},
		{"yes exactly 3% meets the quorum", []uint64{3, 97}, nil, 4 * day, StatusExecuted, 4 * day},
		{"yes under 3% rejects at the deadline", []uint64{2, 98}, nil, 4 * day, StatusRejected, 4 * day},
		// The tie is a flip: the deadline moves to 1h + 2d + (4d-1h)/2.
		{"tie rejects at the deadline", []uint64{10, 10, 80}, []step{{time.Hour, 2, VoteNo}}, 4*day + 30*time.Minute, StatusRejected, 4*day + 30*time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctls := []principal.Principal{alice, bob, carol}
			var ns []NeuronSeed
			for i, vp := range tt.vps {
				ns = append(ns, vpNeuron(uint64(i+1), ctls[i], vp))
			}
			g := newGov(t, Config{}, ns...)
			id := propose(t, g, alice, t0, 1, motion("A motion"))
			for _, s := range tt.steps {
				mustVote(t, g, ctls[s.neuron-1], t0.Add(s.after), s.neuron, id, s.vote)
			}
			if tt.tickAfter > 0 {
				g.Tick(t0.Add(tt.tickAfter))
			}
			pi := info(t, g, alice, t0.Add(tt.tickAfter), id)
			wantDecided := uint64(0)
			if tt.wantDecided >= 0 {
				wantDecided = secs(t0.Add(tt.wantDecided))
			}
			if pi.Status != tt.wantStatus || pi.DecidedTimestampSeconds != wantDecided {
				t.Fatalf("status %d decided %d, want %d decided %d", pi.Status, pi.DecidedTimestampSeconds, tt.wantStatus, wantDecided)
			}
		})
	}
}

func TestTallyAndBallots(t *testing.T) {
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 30), vpNeuron(3, bob, 60),
		NeuronSeed{ID: 4, Controller: bob, StakeE8s: 100 * e8s, DissolveDelay: day})
	id := propose(t, g, alice, t0, 1, motion("A motion"))
	mustVote(t, g, bob, t0.Add(time.Minute), 2, id, VoteNo)
	pi := info(t, g, bob, t0.Add(time.Minute), id)
	want := govdid.Tally{Yes: 10, No: 30, Total: 100, TimestampSeconds: secs(t0.Add(time.Minute))}
	if *pi.LatestTally != want || *pi.TotalPotentialVotingPower != 100 {
		t.Errorf("tally = %+v potential %d, want %+v potential 100", *pi.LatestTally, *pi.TotalPotentialVotingPower, want)
	}
	// Only the caller's neurons' ballots, ascending; neuron 4 is not eligible.
	got := []govdid.Ballot{}
	for _, b := range pi.Ballots {
		got = append(got, b.Field1)
	}
	if len(pi.Ballots) != 2 || pi.Ballots[0].Field0 != 2 || pi.Ballots[1].Field0 != 3 ||
		got[0] != (govdid.Ballot{Vote: VoteNo, VotingPower: 30}) || got[1] != (govdid.Ballot{Vote: VoteUnspecified, VotingPower: 60}) {
		t.Errorf("bob's ballots = %+v", pi.Ballots)
	}
	if n := len(info(t, g, carol, t0, id).Ballots); n != 0 {
		t.Errorf("carol sees %d ballots, want 0", n)
	}
	if pi.RejectCostE8s != 25*e8s || pi.Proposer.Id != 1 || pi.ProposalTimestampSeconds != secs(t0) ||
		*pi.DeadlineTimestampSeconds != secs(t0.Add(4*day+30*time.Second)) /* the no vote flipped the lead */ || pi.RewardStatus != RewardStatusAcceptVotes {
		t.Errorf("proposal info = %+v", pi)
	}
}

func TestRejectCost(t *testing.T) {
	tests := []struct {
		name     string
		vps      []uint64
		wantFees uint64
		status   int32
	}{
		{"refunded when adopted", []uint64{60, 40}, 0, StatusExecuted},
		{"burned when rejected", []uint64{2, 98}, 25 * e8s, StatusRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGov(t, Config{}, vpNeuron(1, alice, tt.vps[0]), vpNeuron(2, bob, tt.vps[1]))
			id := propose(t, g, alice, t0, 1, motion("A motion"))
			g.Tick(t0.Add(4 * day))
			if st := info(t, g, alice, t0.Add(4*day), id).Status; st != tt.status {
				t.Fatalf("status = %d, want %d", st, tt.status)
			}
			if fees, _ := g.NeuronFeesE8s(1); fees != tt.wantFees {
				t.Errorf("fees = %d, want %d", fees, tt.wantFees)
			}
		})
	}
	t.Run("charged while open", func(t *testing.T) {
		g := newGov(t, Config{RejectCostE8s: 10 * e8s}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 90))
		propose(t, g, alice, t0, 1, motion("A motion"))
		var resp govdid.ListNeuronsResponse
		decode(t, execute(t, g, "list_neurons", alice, t0, govdid.ListNeurons{IncludeNeuronsReadableByCaller: true}), &resp)
		if len(resp.FullNeurons) != 1 || resp.FullNeurons[0].NeuronFeesE8s != 10*e8s || resp.NeuronInfos[0].Field1.StakeE8s != 90*e8s {
			t.Fatalf("neuron after proposing = %+v", resp)
		}
		// 90 ICP left: a second and third proposal are fine, the tenth is not.
		for i := 0; i < 9; i++ {
			propose(t, g, alice, t0, 1, motion("A motion"))
		}
		if got := proposeErr(t, g, alice, t0, 1, motion("A motion")); got.ErrorType != ErrorInsufficientFunds {
			t.Errorf("error = %+v, want InsufficientFunds", got)
		}
	})
}

func TestWaitForQuiet(t *testing.T) {
	// Neuron 5 never votes, so no side reaches an absolute majority.
	newModel := func(t *testing.T) *Governance {
		return newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 30), vpNeuron(3, bob, 30),
			vpNeuron(4, bob, 30), vpNeuron(5, carol, 100))
	}
	deadline := func(t *testing.T, g *Governance, at time.Time) time.Time {
		return time.Unix(int64(*info(t, g, alice, at, 1).DeadlineTimestampSeconds), 0)
	}
	t.Run("flips extend the deadline", func(t *testing.T) {
		g := newModel(t)
		propose(t, g, alice, t0, 1, motion("A motion"))
		steps := []struct {
			after  time.Duration
			neuron uint64
			vote   int32
			want   time.Duration
		}{
			// 1d: no 30 > yes 10 flips: 1d + 2d + (4d-1d)/2 = 4.5d.
			{day, 2, VoteNo, 4*day + 12*time.Hour},
			// 2d: yes 40 > no 30 flips: 2d + 2d + 1d = 5d.
			{2 * day, 3, VoteYes, 5 * day},
			// 4.8d: no 60 > yes 40 flips: 4.8d + 2d + (4d-4.8d)/2 = 6.4d.
			{4*day + 19*time.Hour + 12*time.Minute, 4, VoteNo, 6*day + 9*time.Hour + 36*time.Minute},
		}
		for _, s := range steps {
			mustVote(t, g, bob, t0.Add(s.after), s.neuron, 1, s.vote)
			if got := deadline(t, g, t0.Add(s.after)); !got.Equal(t0.Add(s.want)) {
				t.Fatalf("after vote at %v: deadline %v, want %v", s.after, got.Sub(t0), s.want)
			}
		}
		g.Tick(t0.Add(6*day + 9*time.Hour + 35*time.Minute))
		if st := info(t, g, alice, t0, 1).Status; st != StatusOpen {
			t.Fatalf("status before the extended deadline = %d", st)
		}
		g.Tick(t0.Add(6*day + 9*time.Hour + 36*time.Minute))
		if st := info(t, g, alice, t0, 1).Status; st != StatusRejected {
			t.Fatalf("status at the extended deadline = %d, want rejected", st)
		}
	})
	t.Run("a vote without flip does not extend", func(t *testing.T) {
		g := newModel(t)
		propose(t, g, alice, t0, 1, motion("A motion"))
		mustVote(t, g, bob, t0.Add(day), 2, 1, VoteYes)
		if got := deadline(t, g, t0.Add(day)); !got.Equal(t0.Add(4 * day)) {
			t.Fatalf("deadline %v, want 4d", got.Sub(t0))
		}
	})
	t.Run("the deadline never passes period plus 2W", func(t *testing.T) {
		g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 1), vpNeuron(3, bob, 1),
			vpNeuron(4, bob, 200), vpNeuron(5, bob, 200), vpNeuron(6, carol, 1000))
		propose(t, g, alice, t0, 1, motion("A motion"))
		// Flip the lead as late as possible, again and again.
		votes := []struct {
			neuron uint64
			vote   int32
		}{{4, VoteNo}, {5, VoteYes}, {2, VoteNo}, {3, VoteYes}}
		at := t0
		for _, v := range votes {
			at = deadline(t, g, at).Add(-time.Second)
			mustVote(t, g, bob, at, v.neuron, 1, v.vote)
			if got := deadline(t, g, at); got.After(t0.Add(8 * day)) {
				t.Fatalf("deadline %v exceeds 8 days", got.Sub(t0))
			}
		}
		final := deadline(t, g, at)
		if final.Sub(t0) < 7*day {
			t.Errorf("late flips extended the deadline only to %v", final.Sub(t0))
		}
		g.Tick(final)
		if info(t, g, alice, final, 1).DecidedTimestampSeconds != secs(final) {
			t.Errorf("not decided at the final deadline")
		}
	})
}

func TestHotKeyVotes(t *testing.T) {
	n2 := vpNeuron(2, bob, 60)
	n2.HotKeys = []principal.Principal{carol}
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), n2, vpNeuron(3, alice, 30))
	id := propose(t, g, alice, t0, 1, motion("A motion"))
	mustVote(t, g, carol, t0, 2, id, VoteYes)
	if st := info(t, g, carol, t0, id).Status; st != StatusExecuted {
		t.Fatalf("status = %d, want executed", st)
	}
	if got := castVote(t, g, carol, t0, 3, id, VoteYes); got == nil || got.ErrorType != ErrorNotAuthorized {
		t.Fatalf("carol voting for alice's neuron: %+v", got)
	}
}
