package governance

import (
	"errors"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

func TestRegistryMatchesTopology(t *testing.T) {
	net, c := startLocal(t)
	reg, err := c.Registry(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	topo := net.Topology()
	if len(reg.Subnets) != len(topo.Subnets) {
		t.Fatalf("subnets = %d, want %d", len(reg.Subnets), len(topo.Subnets))
	}
	for _, want := range topo.Subnets {
		got, ok := reg.SubnetByID(want.ID)
		if !ok || got.GuestOSVersion != want.Version || len(got.Nodes) != len(want.Nodes) {
			t.Errorf("subnet %s = %+v, want version %s with %d nodes", want.ID, got, want.Version, len(want.Nodes))
		}
	}
	var gotIDs, wantIDs []string
	for _, v := range reg.GuestOS {
		gotIDs = append(gotIDs, v.ID)
	}
	for _, v := range topo.GuestOSVersions {
		wantIDs = append(wantIDs, v.ID)
		got, _ := reg.GuestOSByID(v.ID)
		if got.SHA256 != v.SHA256 || len(got.URLs) != len(v.URLs) {
			t.Errorf("GuestOS %s = %+v, want %+v", v.ID, got, v)
		}
	}
	sort.Strings(gotIDs)
	sort.Strings(wantIDs)
	if len(gotIDs) != len(wantIDs) {
		t.Errorf("elected GuestOS = %v, want %v", gotIDs, wantIDs)
	}
	if reg.UnassignedVersion != topo.UnassignedVersion || len(reg.APIBoundaryNodes) != len(topo.APIBoundaryNodes) {
		t.Errorf("unassigned %q / %d API BNs, want %q / %d", reg.UnassignedVersion, len(reg.APIBoundaryNodes), topo.UnassignedVersion, len(topo.APIBoundaryNodes))
	}
	counts := map[string]int{}
	for _, v := range topo.NodeHostOS {
		counts[v]++
	}
	for _, h := range reg.HostOS {
		if h.Nodes != counts[h.ID] {
			t.Errorf("HostOS %s runs on %d nodes, want %d", h.ID, h.Nodes, counts[h.ID])
		}
	}
}

func TestProposeReadAndList(t *testing.T) {
	for _, async := range []bool{false, true} {
		name := map[bool]string{false: "sync calls", true: "async calls"}[async]
		t.Run(name, func(t *testing.T) {
			var opts []localnettest.Option
			if async {
				opts = append(opts, localnettest.WithAsyncCalls())
			}
			net, c := startLocal(t, opts...)
			ctx := testCtx(t)
			version := "1111111111111111111111111111111111111111"
			req := electRequest(t, version)
			id, err := c.MakeProposal(ctx, devNeuron, req)
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.GetProposal(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != *req.Title || p.Proposer != devNeuron || p.Topic != TopicIcOsVersionElection ||
				p.Action.NNSFunction != 38 || string(p.Action.Payload) != string(req.Action.ExecuteNnsFunction.Payload) {
				t.Errorf("proposal read back = %+v", p)
			}
			if !p.Tally.AbsoluteMajorityYes() || p.Status == StatusOpen {
				t.Errorf("developer vote plus following should adopt at once: status %s, tally %+v", p.Status, p.Tally)
			}
			reg, err := c.Registry(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := reg.GuestOSByID(version); !ok || p.Status != StatusExecuted {
				t.Errorf("status %s; elected %v: the election should have executed", p.Status, ok)
			}
			in, err := c.ListProposals(ctx, ListOptions{Topics: []Topic{TopicIcOsVersionElection}, Limit: 5})
			if err != nil || len(in) == 0 || in[0].ID != id {
				t.Errorf("topic filter: %v, %v", ids(in), err)
			}
			out, err := c.ListProposals(ctx, ListOptions{Topics: []Topic{TopicIcOsVersionDeployment}, All: true})
			if err != nil || contains(ids(out), id) {
				t.Errorf("excluded topic still listed: %v, %v", ids(out), err)
			}
			if _, err := c.GetProposal(ctx, id+1000); !errors.Is(err, ErrProposalNotFound) {
				t.Errorf("missing proposal: err = %v", err)
			}
			_ = net
		})
	}
}

func ids(ps []Proposal) []uint64 {
	var out []uint64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func contains(xs []uint64, x uint64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestVoteManyReportsAlreadyVoted(t *testing.T) {
	_, c := startLocal(t)
	ctx := testCtx(t)
	id, err := c.MakeProposal(ctx, 81, motionRequest("keep calm"))
	if err != nil {
		t.Fatal(err)
	}
	res := c.VoteMany(ctx, []uint64{devNeuron, 81, 27}, id, VoteYes)
	want := []string{"voted", "already voted", "failed"}
	for i, r := range res {
		if r.Outcome != want[i] {
			t.Errorf("neuron %d: %s (%v), want %s", r.Neuron, r.Outcome, r.Err, want[i])
		}
	}
	if !errors.Is(res[2].Err, ErrNeuronNotControlled) {
		t.Errorf("foreign neuron: err = %v, want ErrNeuronNotControlled", res[2].Err)
	}
	p, err := c.GetProposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != StatusOpen || len(p.Ballots) != 2 {
		t.Errorf("motion status %s with ballots %+v", p.Status, p.Ballots)
	}
}

func TestBadRootKeyFailsClosed(t *testing.T) {
	t.Run("sync calls", func(t *testing.T) { testBadRootKey(t) })
	t.Run("async calls", func(t *testing.T) { testBadRootKey(t, localnettest.WithAsyncCalls()) })
}

func testBadRootKey(t *testing.T, opts ...localnettest.Option) {
	net, c := startLocal(t, append(opts, localnettest.WithBadRootKey())...)
	ctx := testCtx(t)
	checks := map[string]func() error{
		"list":     func() error { _, err := c.ListProposals(ctx, ListOptions{Limit: 1}); return err },
		"get":      func() error { _, err := c.GetProposal(ctx, 1); return err },
		"registry": func() error { _, err := c.Registry(ctx); return err },
		"time":     func() error { _, err := c.Time(ctx); return err },
		"changes":  func() error { _, err := c.ChangesSince(ctx, 0); return err },
		"vote":     func() error { return c.Vote(ctx, devNeuron, 1, VoteYes) },
		"propose":  func() error { _, err := c.MakeProposal(ctx, devNeuron, motionRequest("x")); return err },
	}
	for name, f := range checks {
		t.Run(name, func(t *testing.T) {
			err := f()
			var ue *UntrustedError
			if !errors.Is(err, ErrUntrusted) || !errors.As(err, &ue) || ue.Network != "local" {
				t.Fatalf("err = %v, want an UntrustedError for network local", err)
			}
		})
	}
	// The advertised key fails, and so does any other explicit key.
	good, err := New(ctx, Network{Name: "pinned", URL: net.URL(), RootKey: c.RootKey()}, c.Identity, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.GetProposal(ctx, 1); !errors.Is(err, ErrUntrusted) {
		t.Errorf("pinned wrong key: err = %v", err)
	}
}

func TestPinnedRootKeyWorks(t *testing.T) {
	net, c := startLocal(t)
	pinned, err := New(testCtx(t), Network{Name: "pinned", URL: net.URL(), RootKey: net.RootKey()}, c.Identity, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pinned.ListProposals(testCtx(t), ListOptions{Limit: 1}); err != nil {
		t.Errorf("pinned correct key: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = New(testCtx(t), Network{Name: "local", URL: "http://" + addr, FetchRootKey: true}, nil, Options{})
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("fetch root key: err = %v, want ErrUnreachable", err)
	}
	c, err := New(testCtx(t), Network{Name: "pinned", URL: "http://" + addr, RootKey: []byte{1}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetProposal(testCtx(t), 1); !errors.Is(err, ErrUnreachable) {
		t.Errorf("query: err = %v, want ErrUnreachable", err)
	}
}

// TestTimeFollowsTheNetworksClock reads /time after the local network's
// virtual clock moved 8 days ahead: the certified time, not the host's.
func TestTimeFollowsTheNetworksClock(t *testing.T) {
	net, c := startLocal(t)
	if _, err := net.Advance(8 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := c.Time(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if d := net.Now().Sub(got); d < 0 || d > time.Minute {
		t.Errorf("Time = %s, network clock %s", got, net.Now())
	}
	if ahead := time.Until(got); ahead < 8*24*time.Hour-time.Minute {
		t.Errorf("Time is only %s ahead of the host clock", ahead)
	}
}
