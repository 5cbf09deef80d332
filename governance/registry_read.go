package governance

import (
	"context"
	"errors"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/nnspatch/nnspatch/governance/registrystore"
)

// maxRegistryRounds bounds registry paging.
const maxRegistryRounds = 10_000

// Registry returns the registry's latest records, decoded, from the synced
// registry store: it syncs the versions the store lacks, then decodes the
// store's latest-value snapshot without loading the changelog.
func (c *Client) Registry(ctx context.Context) (*Registry, error) {
	c.reg.mu.Lock()
	defer c.reg.mu.Unlock()
	reg, err := c.registryLocked(ctx)
	if errors.Is(err, registrystore.ErrCorrupt) {
		// A snapshot that passed its checksum but does not decode: start
		// over from version 0, as for any other damage.
		if err = c.reg.store.Reset(); err != nil {
			return nil, err
		}
		c.reg.log = nil
		reg, err = c.registryLocked(ctx)
	}
	return reg, err
}

// registryLocked is Registry with c.reg.mu held. The registry rarely moved
// since the last command: it reads what the store holds (the decoded
// registry saved beside the snapshot, or else the snapshot decoded) while
// the certified sync asks the network, and keeps that when the sync brings
// no new version (nothing is returned before the sync verified that the
// store is current). A registry it had to decode is saved for the next
// command.
func (c *Client) registryLocked(ctx context.Context) (*Registry, error) {
	st, _, err := c.openStore()
	if err != nil {
		return nil, err
	}
	held := st.Version()
	early := make(chan heldRegistry, 1)
	if held > 0 {
		go func(cur *registrystore.Store) { early <- readHeldRegistry(cur, held) }(st) // st is reopened below
	}
	if _, err := c.syncLocked(ctx, nil); err != nil {
		return nil, err
	}
	if st, _, err = c.openStore(); err != nil {
		return nil, err
	}
	if held > 0 {
		if d := <-early; st.Version() == held {
			if d.err == nil && !d.cached {
				cacheRegistry(st, d.reg)
			}
			return d.reg, d.err
		}
	}
	values, err := st.Values()
	if err != nil {
		return nil, err
	}
	reg, err := DecodeRegistry(values, st.Version())
	if err == nil {
		cacheRegistry(st, reg)
	}
	return reg, err
}

// heldRegistry is the registry a store held before a sync, and whether it
// came from the saved decoded registry.
type heldRegistry struct {
	reg    *Registry
	cached bool
	err    error
}

// readHeldRegistry reads the registry st holds at version held: the saved
// decoded registry when it matches the snapshot, else the snapshot decoded.
func readHeldRegistry(st *registrystore.Store, held uint64) heldRegistry {
	if r, ok := cachedRegistry(st, held); ok {
		return heldRegistry{reg: r, cached: true}
	}
	values, err := st.Values()
	if err != nil {
		return heldRegistry{err: err}
	}
	r, err := DecodeRegistry(values, held)
	return heldRegistry{reg: r, err: err}
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
