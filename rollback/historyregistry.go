package rollback

import (
	"context"

	"github.com/nnspatch/nnspatch/governance"
)

// DialChanges opens a new governance.Client to n as a ChangesSource.
//
// Deprecated: pass the governance.Client already open to ReadHistory
// (*governance.Client is a ChangesSource, its replies verified like every
// other read) and take the registry from History.Registry; a second
// connection only adds a root-key fetch and a second registry read.
func DialChanges(n governance.Network) (ChangesSource, error) {
	c, err := governance.New(context.Background(), n, nil, governance.Options{})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Registry decodes the registry as of the history's latest version: each
// key's last value, deleted keys left out. It is the snapshot
// governance.Client.Registry returns, without paging the history again.
func (h *History) Registry() (*governance.Registry, error) {
	values := make(map[string][]byte, len(h.Keys))
	for k, cs := range h.Keys {
		if n := len(cs); n > 0 && !cs[n-1].Deleted {
			values[k] = cs[n-1].Value
		}
	}
	return governance.DecodeRegistry(values, h.Latest)
}
