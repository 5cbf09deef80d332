package localnet_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet"
)

// sharedHTTP keeps connections alive across the many test clients (the
// default transport keeps only two idle connections per host).
var sharedHTTP = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}

// govClient is a governance agent over one identity against a network URL.
type govClient struct {
	*govdid.GovernanceAgent
}

// newGovClient builds an agent-go governance client that fetches the root key.
func newGovClient(tb testing.TB, rawURL string, id identity.Identity) govClient {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := agent.Config{Identity: id, FetchRootKey: true,
		ClientConfig: []agent.ClientOption{agent.WithHostURL(u), agent.WithHttpClient(sharedHTTP)}}
	g, err := govdid.NewGovernanceAgent(localnet.GovernanceID, cfg)
	if err != nil {
		tb.Fatalf("agent: %v", err)
	}
	return govClient{g}
}

// developer loads the developer identity the network wrote.
func developer(tb testing.TB, n *localnet.Network) *identity.Ed25519Identity {
	tb.Helper()
	b, err := os.ReadFile(n.DeveloperIdentityPath())
	if err != nil {
		tb.Fatal(err)
	}
	id, err := identity.NewEd25519IdentityFromPEM(b)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// propose submits a proposal from neuron and returns its id.
func (c govClient) propose(neuron uint64, title string, action govdid.ProposalActionRequest) (uint64, error) {
	resp, err := c.ManageNeuron(govdid.ManageNeuronRequest{
		Id: &govdid.NeuronId{Id: neuron},
		Command: &govdid.ManageNeuronCommandRequest{MakeProposal: &govdid.MakeProposalRequest{
			Title: &title, Summary: "Test proposal from the localnet suite.", Action: &action,
		}},
	})
	if err != nil {
		return 0, err
	}
	return proposalID(resp)
}

func proposalID(resp *govdid.ManageNeuronResponse) (uint64, error) {
	switch {
	case resp.Command == nil:
		return 0, fmt.Errorf("empty manage_neuron response")
	case resp.Command.Error != nil:
		return 0, fmt.Errorf("governance error %d: %s", resp.Command.Error.ErrorType, resp.Command.Error.ErrorMessage)
	case resp.Command.MakeProposal == nil || resp.Command.MakeProposal.ProposalId == nil:
		return 0, fmt.Errorf("unexpected manage_neuron response %+v", resp.Command)
	}
	return resp.Command.MakeProposal.ProposalId.Id, nil
}

// vote registers a ballot of neuron on proposal.
func (c govClient) vote(neuron, proposal uint64, yes bool) error {
	v := int32(2)
	if yes {
		v = 1
	}
	resp, err := c.ManageNeuron(govdid.ManageNeuronRequest{
		Id: &govdid.NeuronId{Id: neuron},
		Command: &govdid.ManageNeuronCommandRequest{RegisterVote: &govdid.RegisterVote{
			Vote: v, Proposal: &govdid.ProposalId{Id: proposal},
		}},
	})
	if err != nil {
		return err
	}
	if resp.Command != nil && resp.Command.Error != nil {
		return fmt.Errorf("governance error %d: %s", resp.Command.Error.ErrorType, resp.Command.Error.ErrorMessage)
	}
	return nil
}

// info fetches a proposal.
func (c govClient) info(tb testing.TB, id uint64) govdid.ProposalInfo {
	tb.Helper()
	p, err := c.GetProposalInfo(id)
	if err != nil {
		tb.Fatalf("get_proposal_info %d: %v", id, err)
	}
	if p == nil || *p == nil {
		tb.Fatalf("proposal %d not found", id)
	}
	return **p
}

// motion is a motion proposal action.
func motion(text string) govdid.ProposalActionRequest {
	return govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: text}}
}

// deployPayload is the registry's DeployGuestosToAllSubnetNodesPayload,
// written here from the registry interface (localnet never imports proposals).
type deployPayload struct {
	SubnetID         principal.Principal `ic:"subnet_id"`
	ReplicaVersionID string              `ic:"replica_version_id"`
}

// deploy is an ExecuteNnsFunction(11) action deploying version to subnet.
func deploy(tb testing.TB, subnet, version string) govdid.ProposalActionRequest {
	tb.Helper()
	payload, err := candid.Marshal([]any{deployPayload{principal.MustDecode(subnet), version}})
	if err != nil {
		tb.Fatal(err)
	}
	return govdid.ProposalActionRequest{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 11, Payload: payload}}
}

// leanVote is a ManageNeuronRequest carrying only RegisterVote. Candid lets a
// sender use such a subtype (fewer variant alternatives, absent opt fields);
// agent-go encodes it far faster than the full generated request type, so
// load tests measure the network instead of the client's type encoding.
type leanVote struct {
	ID      *govdid.NeuronId `ic:"id,omitempty"`
	Command *struct {
		RegisterVote *govdid.RegisterVote `ic:"RegisterVote,variant"`
	} `ic:"command,omitempty"`
}

// leanRegisterVote votes yes through the lean request type.
func (c govClient) leanRegisterVote(neuron, proposal uint64) error {
	req := leanVote{ID: &govdid.NeuronId{Id: neuron}, Command: &struct {
		RegisterVote *govdid.RegisterVote `ic:"RegisterVote,variant"`
	}{RegisterVote: &govdid.RegisterVote{Vote: 1, Proposal: &govdid.ProposalId{Id: proposal}}}}
	var resp govdid.ManageNeuronResponse
	if err := c.Call(localnet.GovernanceID, "manage_neuron", []any{req}, []any{&resp}); err != nil {
		return err
	}
	if resp.Command == nil || resp.Command.RegisterVote == nil {
		if resp.Command != nil && resp.Command.Error != nil {
			return fmt.Errorf("governance error %d: %s", resp.Command.Error.ErrorType, resp.Command.Error.ErrorMessage)
		}
		return fmt.Errorf("unexpected manage_neuron response %+v", resp.Command)
	}
	return nil
}

// electPayload is the registry's ReviseElectedGuestosVersionsPayload
// (measurements left out: the field is optional).
type electPayload struct {
	ReleasePackageURLs       []string `ic:"release_package_urls"`
	ReplicaVersionsToUnelect []string `ic:"replica_versions_to_unelect"`
	ReplicaVersionToElect    *string  `ic:"replica_version_to_elect,omitempty"`
	ReleasePackageSHA256Hex  *string  `ic:"release_package_sha256_hex,omitempty"`
}

// elect is an ExecuteNnsFunction(38) action electing version and
// unelecting the versions in unelect.
func elect(tb testing.TB, version, sha string, unelect ...string) govdid.ProposalActionRequest {
	tb.Helper()
	url := "https://download.dfinity.systems/ic/" + version + "/guest-os/update-img/update-img.tar.zst"
	payload, err := candid.Marshal([]any{electPayload{ReleasePackageURLs: []string{url},
		ReplicaVersionsToUnelect: append([]string{}, unelect...), ReplicaVersionToElect: &version, ReleasePackageSHA256Hex: &sha}})
	if err != nil {
		tb.Fatal(err)
	}
	return govdid.ProposalActionRequest{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 38, Payload: payload}}
}
