package regmodel

import (
	"fmt"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/encoding/protowire"
)

// getValue answers get_value: the value of a key at a version (latest when
// the version is unset or 0), or an error KEY_NOT_PRESENT. The response is
// HighCapacityRegistryGetValueResponse, wire compatible with agent-go's
// RegistryGetValueResponse {error=1, version=2, value=3}, plus
// timestamp_nanoseconds=5 of the batch that wrote the value.
func (r *Registry) getValue(c replica.Call) ([]byte, *replica.Reject) {
	req := &v1.RegistryGetValueRequest{}
	if err := unmarshal(c.Arg, req); err != nil {
		return nil, canisterTrap(fmt.Sprintf("%sFailed to decode RegistryGetValueRequest: %v", logPrefix, err))
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	latest := r.st.latest()
	version := latest
	if req.Version != nil && req.Version.Value != 0 {
		version = req.Version.Value
	}
	key := string(req.Key)
	if version > latest {
		return mustMarshal(&v1.RegistryGetValueResponse{Error: &v1.RegistryError{
			Code:   v1.RegistryError_VERSION_BEYOND_LATEST,
			Reason: fmt.Sprintf("Version %d is beyond the latest version %d", version, latest),
			Key:    req.Key,
		}}), nil
	}
	val, at, ok := r.st.get(key, version)
	if !ok {
		return mustMarshal(&v1.RegistryGetValueResponse{Error: &v1.RegistryError{
			Code:   v1.RegistryError_KEY_NOT_PRESENT,
			Reason: "Key not present.",
			Key:    req.Key,
		}}), nil
	}
	out := mustMarshal(&v1.RegistryGetValueResponse{Version: at, Value: val})
	if ts := nanos(r.st.log[at-1].at); ts != 0 {
		out = protowire.AppendTag(out, 5, protowire.VarintType)
		out = protowire.AppendVarint(out, ts)
	}
	return out, nil
}

// getLatestVersion answers get_latest_version.
func (r *Registry) getLatestVersion(replica.Call) ([]byte, *replica.Reject) {
	return mustMarshal(&v1.RegistryGetLatestVersionResponse{Version: r.Version()}), nil
}

// getChangesSince answers get_changes_since: for every key changed after the
// requested version, its values newest first, covering at most PageSize
// versions. The response's version is the latest registry version, so a
// client pages by asking again from the highest version it received.
func (r *Registry) getChangesSince(c replica.Call) ([]byte, *replica.Reject) {
	req := &v1.RegistryGetChangesSinceRequest{}
	if err := unmarshal(c.Arg, req); err != nil {
		return nil, canisterTrap(fmt.Sprintf("%sFailed to decode RegistryGetChangesSinceRequest: %v", logPrefix, err))
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	since := req.Version
	upTo := min(r.st.latest(), since+uint64(r.pageSize))
	resp := &registrypb.HighCapacityRegistryGetChangesSinceResponse{Version: r.st.latest()}
	for _, key := range r.st.sortedKeys() {
		if d := r.delta(key, since, upTo); d != nil {
			resp.Deltas = append(resp.Deltas, d)
		}
	}
	return mustMarshal(resp), nil
}

// delta returns the values of key written in (since, upTo], newest first,
// each with the time of the batch that wrote it.
func (r *Registry) delta(key string, since, upTo uint64) *registrypb.HighCapacityRegistryDelta {
	es := r.st.keys[key]
	var vals []*registrypb.HighCapacityRegistryValue
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		if e.version > upTo {
			continue
		}
		if e.version <= since {
			break
		}
		v := &registrypb.HighCapacityRegistryValue{Version: e.version, TimestampNanoseconds: nanos(r.st.log[e.version-1].at)}
		if e.deleted {
			v.Content = &registrypb.HighCapacityRegistryValue_DeletionMarker{DeletionMarker: true}
		} else {
			v.Content = &registrypb.HighCapacityRegistryValue_Value{Value: e.value}
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return nil
	}
	return &registrypb.HighCapacityRegistryDelta{Key: []byte(key), Values: vals}
}

// getCertifiedChangesSince answers get_certified_changes_since: a witness of
// the certified tree revealing current_version and the deltas of versions
// since+1 .. since+PageSize, with the data certificate of the registry's
// certified data.
func (r *Registry) getCertifiedChangesSince(c replica.Call) ([]byte, *replica.Reject) {
	req := &v1.RegistryGetChangesSinceRequest{}
	if err := unmarshal(c.Arg, req); err != nil {
		return nil, canisterTrap(fmt.Sprintf("%sFailed to decode RegistryGetChangesSinceRequest: %v", logPrefix, err))
	}
	return r.certified(c, req.Version+1, req.Version+uint64(r.pageSize))
}

// getCertifiedLatestVersion answers get_certified_latest_version: a witness
// revealing only current_version.
func (r *Registry) getCertifiedLatestVersion(c replica.Call) ([]byte, *replica.Reject) {
	return r.certified(c, 1, 0)
}

// certified builds a CertifiedResponse revealing the deltas in [from, to].
func (r *Registry) certified(c replica.Call, from, to uint64) ([]byte, *replica.Reject) {
	r.mu.RLock()
	tree := r.st.tree.witness(r.st.log, from, to)
	root := r.root
	source := r.certSource
	r.mu.RUnlock()
	resp := &v1.CertifiedResponse{HashTree: tree}
	if source != nil && !c.Replicated {
		cert, err := source(root[:])
		if err != nil {
			return nil, canisterTrap(fmt.Sprintf("%sFailed to obtain the data certificate: %v", logPrefix, err))
		}
		resp.Certificate = cert
	}
	return mustMarshal(resp), nil
}
