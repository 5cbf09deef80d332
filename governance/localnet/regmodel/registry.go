package regmodel

import (
	"errors"
	"fmt"
	"sync"
	"time"

	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
)

// Registry is the registry canister model. It implements replica.Canister and
// replica.CertifiedDataProvider. It is safe for concurrent use: queries take
// a read lock, mutations a write lock.
type Registry struct {
	mu          sync.RWMutex
	st          store
	root        [32]byte
	pageSize    int
	pageBytes   int
	deployments []Deployment
	modules     map[string]Module
	certSource  CertificateFunc
}

// CertificateFunc returns a CBOR certificate, signed by the network, whose
// state tree holds certifiedData at /canister/<registry id>/certified_data.
// The glue wires it to the replica so that get_certified_changes_since can
// answer as ic0.data_certificate_copy lets the real canister answer.
type CertificateFunc func(certifiedData []byte) ([]byte, error)

// New builds a registry whose version 1 is the seed's topology. It fails with
// ErrInvalidSeed when the seed breaks a registry invariant (a subnet, the
// unassigned nodes or an API boundary node on a version that is not elected,
// a node on a HostOS version that is not elected, a malformed hash or URL,
// a duplicate id).
func New(seed Seed) (*Registry, error) {
	muts, err := seed.mutations()
	if err != nil {
		return nil, err
	}
	r := &Registry{st: newStore(orDefault(seed.ChunkAbove, DefaultChunkAbove), orDefault(seed.ChunkSize, DefaultChunkSize)),
		pageSize: orDefault(seed.PageSize, DefaultPageSize), pageBytes: orDefault(seed.PageBytes, DefaultPageBytes),
		modules: map[string]Module{}}
	if t := checkInvariants(newView(&r.st, muts), ErrNotElected); t != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSeed, t.msg)
	}
	r.st.apply(muts, seed.Genesis)
	r.st.applyExtraVersions(extraPool(muts), seed.ExtraVersions, seed.Genesis)
	r.root = r.st.tree.rootHash(r.st.log)
	for _, m := range seed.Canisters {
		r.modules[m.CanisterID.String()] = m
	}
	return r, nil
}

// orDefault returns v, or def when v is not positive.
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// SetCertificateSource installs the function that certifies the registry's
// certified data for get_certified_changes_since. Without one the method
// answers with an empty certificate.
func (r *Registry) SetCertificateSource(fn CertificateFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.certSource = fn
}

// CertifiedData returns the root hash of the registry's certified tree
// (current_version and every delta). It implements
// replica.CertifiedDataProvider.
func (r *Registry) CertifiedData() []byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]byte{}, r.root[:]...)
}

// Version returns the latest registry version.
func (r *Registry) Version() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.st.latest()
}

// commit verifies muts, checks the invariants on the result and applies them
// as the next version. Nothing is written when it returns a trap. An empty
// batch is a no-op that does not bump the version.
func (r *Registry) commit(muts []*v1.RegistryMutation, now time.Time, inUseKind error) (uint64, *trap) {
	if errs := r.st.verify(muts); len(errs) > 0 {
		return 0, trapf(verifyKind(muts, &r.st), "%sTransaction rejected because of the following errors: %s.",
			logPrefix, debugList(errs))
	}
	if t := checkInvariants(newView(&r.st, muts), inUseKind); t != nil {
		return 0, t
	}
	if len(muts) == 0 {
		return r.st.latest(), nil
	}
	v := r.st.apply(muts, now)
	r.root = r.st.tree.rootHash(r.st.log)
	return v, nil
}

// verifyKind classifies a precondition failure: inserting an existing version
// record means it is already elected, deleting a missing one means it is
// unknown.
func verifyKind(muts []*v1.RegistryMutation, s *store) error {
	for _, m := range muts {
		key := string(m.Key)
		isVersion := hasPrefix(key, replicaVersionPrefix) || hasPrefix(key, hostOSVersionPrefix)
		switch {
		case m.MutationType == v1.RegistryMutation_INSERT && s.present(key) && isVersion:
			return ErrAlreadyElected
		case m.MutationType == v1.RegistryMutation_DELETE && !s.present(key) && isVersion:
			return ErrUnknownVersion
		}
	}
	return ErrInvariant
}

func hasPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && s[:len(prefix)] == prefix
}

// execErr turns a trap of function fn into the public error.
func execErr(fn int32, t *trap) error {
	if t == nil {
		return nil
	}
	return &ExecError{Function: fn, Message: t.msg, Kind: t.kind}
}

// errUnknownFunction is the refusal of an NNS function the model does not run.
func errUnknownFunction(fn int32) error {
	return &ExecError{
		Function: fn,
		Message:  fmt.Sprintf("%sNNS function %d is not supported by the local registry model", logPrefix, fn),
		Kind:     ErrUnsupportedFunction,
	}
}

// IsRejected reports whether err is a refusal by the registry.
func IsRejected(err error) bool { return errors.Is(err, ErrRejected) }
