package governance

import (
	"context"
	"fmt"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"google.golang.org/protobuf/proto"
)

// maxRegistryRounds bounds get_changes_since paging.
const maxRegistryRounds = 10_000

// Registry reads the registry's latest records and decodes the ones
// nnspatch uses.
func (c *Client) Registry(ctx context.Context) (*Registry, error) {
	log, err := c.RegistryLog(ctx)
	if err != nil {
		return nil, err
	}
	return log.Registry()
}

// ChangesSince answers the registry's get_changes_since: the deltas of
// every key changed after registry version since, as far as one reply
// goes, and the registry's latest version. The reply's node signatures are
// verified against the network's root key like every other client read; a
// registry error is a RejectedError. Page by calling again from the
// highest version seen until it reaches the reply's Version.
func (c *Client) ChangesSince(ctx context.Context, since uint64) (*v1.RegistryGetChangesSinceResponse, error) {
	raw, err := c.changesSinceRaw(ctx, since)
	if err != nil {
		return nil, err
	}
	var resp v1.RegistryGetChangesSinceResponse
	if err := proto.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("decode get_changes_since reply: %w", err)
	}
	if resp.Error != nil {
		return nil, &RejectedError{Message: Sanitize(resp.Error.Reason)}
	}
	return &resp, nil
}

// changesSinceRaw queries get_changes_since and returns the verified reply.
func (c *Client) changesSinceRaw(ctx context.Context, since uint64) ([]byte, error) {
	arg, err := proto.Marshal(&v1.RegistryGetChangesSinceRequest{Version: since})
	if err != nil {
		return nil, fmt.Errorf("encode get_changes_since: %w", err)
	}
	raw, err := c.t.query(ctx, RegistryCanister, "get_changes_since", arg)
	if err != nil {
		return nil, fmt.Errorf("read registry changes since %d: %w", since, err)
	}
	return raw, nil
}
