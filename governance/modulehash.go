package governance

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
)

// ModuleHash returns the SHA-256 of the wasm module installed in canister,
// in lowercase hex, as the certified state records it
// (read_state /canister/<id>/module_hash, verified against the root key);
// "" when the canister has no module installed.
func (c *Client) ModuleHash(ctx context.Context, canister principal.Principal) (string, error) {
	path := []hashtree.Label{hashtree.Label("canister"), canister.Raw, hashtree.Label("module_hash")}
	s, err := c.at.sign(agent.Request{Type: agent.RequestTypeReadState, Paths: [][]hashtree.Label{path}})
	if err != nil {
		return "", err
	}
	cert, err := c.at.readState(ctx, canister, s.envelope)
	if err != nil {
		return "", fmt.Errorf("read the module hash of canister %s: %w", canister, err)
	}
	raw, err := cert.Tree.Lookup(path...)
	var absent hashtree.LookupError
	if errors.As(err, &absent) && absent.Type == hashtree.LookupResultAbsent {
		return "", nil
	}
	if err != nil {
		return "", c.at.untrusted(fmt.Errorf("certificate of canister %s: %w", canister, err))
	}
	return hex.EncodeToString(raw), nil
}
