package regmodel

import (
	"time"

	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
)

// reviseHostOS is do_revise_elected_hostos_versions (function 50): delete the
// unelected versions' records and insert the new one in one batch. A version
// still referred to by a node record fails the HostOS invariant, so nothing
// changes.
func (r *Registry) reviseHostOS(payload []byte, now time.Time) *trap {
	var p reviseHostOSPayload
	if t := decodePayload(payload, &p, "release_package_urls", "hostos_versions_to_unelect"); t != nil {
		return t
	}
	electing, t := electParams(p.HostOSVersionToElect, p.ReleasePackageSHA256Hex,
		p.ReleasePackageURLs, len(p.HostOSVersionsToUnelect))
	if t != nil {
		return t
	}
	remove := sortedSet(p.HostOSVersionsToUnelect)
	var muts []*v1.RegistryMutation
	for _, id := range remove {
		muts = append(muts, del(hostOSVersionKey(id)))
	}
	if electing {
		id := *p.HostOSVersionToElect
		if contains(remove, id) {
			return trapf(ErrInvalidPayload, "%sUpdateElectedHostosVersionsPayload cannot elect and unelect the same version.", logPrefix)
		}
		if r.st.present(hostOSVersionKey(id)) {
			return trapf(ErrAlreadyElected, "%sHostOS version: %q already exists", logPrefix, id)
		}
		rec := HostOSVersion{ID: id, SHA256Hex: *p.ReleasePackageSHA256Hex, URLs: p.ReleasePackageURLs}
		muts = append(muts, insert(hostOSVersionKey(id), encodeHostOSVersion(rec)))
	}
	_, t = r.commit(muts, now, ErrVersionInUse)
	return t
}

// deployHostOS is do_deploy_hostos_to_some_nodes (function 51): set (or
// clear) hostos_version_id on each node record. The invariant check refuses a
// version that is not elected.
func (r *Registry) deployHostOS(payload []byte, now time.Time) (*Deployment, *trap) {
	var p deployHostOSPayload
	if t := decodePayload(payload, &p, "node_ids"); t != nil {
		return nil, t
	}
	var muts []*v1.RegistryMutation
	for _, id := range p.NodeIDs {
		raw, ok := r.st.getLatest(nodeKey(id))
		rec := &v1.NodeRecord{}
		if !ok || unmarshal(raw, rec) != nil {
			return nil, trapf(ErrUnknownNode, "%snode record for %s not found in the registry.", logPrefix, id)
		}
		rec.HostosVersionId = p.HostOSVersionID
		muts = append(muts, update(nodeKey(id), mustMarshal(rec)))
	}
	v, t := r.commit(muts, now, ErrNotElected)
	if t != nil {
		return nil, t
	}
	version := ""
	if p.HostOSVersionID != nil {
		version = *p.HostOSVersionID
	}
	return &Deployment{Target: TargetHostOSNodes, NodeIDs: p.NodeIDs, Version: version,
		RegistryVersion: v, At: now}, nil
}
