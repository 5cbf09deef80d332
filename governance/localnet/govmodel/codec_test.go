package govmodel

import (
	"bytes"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// marshal is the reference encoding: candid.Marshal of the whole reply.
func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := candid.Marshal([]any{v})
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	return b
}

// TestRepliesMatchCandidMarshal checks that the cached, assembled replies
// are byte-identical to candid.Marshal of the corresponding structs.
func TestRepliesMatchCandidMarshal(t *testing.T) {
	g := listFixture(t)
	root := principal.MustDecode("r7inp-6aaaa-aaaaa-aaabq-cai")
	wasm, mode := []byte("\x00asm"), int32(2)
	req := motion("Reinstall root")
	req.Action = &govdid.ProposalActionRequest{InstallCode: &govdid.InstallCodeRequest{CanisterId: &root, InstallMode: &mode, WasmModule: &wasm}}
	propose(t, g, alice, t0, 1, req)
	now := secs(t0)
	for _, caller := range []principal.Principal{alice, bob, principal.AnonymousID} {
		neurons := g.callerNeurons(caller)
		var all []govdid.ProposalInfo
		for id := uint64(1); id <= uint64(g.ProposalCount()); id++ {
			p := g.proposals[id-1]
			full := g.proposalInfo(p, neurons, viewFull, now)
			got := execute(t, g, "get_proposal_info", caller, t0, id)
			if want := marshal(t, &full); !bytes.Equal(got, want) {
				t.Fatalf("get_proposal_info %d as %s differs from candid.Marshal", id, caller)
			}
			all = append([]govdid.ProposalInfo{g.proposalInfo(p, neurons, viewListing, now)}, all...)
		}
		got := execute(t, g, "list_proposals", caller, t0, govdid.ListProposalInfoRequest{})
		if want := marshal(t, govdid.ListProposalInfoResponse{ProposalInfo: all}); !bytes.Equal(got, want) {
			t.Fatalf("list_proposals as %s differs from candid.Marshal", caller)
		}
		for i := range all {
			all[i].Proposal.Action = nil
		}
		got = execute(t, g, "list_proposals", caller, t0, govdid.ListProposalInfoRequest{ReturnSelfDescribingAction: ptr(true)})
		if want := marshal(t, govdid.ListProposalInfoResponse{ProposalInfo: all}); !bytes.Equal(got, want) {
			t.Fatalf("list_proposals without actions as %s differs from candid.Marshal", caller)
		}
	}
	if got, want := execute(t, g, "get_proposal_info", alice, t0, uint64(99)), marshal(t, (*govdid.ProposalInfo)(nil)); !bytes.Equal(got, want) {
		t.Fatalf("get_proposal_info of a missing proposal = %x, want %x", got, want)
	}
	if got, want := execute(t, g, "get_pending_proposals", alice, t0, nil), marshal(t, pendingInfos(g, alice, now)); !bytes.Equal(got, want) {
		t.Fatal("get_pending_proposals differs from candid.Marshal")
	}
	if got, want := execute(t, g, "get_build_metadata", alice, t0, nil), marshal(t, g.cfg.BuildMetadata); !bytes.Equal(got, want) {
		t.Fatal("get_build_metadata differs from candid.Marshal")
	}
	if got, want := execute(t, g, "get_network_economics_parameters", alice, t0, nil), marshal(t, g.NetworkEconomics()); !bytes.Equal(got, want) {
		t.Fatal("get_network_economics_parameters differs from candid.Marshal")
	}
}

// pendingInfos is the reference value of get_pending_proposals.
func pendingInfos(g *Governance, caller principal.Principal, now uint64) []govdid.ProposalInfo {
	out := []govdid.ProposalInfo{}
	for _, id := range g.open {
		out = append(out, g.proposalInfo(g.proposals[id-1], g.callerNeurons(caller), viewListing, now))
	}
	return out
}

func TestCacheFollowsChanges(t *testing.T) {
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 30), vpNeuron(3, carol, 60))
	id := propose(t, g, alice, t0, 1, motion("A motion"))
	first := info(t, g, alice, t0, id)
	mustVote(t, g, bob, t0.Add(time.Hour), 2, id, VoteYes)
	second := info(t, g, alice, t0.Add(time.Hour), id)
	if first.LatestTally.Yes != 10 || second.LatestTally.Yes != 40 {
		t.Fatalf("tally after vote = %d, before %d", second.LatestTally.Yes, first.LatestTally.Yes)
	}
	// The reward status moves with time alone; the cache must follow.
	if pi := info(t, g, alice, t0.Add(5*day), id); pi.RewardStatus != RewardStatusReadyToSettle {
		t.Fatalf("reward status after the deadline = %d", pi.RewardStatus)
	}
}

func TestUnimplementedMethods(t *testing.T) {
	g := newGov(t, Config{}, vpNeuron(1, alice, 10))
	for _, m := range []string{"claim_gtc_neurons", "get_full_neuron_by_id_or_subaccount", "list_known_neurons", "no_such_method"} {
		if _, ok := g.Method(m); ok {
			t.Errorf("Method(%q) reports an export", m)
		}
		_, rej := g.Execute(replica.Call{Method: m, Arg: emptyArgs, Caller: alice, Now: t0})
		if rej == nil || rej.Code != 3 || rej.ErrorCode != "IC0536" {
			t.Errorf("Execute(%q) reject = %+v", m, rej)
		}
	}
	kinds := map[string]replica.MethodKind{"manage_neuron": replica.Update, "list_proposals": replica.Query, "get_proposal_info": replica.Query}
	for m, want := range kinds {
		if got, ok := g.Method(m); !ok || got != want {
			t.Errorf("Method(%q) = %v, %v; want %v", m, got, ok, want)
		}
	}
}

func TestMalformedArgumentsTrap(t *testing.T) {
	g := newGov(t, Config{}, vpNeuron(1, alice, 10))
	for _, tt := range []struct{ method, arg string }{
		{"manage_neuron", "not candid"},
		{"list_proposals", "DIDL\x00\x01\x71\x03abc"},
		{"get_proposal_info", "DIDL\x00\x00"},
	} {
		_, rej := g.Execute(replica.Call{Method: tt.method, Arg: []byte(tt.arg), Caller: alice, Now: t0, Replicated: true})
		if rej == nil || rej.Code != 5 || rej.ErrorCode != "IC0503" {
			t.Errorf("%s with a bad argument: reject %+v", tt.method, rej)
		}
	}
}

func TestNeuronQueries(t *testing.T) {
	n1 := vpNeuron(1, alice, 0)
	n1.HotKeys = []principal.Principal{carol}
	n1.Age = 365 * day
	n1.KnownName = "Alice's neuron"
	n1.Followees = map[int32][]uint64{TopicUnspecified: {2}, TopicGovernance: {2, 3}}
	g := newGov(t, Config{}, n1, vpNeuron(2, bob, 5), vpNeuron(3, bob, 7))
	var res govdid.Result5
	decode(t, execute(t, g, "get_neuron_info", bob, genesis, uint64(1)), &res)
	// 100 ICP, a 365-day delay (+365/(8*365.25)), 365 days of age
	// (+0.25*365/(4*365.25)), each step rounded down.
	if res.Ok == nil || res.Ok.VotingPower != 11_951_734_721 || res.Ok.StakeE8s != 100*e8s || res.Ok.AgeSeconds != uint64(365*day/time.Second) ||
		res.Ok.KnownNeuronData == nil || res.Ok.KnownNeuronData.Name != "Alice's neuron" {
		t.Fatalf("get_neuron_info(1) = %+v", res.Ok)
	}
	decode(t, execute(t, g, "get_neuron_info", bob, genesis, uint64(9)), &res)
	if res.Err == nil || res.Err.ErrorType != ErrorNotFound {
		t.Fatalf("get_neuron_info(9) = %+v", res)
	}
	tests := []struct {
		name      string
		caller    principal.Principal
		req       govdid.ListNeurons
		wantInfos []uint64
		wantFull  []uint64
	}{
		{"caller's neurons", bob, govdid.ListNeurons{IncludeNeuronsReadableByCaller: true}, []uint64{2, 3}, []uint64{2, 3}},
		{"hot key reads the full neuron", carol, govdid.ListNeurons{IncludeNeuronsReadableByCaller: true}, []uint64{1}, []uint64{1}},
		{"by id, not readable", carol, govdid.ListNeurons{NeuronIds: []uint64{2, 9}}, []uint64{2}, nil},
		{"public neurons in full", bob, govdid.ListNeurons{NeuronIds: []uint64{1}, IncludePublicNeuronsInFullNeurons: ptr(true)}, []uint64{1}, []uint64{1}},
		{"paging", bob, govdid.ListNeurons{NeuronIds: []uint64{1, 2, 3}, PageSize: ptr(uint64(2)), PageNumber: ptr(uint64(1))}, []uint64{3}, []uint64{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp govdid.ListNeuronsResponse
			decode(t, execute(t, g, "list_neurons", tt.caller, genesis, tt.req), &resp)
			var infos, full []uint64
			for _, ni := range resp.NeuronInfos {
				infos = append(infos, ni.Field0)
			}
			for _, n := range resp.FullNeurons {
				full = append(full, n.Id.Id)
			}
			if !equalIDs(infos, tt.wantInfos) || !equalIDs(full, tt.wantFull) {
				t.Fatalf("infos %v full %v, want %v %v", infos, full, tt.wantInfos, tt.wantFull)
			}
		})
	}
	var resp govdid.ListNeuronsResponse
	decode(t, execute(t, g, "list_neurons", alice, genesis, govdid.ListNeurons{IncludeNeuronsReadableByCaller: true}), &resp)
	fn := resp.FullNeurons[0]
	if len(fn.Followees) != 2 || fn.Followees[0].Field0 != 0 || fn.Followees[1].Field0 != 4 || len(fn.Followees[1].Field1.Followees) != 2 ||
		len(fn.HotKeys) != 1 || *fn.DissolveState.DissolveDelaySeconds != uint64(365*day/time.Second) {
		t.Fatalf("full neuron = %+v", fn)
	}
}

func TestNetworkEconomicsAndMetadata(t *testing.T) {
	g := newGov(t, Config{RejectCostE8s: 10 * e8s, MinDissolveDelayToVote: 14 * day, BuildMetadata: "model v1"})
	var ne govdid.NetworkEconomics
	decode(t, execute(t, g, "get_network_economics_parameters", alice, t0, nil), &ne)
	if ne.RejectCostE8s != 10*e8s || *ne.VotingPowerEconomics.NeuronMinimumDissolveDelayToVoteSeconds != uint64(14*day/time.Second) {
		t.Fatalf("economics = %+v", ne)
	}
	var meta string
	decode(t, execute(t, g, "get_build_metadata", alice, t0, nil), &meta)
	if meta != "model v1" {
		t.Fatalf("metadata = %q", meta)
	}
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// equalIDs compares id lists, treating nil and empty alike.
func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
