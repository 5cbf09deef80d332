package governance

import (
	"context"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/proposals"
)

// devNeuron is the seed's neuron controlled by the developer identity;
// IC OS proposals it makes are adopted at once through following.
const devNeuron = 80

// startLocal starts a local network and connects a Client to it as the
// developer identity, with the root key fetched like `--network local`.
func startLocal(t testing.TB, opts ...localnettest.Option) (*localnet.Network, *Client) {
	t.Helper()
	net := localnettest.Start(t, opts...)
	id, err := LoadIdentity(net.DeveloperIdentityPath(), IdentityEnv{})
	if err != nil {
		t.Fatalf("load developer identity: %v", err)
	}
	c, err := New(testCtx(t), Network{Name: "local", URL: net.URL(), FetchRootKey: true}, id, Options{})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return net, c
}

// testCtx is a context that ends with the test (or after a minute).
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// electRequest builds a ReviseElectedGuestosVersions proposal electing
// version and unelecting unelect.
func electRequest(t *testing.T, version string, unelect ...string) govdid.MakeProposalRequest {
	t.Helper()
	sum := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	payload, err := proposals.EncodePayload(proposals.ReviseElectedGuestosVersions{
		ReleasePackageURLs:       []string{"https://download.dfinity.systems/ic/" + version + "/guest-os/update-img/update-img.tar.zst"},
		ReplicaVersionsToUnelect: append([]string{}, unelect...),
		ReplicaVersionToElect:    &version,
		ReleasePackageSHA256Hex:  &sum,
	})
	if err != nil {
		t.Fatal(err)
	}
	title := "Security patch update"
	return govdid.MakeProposalRequest{
		Title: &title, Summary: "Elect a security patch; the source is withheld until the patch is rolled out.",
		Action: &govdid.ProposalActionRequest{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 38, Payload: payload}},
	}
}

// motionRequest builds a motion proposal; nobody follows the developer on
// the governance topic, so it stays open.
func motionRequest(text string) govdid.MakeProposalRequest {
	title := "Motion: " + text
	return govdid.MakeProposalRequest{Title: &title, Summary: "A motion for testing.",
		Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: text}}}
}

func mustPrincipal(t *testing.T, s string) principal.Principal {
	t.Helper()
	p, err := principal.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
