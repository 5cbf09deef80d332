package rollback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"

	agent "github.com/aviate-labs/agent-go"
	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/nnspatch/nnspatch/governance"
)

// AgentChanges reads get_changes_since through an agent-go agent, which
// verifies the node signatures of every query reply.
type AgentChanges struct {
	a *agent.Agent
}

// DialChanges connects to n's registry. A network that fetches its root
// key asks /api/v2/status; one with an explicit root key also fetches it
// and refuses the network when the two differ (agent-go cannot take an
// explicit key); mainnet uses agent-go's built-in key.
func DialChanges(n governance.Network) (*AgentChanges, error) {
	u, err := url.Parse(n.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: parse URL of network %s: %w", governance.ErrNetwork, n.Name, err)
	}
	fetch := n.FetchRootKey || (len(n.RootKey) > 0 && !n.IsMainnet())
	a, err := agent.New(agent.Config{
		Identity:     new(identity.AnonymousIdentity),
		ClientConfig: []agent.ClientOption{agent.WithHostURL(u)},
		FetchRootKey: fetch,
	})
	if err != nil {
		return nil, &governance.UnreachableError{Network: n.Name, URL: n.URL, Err: err}
	}
	if fetch && len(n.RootKey) > 0 && !bytes.Equal(a.GetRootKey(), n.RootKey) {
		return nil, &governance.UntrustedError{Network: n.Name, Err: errors.New("the network's root key differs from the configured one")}
	}
	return &AgentChanges{a: a}, nil
}

// ChangesSince implements ChangesSource.
func (c *AgentChanges) ChangesSince(ctx context.Context, since uint64) (*v1.RegistryGetChangesSinceResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var resp v1.RegistryGetChangesSinceResponse
	if err := c.a.QueryProto(governance.RegistryCanister, "get_changes_since", &v1.RegistryGetChangesSinceRequest{Version: since}, &resp); err != nil {
		return nil, fmt.Errorf("query get_changes_since from %d: %w", since, err)
	}
	return &resp, nil
}
