package rollback

import (
	"github.com/nnspatch/nnspatch/governance"
)

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
