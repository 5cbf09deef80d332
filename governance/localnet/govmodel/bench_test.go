package govmodel

import (
	"sort"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// benchModel is a model with 50 neurons (bob controls neurons 1-5) and
// proposals proposals, one every 10 minutes: a mix of motions, deployments
// and elections (every 10th with a 2000-byte payload), most decided.
func benchModel(b *testing.B, proposals int) (*Governance, time.Time) {
	b.Helper()
	var ns []NeuronSeed
	for id := uint64(1); id <= 50; id++ {
		ctl := principal.Principal{Raw: []byte{0xbe, byte(id)}}
		if id <= 5 {
			ctl = bob
		}
		n := NeuronSeed{ID: id, Controller: ctl, StakeE8s: 1_000_000 * e8s, VotingPower: id * 1000, DissolveDelay: 365 * day}
		if id > 10 {
			n.Followees = map[int32][]uint64{TopicUnspecified: {id%10 + 1}}
		}
		ns = append(ns, n)
	}
	var ps []ProposalSeed
	start := genesis.Add(time.Hour)
	for i := 0; i < proposals; i++ {
		var req govdid.MakeProposalRequest
		switch i % 3 {
		case 0:
			req = motion("Motion for benchmark")
		case 1:
			req = executeFn(FnDeployGuestosToAllSubnetNodes, []byte("DIDL\x01\x6c\x02"))
		default:
			size := 300
			if i%10 == 2 {
				size = 2000
			}
			req = executeFn(FnReviseElectedGuestosVersions, make([]byte, size))
		}
		votes := map[uint64]int32{uint64(2 + i%9): VoteYes}
		ps = append(ps, ProposalSeed{Proposer: 1, Created: start.Add(time.Duration(i) * 10 * time.Minute), Request: req, Votes: votes})
	}
	g := New(Config{}, Seed{Genesis: genesis, Neurons: ns, Proposals: ps})
	return g, start.Add(time.Duration(proposals) * 10 * time.Minute)
}

// benchListProposals measures list_proposals for 100 answers, Candid decode
// of the request and encode of the reply included, and reports the median.
func benchListProposals(b *testing.B, caller principal.Principal) {
	g, now := benchModel(b, 10_000)
	arg, err := candid.Marshal([]any{govdid.ListProposalInfoRequest{Limit: 100}})
	if err != nil {
		b.Fatal(err)
	}
	call := replica.Call{Method: "list_proposals", Arg: arg, Caller: caller, Now: now}
	if out, rej := g.Execute(call); rej != nil || len(out) == 0 {
		b.Fatalf("list_proposals: %+v", rej)
	}
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if _, rej := g.Execute(call); rej != nil {
			b.Fatal(rej)
		}
		durations = append(durations, time.Since(t))
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkListProposals is list_proposals (limit 100) over 10,000
// proposals and 50 neurons for an anonymous caller; the target is a median
// under 5 ms.
func BenchmarkListProposals(b *testing.B) { benchListProposals(b, principal.AnonymousID) }

// BenchmarkListProposalsWithBallots is the same for a caller with 5 neurons,
// whose ballots are spliced into every cached ProposalInfo.
func BenchmarkListProposalsWithBallots(b *testing.B) { benchListProposals(b, bob) }

// BenchmarkListProposalsMarshal is the uncached baseline: the same 100
// ProposalInfos built and encoded with candid.Marshal on every call.
func BenchmarkListProposalsMarshal(b *testing.B) {
	g, now := benchModel(b, 10_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var resp govdid.ListProposalInfoResponse
		for id := uint64(len(g.proposals)); id > uint64(len(g.proposals))-100; id-- {
			resp.ProposalInfo = append(resp.ProposalInfo, g.proposalInfo(g.proposals[id-1], nil, viewListing, secs(now)))
		}
		if _, err := candid.Marshal([]any{resp}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegisterVote is one manage_neuron RegisterVote through Execute
// (decode, vote, follow cascade, tally, encode), round-robin over neurons
// and open proposals.
func BenchmarkRegisterVote(b *testing.B) {
	g, now := benchModel(b, 100)
	const perProposal = 45 // neurons 6..50 are voted by their controllers
	rounds := (b.N+1)/perProposal + 1
	req := motion("Vote target")
	first := uint64(g.ProposalCount()) + 1
	for i := 0; i < rounds; i++ {
		if c := g.manage(&govdid.ManageNeuronRequest{Id: &govdid.NeuronId{Id: 1}, Command: &govdid.ManageNeuronCommandRequest{MakeProposal: &req}}, bob, secs(now), false); c.Error != nil {
			b.Fatalf("make proposal: %+v", c.Error)
		}
	}
	// Encode the arguments with a cached header: candid.Marshal would spend
	// milliseconds per argument deriving the type table.
	argCodec := newReplyCodec(govdid.ManageNeuronRequest{})
	calls := make([]replica.Call, 0, b.N+1)
	for i := 0; i <= b.N; i++ {
		nid := uint64(6 + i%perProposal)
		pid := first + uint64(i/perProposal)
		arg, err := argCodec.encode(govdid.ManageNeuronRequest{
			NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{NeuronId: &govdid.NeuronId{Id: nid}},
			Command:              &govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{Vote: VoteNo, Proposal: &govdid.ProposalId{Id: pid}}},
		})
		if err != nil {
			b.Fatal(err)
		}
		ctl := g.neurons[nid].controller
		calls = append(calls, replica.Call{Method: "manage_neuron", Arg: arg, Caller: ctl, Now: now, Replicated: true})
	}
	// Warm the reply codecs and the argument header cache.
	if _, rej := g.Execute(calls[0]); rej != nil {
		b.Fatal(rej)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 1; i < len(calls); i++ {
		out, rej := g.Execute(calls[i])
		if rej != nil || len(out) == 0 {
			b.Fatal(rej)
		}
	}
	b.StopTimer()
	if secs := b.Elapsed().Seconds(); secs > 0 {
		b.ReportMetric(float64(b.N)/secs, "votes/s")
	}
}
