package regmodel

import (
	"sort"
	"strings"

	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
)

// view is the registry's latest state with a pending batch laid over it: what
// the store would hold if the batch were applied. Invariants are checked on a
// view before anything is written.
type view struct {
	s    *store
	pend map[string]*v1.RegistryMutation
}

// newView lays muts over s.
func newView(s *store, muts []*v1.RegistryMutation) view {
	pend := make(map[string]*v1.RegistryMutation, len(muts))
	for _, m := range muts {
		pend[string(m.Key)] = m
	}
	return view{s: s, pend: pend}
}

// get returns the value key would hold.
func (v view) get(key string) ([]byte, bool) {
	if m, ok := v.pend[key]; ok {
		if m.MutationType == v1.RegistryMutation_DELETE {
			return nil, false
		}
		return m.Value, true
	}
	return v.s.getLatest(key)
}

// keysWithPrefix returns the keys with prefix that would hold a value, in
// byte order.
func (v view) keysWithPrefix(prefix string) []string {
	set := map[string]bool{}
	for _, k := range v.s.keysWithPrefix(prefix) {
		set[k] = true
	}
	for k := range v.pend {
		if strings.HasPrefix(k, prefix) {
			set[k] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		if _, ok := v.get(k); ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
