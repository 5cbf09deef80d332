package rollback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"github.com/nnspatch/nnspatch/proposals"
	"google.golang.org/protobuf/proto"
)

// Registry keys the history reads (domain.md §9.1).
const (
	keyUnassignedConfig = "unassigned_nodes_config"
	prefixSubnet        = "subnet_record_"
	prefixReplica       = "replica_version_"
	prefixAPIBoundary   = "api_boundary_node_"
)

// maxHistoryRounds bounds get_changes_since paging.
const maxHistoryRounds = 100_000

// ErrHistory reports a registry history that cannot be read or decoded.
var ErrHistory = errors.New("registry history unreadable")

// ChangesSource answers the registry's get_changes_since.
type ChangesSource interface {
	// ChangesSince returns the deltas after registry version since.
	ChangesSince(ctx context.Context, since uint64) (*v1.RegistryGetChangesSinceResponse, error)
}

// Change is one mutation of a registry key.
type Change struct {
	// Version is the registry version of the mutation.
	Version uint64
	// Value is the record (protobuf); nil for a deletion.
	Value []byte
	// Deleted reports a deletion.
	Deleted bool
}

// History is every mutation of every registry key, oldest first per key.
type History struct {
	// Latest is the registry version the history reaches.
	Latest uint64
	// Keys maps a registry key to its mutations, oldest first.
	Keys map[string][]Change
}

// VersionChange is a GuestOS version written to a record at a registry
// version.
type VersionChange struct {
	Registry uint64 `json:"registry_version"`
	Version  string `json:"version"`
}

// Release is an elected (or once elected) GuestOS version's record.
type Release struct {
	ID           string                             `json:"id"`
	SHA256       string                             `json:"release_package_sha256_hex"`
	URLs         []string                           `json:"release_package_urls"`
	Measurements *proposals.GuestLaunchMeasurements `json:"guest_launch_measurements,omitempty"`
}

// ReadHistory pages through get_changes_since from version 0 to the latest.
func ReadHistory(ctx context.Context, src ChangesSource) (*History, error) {
	h := &History{Keys: map[string][]Change{}}
	var since uint64
	for range maxHistoryRounds {
		resp, err := src.ChangesSince(ctx, since)
		if err != nil {
			return nil, fmt.Errorf("read registry history: %w", err)
		}
		if resp.Error != nil {
			return nil, fmt.Errorf("%w: get_changes_since: %s", ErrHistory, resp.Error.Reason)
		}
		seen := h.add(resp.Deltas, since)
		h.Latest = resp.Version
		if seen >= resp.Version || seen == since {
			h.sort()
			return h, nil
		}
		since = seen
	}
	return nil, fmt.Errorf("%w: still behind after %d rounds", ErrHistory, maxHistoryRounds)
}

// add merges deltas and returns the highest version seen.
func (h *History) add(deltas []*v1.RegistryDelta, seen uint64) uint64 {
	for _, d := range deltas {
		k := string(d.Key)
		for _, v := range d.Values {
			seen = max(seen, v.Version)
			if slices.ContainsFunc(h.Keys[k], func(c Change) bool { return c.Version == v.Version }) {
				continue
			}
			h.Keys[k] = append(h.Keys[k], Change{Version: v.Version, Value: v.Value, Deleted: v.DeletionMarker})
		}
	}
	return seen
}

func (h *History) sort() {
	for _, cs := range h.Keys {
		slices.SortFunc(cs, func(a, b Change) int { return int64cmp(a.Version, b.Version) })
	}
}

func int64cmp(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SubnetVersions returns the GuestOS versions a subnet's record named, in
// order, one entry per change of version.
func (h *History) SubnetVersions(subnet string) ([]VersionChange, error) {
	return h.versions(prefixSubnet+subnet, func(b []byte) (string, error) {
		var r registrypb.SubnetRecord
		if err := proto.Unmarshal(b, &r); err != nil {
			return "", err
		}
		return r.GetReplicaVersionId(), nil
	})
}

// UnassignedVersions returns the GuestOS versions the unassigned nodes
// were configured for, in order.
func (h *History) UnassignedVersions() ([]VersionChange, error) {
	return h.versions(keyUnassignedConfig, func(b []byte) (string, error) {
		var r registrypb.UnassignedNodesConfigRecord
		err := proto.Unmarshal(b, &r)
		return r.GetReplicaVersion(), err
	})
}

func (h *History) versions(key string, decode func([]byte) (string, error)) ([]VersionChange, error) {
	var out []VersionChange
	for _, c := range h.Keys[key] {
		if c.Deleted {
			continue
		}
		v, err := decode(c.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: decode %s at registry version %d: %v", ErrHistory, key, c.Version, err)
		}
		if n := len(out); n > 0 && out[n-1].Version == v {
			continue
		}
		out = append(out, VersionChange{Registry: c.Version, Version: v})
	}
	return out, nil
}

// APIBoundaryVersions returns the GuestOS versions an API boundary node's
// record named, in order.
func (h *History) APIBoundaryVersions(node string) ([]VersionChange, error) {
	return h.versions(prefixAPIBoundary+node, func(b []byte) (string, error) {
		var r registrypb.ApiBoundaryNodeRecord
		err := proto.Unmarshal(b, &r)
		return r.GetVersion(), err
	})
}

// APIBoundaryIDs returns every API boundary node that ever had a record,
// sorted.
func (h *History) APIBoundaryIDs() []string {
	var out []string
	for k := range h.Keys {
		if id, ok := strings.CutPrefix(k, prefixAPIBoundary); ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Release returns the last value a replica_version_<id> record had, even
// if the record was deleted since (the version was unelected). It reports
// whether the record ever existed.
func (h *History) Release(id string) (Release, bool, error) {
	cs := h.Keys[prefixReplica+id]
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].Deleted {
			continue
		}
		r, err := decodeRelease(cs[i].Value)
		if err != nil {
			return Release{}, false, fmt.Errorf("%w: decode %s%s at registry version %d: %v", ErrHistory, prefixReplica, id, cs[i].Version, err)
		}
		if r.ID == "" {
			r.ID = id
		}
		return r, true, nil
	}
	return Release{}, false, nil
}

// Releases returns every value a replica_version_<id> record had, oldest
// first (an unelected and re-elected version has two or more).
func (h *History) Releases(id string) ([]Release, error) {
	var out []Release
	for _, c := range h.Keys[prefixReplica+id] {
		if c.Deleted {
			continue
		}
		r, err := decodeRelease(c.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: decode %s%s at registry version %d: %v", ErrHistory, prefixReplica, id, c.Version, err)
		}
		if r.ID == "" {
			r.ID = id
		}
		out = append(out, r)
	}
	return out, nil
}

// Unelections returns, for every GuestOS version whose record was deleted,
// the registry versions of the deletions.
func (h *History) Unelections() map[string][]uint64 {
	out := map[string][]uint64{}
	for k, cs := range h.Keys {
		id, ok := strings.CutPrefix(k, prefixReplica)
		if !ok {
			continue
		}
		for _, c := range cs {
			if c.Deleted {
				out[id] = append(out[id], c.Version)
			}
		}
	}
	return out
}

// SubnetIDs returns every subnet that ever had a record, sorted.
func (h *History) SubnetIDs() []string {
	var out []string
	for k := range h.Keys {
		if id, ok := strings.CutPrefix(k, prefixSubnet); ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// VersionAt returns the version a versioned record named at registry
// version r ("" if none yet).
func VersionAt(vs []VersionChange, r uint64) string {
	cur := ""
	for _, v := range vs {
		if v.Registry > r {
			break
		}
		cur = v.Version
	}
	return cur
}

// decodeRelease decodes a ReplicaVersionRecord.
func decodeRelease(b []byte) (Release, error) {
	var rec registrypb.ReplicaVersionRecord
	if err := proto.Unmarshal(b, &rec); err != nil {
		return Release{}, err
	}
	r := Release{ID: rec.GetReplicaVersionId(), SHA256: rec.GetReleasePackageSha256Hex(), URLs: rec.GetReleasePackageUrls()}
	if rec.GuestLaunchMeasurements != nil {
		r.Measurements = measurementsOf(rec.GetGuestLaunchMeasurements())
	}
	return r, nil
}

// measurementsOf converts the registry's launch measurements into the
// payload form a re-election proposal carries.
func measurementsOf(in *registrypb.GuestLaunchMeasurements) *proposals.GuestLaunchMeasurements {
	out := &proposals.GuestLaunchMeasurements{GuestLaunchMeasurements: []proposals.GuestLaunchMeasurement{}}
	for _, m := range in.GetGuestLaunchMeasurements() {
		pm := proposals.GuestLaunchMeasurement{Measurement: append([]byte{}, m.GetMeasurement()...)}
		if md := m.GetMetadata(); md != nil && (md.KernelCmdline != nil || md.VcpuType != nil) {
			pm.Metadata = &proposals.GuestLaunchMeasurementMetadata{KernelCmdline: md.KernelCmdline, VcpuType: md.VcpuType}
		}
		out.GuestLaunchMeasurements = append(out.GuestLaunchMeasurements, pm)
	}
	return out
}
