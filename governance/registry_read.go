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
// since the last command: it decodes what the store holds while the
// certified sync asks the network, and keeps that when the sync brings no
// new version (nothing is returned before the sync verified that the store
// is current).
func (c *Client) registryLocked(ctx context.Context) (*Registry, error) {
	st, _, err := c.openStore()
	if err != nil {
		return nil, err
	}
	held := st.Version()
	type decoded struct {
		reg *Registry
		err error
	}
	early := make(chan decoded, 1)
	if held > 0 {
		cur := st // st is reopened below while this decodes
		go func() {
			values, err := cur.Values()
			if err != nil {
				early <- decoded{nil, err}
				return
			}
			r, err := DecodeRegistry(values, held)
			early <- decoded{r, err}
		}()
	}
	if _, err := c.syncLocked(ctx, nil); err != nil {
		return nil, err
	}
	if st, _, err = c.openStore(); err != nil {
		return nil, err
	}
	if held > 0 {
		if d := <-early; st.Version() == held {
			return d.reg, d.err
		}
	}
	values, err := st.Values()
	if err != nil {
		return nil, err
	}
	return DecodeRegistry(values, st.Version())
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
