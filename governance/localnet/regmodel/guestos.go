package regmodel

import (
	"time"

	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
)

// reviseGuestOS is do_revise_elected_guestos_versions (function 38): delete
// the unelected versions' records, refuse if any is still deployed, insert
// the new version's record and rewrite blessed_replica_versions, all in one
// batch.
func (r *Registry) reviseGuestOS(payload []byte, now time.Time) *trap {
	var p reviseGuestOSPayload
	if t := decodePayload(payload, &p, "release_package_urls", "replica_versions_to_unelect"); t != nil {
		return t
	}
	electing, t := electParams(p.ReplicaVersionToElect, p.ReleasePackageSHA256Hex,
		p.ReleasePackageURLs, len(p.ReplicaVersionsToUnelect))
	if t != nil {
		return t
	}
	remove := sortedSet(p.ReplicaVersionsToUnelect)
	var muts []*v1.RegistryMutation
	for _, id := range remove {
		muts = append(muts, del(replicaVersionKey(id)))
	}
	versions, t := r.removeBlessed(remove)
	if t != nil {
		return t
	}
	if electing {
		id := *p.ReplicaVersionToElect
		if contains(remove, id) {
			return trapf(ErrInvalidPayload, "%sReviseElectedGuestosVersionsPayload cannot elect and unelect the same version.", logPrefix)
		}
		versions = append(versions, id)
		rec := GuestOSVersion{
			ID:           id,
			SHA256Hex:    *p.ReleasePackageSHA256Hex,
			URLs:         p.ReleasePackageURLs,
			Measurements: p.GuestLaunchMeasurements.measurements(),
		}
		muts = append(muts, insert(replicaVersionKey(id), encodeReplicaVersion(rec)))
	}
	muts = append(muts, upsert(blessedVersionsKey, encodeBlessed(versions)))
	_, t = r.commit(muts, now, ErrVersionInUse)
	return t
}

// removeBlessed is remove_blessed_versions_or_panic: it returns the blessed
// list without the removed versions, or refuses when a removed version is
// deployed to a subnet or to the unassigned nodes. (API boundary nodes are
// caught by the global invariant check, as in the registry.)
func (r *Registry) removeBlessed(remove []string) ([]string, *trap) {
	before := r.blessed()
	var after []string
	for _, id := range before {
		if !contains(remove, id) {
			after = append(after, id)
		}
	}
	if len(after) == len(before) {
		return after, nil
	}
	var inUse []string
	for _, rec := range viewSubnets(newView(&r.st, nil)) {
		if contains(remove, rec.GetReplicaVersionId()) {
			inUse = append(inUse, rec.GetReplicaVersionId())
		}
	}
	if len(inUse) > 0 {
		return nil, trapf(ErrVersionInUse, "%sCannot retire versions %s, because they are currently deployed to a subnet!",
			logPrefix, debugSet(inUse))
	}
	if v, ok := r.unassignedVersion(); ok && contains(remove, v) {
		return nil, trapf(ErrVersionInUse, "%sCannot retire version %s, because it is currently deployed to unassigned nodes!",
			logPrefix, v)
	}
	return after, nil
}

// deploySubnet is do_deploy_guestos_to_all_subnet_nodes (function 11).
func (r *Registry) deploySubnet(payload []byte, now time.Time) (*Deployment, *trap) {
	var p deploySubnetPayload
	if t := decodePayload(payload, &p, "subnet_id", "replica_version_id"); t != nil {
		return nil, t
	}
	if t := r.requireBlessed(p.ReplicaVersionID); t != nil {
		return nil, t
	}
	rec, ok := r.subnetRecord(p.SubnetID)
	if !ok {
		return nil, trapf(ErrUnknownSubnet, "Error while fetching the subnet record")
	}
	rec.ReplicaVersionId = p.ReplicaVersionID
	v, t := r.commit([]*v1.RegistryMutation{update(subnetKey(p.SubnetID), mustMarshal(rec))}, now, ErrNotElected)
	if t != nil {
		return nil, t
	}
	return &Deployment{Target: TargetSubnet, SubnetID: p.SubnetID, Version: p.ReplicaVersionID,
		RegistryVersion: v, At: now}, nil
}

// deployUnassigned is do_deploy_guestos_to_all_unassigned_nodes (function
// 48), which runs do_update_unassigned_nodes_config with only the version set.
func (r *Registry) deployUnassigned(payload []byte, now time.Time) (*Deployment, *trap) {
	var p deployUnassignedPayload
	if t := decodePayload(payload, &p, "elected_replica_version"); t != nil {
		return nil, t
	}
	if t := r.requireBlessed(p.ElectedReplicaVersion); t != nil {
		return nil, t
	}
	var ssh []string
	if raw, ok := r.st.getLatest(unassignedConfigKey); ok {
		ssh, _, _ = decodeUnassigned(raw)
	}
	mut := upsert(unassignedConfigKey, encodeUnassigned(ssh, p.ElectedReplicaVersion))
	v, t := r.commit([]*v1.RegistryMutation{mut}, now, ErrNotElected)
	if t != nil {
		return nil, t
	}
	return &Deployment{Target: TargetUnassigned, Version: p.ElectedReplicaVersion, RegistryVersion: v, At: now}, nil
}

// deployAPIBoundary is do_deploy_guestos_to_some_api_boundary_nodes
// (function 47).
func (r *Registry) deployAPIBoundary(payload []byte, now time.Time) (*Deployment, *trap) {
	var p deployAPIBoundaryPayload
	if t := decodePayload(payload, &p, "version", "node_ids"); t != nil {
		return nil, t
	}
	for _, id := range p.NodeIDs {
		if !r.st.present(apiBoundaryKey(id)) {
			return nil, trapf(ErrUnknownNode, "record not found")
		}
	}
	if t := r.requireBlessed(p.Version); t != nil {
		return nil, t
	}
	var muts []*v1.RegistryMutation
	for _, id := range p.NodeIDs {
		muts = append(muts, update(apiBoundaryKey(id), encodeAPIBoundaryNode(p.Version)))
	}
	v, t := r.commit(muts, now, ErrNotElected)
	if t != nil {
		return nil, t
	}
	return &Deployment{Target: TargetAPIBoundaryNodes, NodeIDs: p.NodeIDs, Version: p.Version,
		RegistryVersion: v, At: now}, nil
}

// unassignedVersion returns the unassigned nodes' GuestOS version.
func (r *Registry) unassignedVersion() (string, bool) {
	raw, ok := r.st.getLatest(unassignedConfigKey)
	if !ok {
		return "", false
	}
	_, v, err := decodeUnassigned(raw)
	return v, err == nil
}

// contains reports whether s holds x.
func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
