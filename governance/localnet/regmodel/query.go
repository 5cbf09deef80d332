package regmodel

import (
	"crypto/sha256"
	"fmt"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
)

// getValue answers get_value with a HighCapacityRegistryGetValueResponse:
// the value of a key at a version (the latest when the version is unset, 0
// or beyond the latest, as the real canister answers), as chunk keys when
// the value is chunked, with timestamp_nanoseconds of the batch that wrote
// it; or an error KEY_NOT_PRESENT.
func (r *Registry) getValue(c replica.Call) ([]byte, *replica.Reject) {
	req := &v1.RegistryGetValueRequest{}
	if err := unmarshal(c.Arg, req); err != nil {
		return nil, canisterTrap(fmt.Sprintf("%sFailed to decode RegistryGetValueRequest: %v", logPrefix, err))
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	version := r.st.latest()
	if v := req.GetVersion().GetValue(); v != 0 && v < version {
		version = v
	}
	e, ok := r.st.entryAt(string(req.Key), version)
	if !ok {
		return mustMarshal(&v1.HighCapacityRegistryGetValueResponse{Error: &v1.RegistryError{
			Code:   v1.RegistryError_KEY_NOT_PRESENT,
			Reason: "Key not present.",
			Key:    req.Key,
		}}), nil
	}
	resp := &v1.HighCapacityRegistryGetValueResponse{Version: e.version, TimestampNanoseconds: nanos(e.at)}
	if e.chunks != nil {
		resp.Content = &v1.HighCapacityRegistryGetValueResponse_LargeValueChunkKeys{
			LargeValueChunkKeys: &v1.LargeValueChunkKeys{ChunkContentSha256S: e.chunks}}
	} else {
		resp.Content = &v1.HighCapacityRegistryGetValueResponse_Value{Value: e.value}
	}
	return mustMarshal(resp), nil
}

// getLatestVersion answers get_latest_version.
func (r *Registry) getLatestVersion(replica.Call) ([]byte, *replica.Reject) {
	return mustMarshal(&v1.RegistryGetLatestVersionResponse{Version: r.Version()}), nil
}

// getChangesSince answers get_changes_since: for every key changed after the
// requested version, its values newest first, covering the versions that
// fit in one page (at most PageSize versions and PageBytes of encoded
// batches, at least one version). The response's version is the latest
// registry version, so a client pages by asking again from the highest
// version it received.
func (r *Registry) getChangesSince(c replica.Call) ([]byte, *replica.Reject) {
	req := &v1.RegistryGetChangesSinceRequest{}
	if err := unmarshal(c.Arg, req); err != nil {
		return nil, canisterTrap(fmt.Sprintf("%sFailed to decode RegistryGetChangesSinceRequest: %v", logPrefix, err))
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	since := req.Version
	upTo := r.pageEnd(since)
	resp := &v1.HighCapacityRegistryGetChangesSinceResponse{Version: r.st.latest()}
	for _, key := range r.st.sortedKeys() {
		if d := r.delta(key, since, upTo); d != nil {
			resp.Deltas = append(resp.Deltas, d)
		}
	}
	return mustMarshal(resp), nil
}

// pageEnd is the last version of the page after since: at most PageSize
// versions whose certified batches together stay within PageBytes, and at
// least one version when any is left.
func (r *Registry) pageEnd(since uint64) uint64 {
	latest := r.st.latest()
	end, size := since, 0
	for end < latest && end-since < uint64(r.pageSize) {
		size += len(r.st.log[end].raw)
		if size > r.pageBytes && end > since {
			break
		}
		end++
	}
	return end
}

// delta returns the values of key written in (since, upTo], newest first,
// each with the time of the batch that wrote it.
func (r *Registry) delta(key string, since, upTo uint64) *v1.HighCapacityRegistryDelta {
	es := r.st.keys[key]
	var vals []*v1.HighCapacityRegistryValue
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		if e.version > upTo {
			continue
		}
		if e.version <= since {
			break
		}
		v := &v1.HighCapacityRegistryValue{Version: e.version, TimestampNanoseconds: nanos(e.at)}
		switch {
		case e.deleted:
			v.Content = &v1.HighCapacityRegistryValue_DeletionMarker{DeletionMarker: true}
		case e.chunks != nil:
			v.Content = &v1.HighCapacityRegistryValue_LargeValueChunkKeys{
				LargeValueChunkKeys: &v1.LargeValueChunkKeys{ChunkContentSha256S: e.chunks}}
		default:
			v.Content = &v1.HighCapacityRegistryValue_Value{Value: e.value}
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return nil
	}
	return &v1.HighCapacityRegistryDelta{Key: []byte(key), Values: vals}
}

// getCertifiedChangesSince answers get_certified_changes_since: a witness of
// the certified tree revealing current_version and the deltas of the page
// after the requested version, with the data certificate of the registry's
// certified data.
func (r *Registry) getCertifiedChangesSince(c replica.Call) ([]byte, *replica.Reject) {
	req := &v1.RegistryGetChangesSinceRequest{}
	if err := unmarshal(c.Arg, req); err != nil {
		return nil, canisterTrap(fmt.Sprintf("%sFailed to decode RegistryGetChangesSinceRequest: %v", logPrefix, err))
	}
	r.mu.RLock()
	end := r.pageEnd(req.Version)
	r.mu.RUnlock()
	return r.certified(c, req.Version+1, end)
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

// getChunkRequest is get_chunk's Candid argument.
type getChunkRequest struct {
	ContentSHA256 *[]byte `ic:"content_sha256,omitempty"`
}

// chunkContent is the Ok payload of get_chunk.
type chunkContent struct {
	Content *[]byte `ic:"content,omitempty"`
}

// getChunkResult is get_chunk's Candid reply,
// variant { Ok : record { content : opt blob }; Err : text }.
type getChunkResult struct {
	Ok  *chunkContent `ic:"Ok,variant"`
	Err *string       `ic:"Err,variant"`
}

// getChunk answers get_chunk: the chunk whose SHA-256 is content_sha256, or
// Err naming what is wrong.
func (r *Registry) getChunk(c replica.Call) ([]byte, *replica.Reject) {
	var req getChunkRequest
	if t := decodePayload(c.Arg, &req); t != nil {
		return nil, canisterTrap(t.msg)
	}
	res := r.chunk(req.ContentSHA256)
	out, err := candid.Marshal([]any{res})
	if err != nil {
		return nil, canisterTrap(fmt.Sprintf("%sFailed to encode the get_chunk reply: %v", logPrefix, err))
	}
	return out, nil
}

// chunk looks a chunk up by its hash.
func (r *Registry) chunk(hash *[]byte) getChunkResult {
	errOf := func(msg string) getChunkResult { return getChunkResult{Err: &msg} }
	if hash == nil {
		return errOf("content_sha256 is required.")
	}
	if len(*hash) != sha256.Size {
		return errOf(fmt.Sprintf("content_sha256 must be %d bytes long, not %d.", sha256.Size, len(*hash)))
	}
	r.mu.RLock()
	content, ok := r.st.chunks[[32]byte(*hash)]
	r.mu.RUnlock()
	if !ok {
		return errOf(fmt.Sprintf("No chunk with SHA-256 %x.", *hash))
	}
	content = append([]byte{}, content...)
	return getChunkResult{Ok: &chunkContent{Content: &content}}
}
