package governance

import (
	"context"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
)

// TestSignedProposalRunsOnceAcrossRestart sends a signed MakeProposal,
// restarts the local network on the same state, and sends the same signed
// file again: the replica's ingress history survives the restart (as a
// replica's does within the ingress expiry), so the second send answers
// the first proposal's id and governance has one proposal, not two.
func TestSignedProposalRunsOnceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := testCtx(t)
	first, c := startOn(t, dir)
	text := "send me once, even across a restart"
	m, err := SignManageNeuron(c.Identity, c.Network, MakeProposalCommand(devNeuron, motionRequest(text)), time.Now().Add(4*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Decode()
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.SendSigned(ctx, sc, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := proposalIDOf(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	_, c2 := startOn(t, dir)
	res, err = c2.SendSigned(ctx, sc, time.Now())
	if err != nil {
		t.Fatalf("resend after restart: %v", err)
	}
	if again, err := proposalIDOf(res); err != nil || again != id {
		t.Fatalf("resend after restart answered proposal %d (%v), want the first one, %d", again, err, id)
	}
	ps, err := c2.ListProposals(ctx, ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, p := range ps {
		if p.Action.Kind == "Motion" && p.Action.MotionText == text {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d proposals with the motion after a resend across a restart, want 1", count)
	}
}

// startOn starts a local network on the state directory dir and connects
// to it as the developer; the test's cleanup closes it unless the test did.
func startOn(t *testing.T, dir string) (*localnet.Network, *Client) {
	t.Helper()
	cfg := localnet.Config{StateDir: dir, Listen: "127.0.0.1:0"}
	n, err := localnet.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	id, err := LoadIdentity(n.DeveloperIdentityPath(), IdentityEnv{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(testCtx(t), Network{Name: "local", URL: n.URL(), FetchRootKey: true}, id, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return n, c
}
