package governance

import (
	"context"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
)

// maxRegistryRounds bounds registry paging.
const maxRegistryRounds = 10_000

// Registry returns the registry's latest records, decoded, from the synced
// registry store: it syncs the versions the store lacks, then decodes the
// store's latest-value snapshot without loading the changelog.
func (c *Client) Registry(ctx context.Context) (*Registry, error) {
	values, version, err := c.syncedValues(ctx)
	if err != nil {
		return nil, err
	}
	return DecodeRegistry(values, version)
}

// ChangesSince answers the registry's get_changes_since from the synced
// registry store: the deltas of every key changed after registry version
// since, at most 1000 versions per answer, and the registry's latest
// version. Reading from since 0 (or past what the store holds) syncs the
// store first, with certified reads. Page by calling again from the highest
// version seen until it reaches the reply's Version.
func (c *Client) ChangesSince(ctx context.Context, since uint64) (*v1.RegistryGetChangesSinceResponse, error) {
	return c.changesSinceLocal(ctx, since)
}
