package governance

import (
	"context"
	"fmt"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"google.golang.org/protobuf/proto"
)

// maxRegistryRounds bounds get_changes_since paging.
const maxRegistryRounds = 10_000

// Registry reads the whole registry (every key's latest value) with
// get_changes_since and decodes the records nnspatch uses.
func (c *Client) Registry(ctx context.Context) (*Registry, error) {
	values, version, err := c.registryValues(ctx)
	if err != nil {
		return nil, err
	}
	return DecodeRegistry(values, version)
}

func (c *Client) registryValues(ctx context.Context) (map[string][]byte, uint64, error) {
	values := map[string][]byte{}
	versions := map[string]uint64{}
	var since uint64
	for range maxRegistryRounds {
		resp, err := c.ChangesSince(ctx, since)
		if err != nil {
			return nil, 0, err
		}
		seen := since
		for _, d := range resp.Deltas {
			for _, v := range d.Values {
				seen = max(seen, v.Version)
				if v.Version < versions[string(d.Key)] {
					continue
				}
				versions[string(d.Key)] = v.Version
				if v.DeletionMarker {
					delete(values, string(d.Key))
				} else {
					values[string(d.Key)] = v.Value
				}
			}
		}
		if seen >= resp.Version || seen == since {
			return values, resp.Version, nil
		}
		since = seen
	}
	return nil, 0, fmt.Errorf("read registry: still behind after %d rounds", maxRegistryRounds)
}

// ChangesSince answers the registry's get_changes_since: the deltas of
// every key changed after registry version since, as far as one reply
// goes, and the registry's latest version. The reply's node signatures are
// verified against the network's root key like every other client read; a
// registry error is a RejectedError. Page by calling again from the
// highest version seen until it reaches the reply's Version.
func (c *Client) ChangesSince(ctx context.Context, since uint64) (*v1.RegistryGetChangesSinceResponse, error) {
	arg, err := proto.Marshal(&v1.RegistryGetChangesSinceRequest{Version: since})
	if err != nil {
		return nil, fmt.Errorf("encode get_changes_since: %w", err)
	}
	raw, err := c.t.query(ctx, RegistryCanister, "get_changes_since", arg)
	if err != nil {
		return nil, fmt.Errorf("read registry changes since %d: %w", since, err)
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
