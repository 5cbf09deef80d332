package timeline

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// Registry keys and prefixes the timeline reads (domain.md §9.1).
const (
	keySubnetList       = "subnet_list"
	keyBlessedVersions  = "blessed_replica_versions"
	keyUnassignedConfig = "unassigned_nodes_config"
	prefixSubnet        = "subnet_record_"
	prefixAPIBoundary   = "api_boundary_node_"
)

// Kind is the kind of a GuestOS target.
type Kind string

// The kinds of GuestOS targets.
const (
	KindSubnet      Kind = "subnet"
	KindUnassigned  Kind = "unassigned"
	KindAPIBoundary Kind = "api_boundary_node"
)

// TargetID names one GuestOS target; ID is empty for the unassigned nodes.
type TargetID struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id,omitempty"`
}

// String renders the target for messages, e.g. "subnet tdb26-…" or
// "unassigned nodes".
func (t TargetID) String() string {
	if t.Kind == KindUnassigned {
		return "unassigned nodes"
	}
	return string(t.Kind) + " " + t.ID
}

// Run is one switch of a target to a version.
type Run struct {
	// Version is the GuestOS version the target switched to.
	Version string `json:"version"`
	// RegistryVersion is the registry version that recorded the switch.
	RegistryVersion uint64 `json:"registry_version"`
	// Time is when the registry wrote it; zero when unknown.
	Time time.Time `json:"time"`
}

// Target is one GuestOS target and every version it switched to, oldest
// first. Consecutive runs always differ in version.
type Target struct {
	TargetID
	Runs []Run `json:"runs"`
	// Since is the registry version at which the target appeared.
	Since uint64 `json:"since"`
	// Gone is the registry version that removed it; 0 while it exists.
	Gone uint64 `json:"gone,omitempty"`
}

// VersionAt returns the version the target ran at registry version rv, and
// whether the target existed then.
func (t Target) VersionAt(rv uint64) (string, bool) {
	if rv < t.Since || t.Gone != 0 && rv >= t.Gone {
		return "", false
	}
	v := ""
	for _, r := range t.Runs {
		if r.RegistryVersion > rv {
			break
		}
		v = r.Version
	}
	return v, v != ""
}

// Election is the election history of one GuestOS version.
type Election struct {
	Version string `json:"version"`
	// ElectedAt is the registry version that first blessed it.
	ElectedAt uint64 `json:"elected_at"`
	// ElectedTime is when that registry version was written.
	ElectedTime time.Time `json:"elected_time"`
	// UnelectedAt is the registry version that last removed it from the
	// blessed list; 0 while it is elected.
	UnelectedAt uint64 `json:"unelected_at,omitempty"`
}

// Timeline is what every GuestOS target ran, derived from a registry log.
type Timeline struct {
	// Latest is the registry version the timeline reaches.
	Latest uint64 `json:"latest"`
	// Targets are the subnets (by id), then the unassigned nodes, then the
	// API boundary nodes (by id).
	Targets []Target `json:"targets"`
	// Elections maps every version ever elected to its history.
	Elections map[string]Election `json:"elections"`
}

// Build derives the timeline from a registry log. A record that fails to
// decode is an error naming its key and registry version.
func Build(log *governance.RegistryLog) (*Timeline, error) {
	t := &Timeline{Latest: log.Latest(), Elections: map[string]Election{}}
	if err := t.readElections(log); err != nil {
		return nil, err
	}
	subnets, err := keyTargets(log, prefixSubnet, KindSubnet, func(b []byte) (string, error) {
		var rec registrypb.SubnetRecord
		err := proto.Unmarshal(b, &rec)
		return rec.GetReplicaVersionId(), err
	})
	if err != nil {
		return nil, err
	}
	t.Targets = append(t.Targets, subnets...)
	unassigned, err := keyTarget(log, keyUnassignedConfig, TargetID{Kind: KindUnassigned}, func(b []byte) (string, error) {
		var rec registrypb.UnassignedNodesConfigRecord
		err := proto.Unmarshal(b, &rec)
		return rec.GetReplicaVersion(), err
	})
	if err != nil {
		return nil, err
	}
	if len(unassigned.Runs) > 0 {
		t.Targets = append(t.Targets, unassigned)
	}
	bns, err := keyTargets(log, prefixAPIBoundary, KindAPIBoundary, func(b []byte) (string, error) {
		var rec registrypb.ApiBoundaryNodeRecord
		err := proto.Unmarshal(b, &rec)
		return rec.GetVersion(), err
	})
	if err != nil {
		return nil, err
	}
	t.Targets = append(t.Targets, bns...)
	return t, nil
}

func (t *Timeline) readElections(log *governance.RegistryLog) error {
	prev := map[string]bool{}
	for _, c := range log.History(keyBlessedVersions) {
		var rec registrypb.BlessedReplicaVersions
		if !c.Deleted {
			if err := proto.Unmarshal(c.Value, &rec); err != nil {
				return fmt.Errorf("decode registry record %s at version %d: %w", keyBlessedVersions, c.Version, err)
			}
		}
		now := map[string]bool{}
		for _, id := range rec.GetBlessedVersionIds() {
			now[id] = true
			e, seen := t.Elections[id]
			if !seen {
				e = Election{Version: id, ElectedAt: c.Version, ElectedTime: c.Time}
			}
			e.UnelectedAt = 0
			t.Elections[id] = e
		}
		for id := range prev {
			if !now[id] {
				e := t.Elections[id]
				e.UnelectedAt = c.Version
				t.Elections[id] = e
			}
		}
		prev = now
	}
	return nil
}

// keyTargets builds one target per registry key with the prefix.
func keyTargets(log *governance.RegistryLog, prefix string, kind Kind, version func([]byte) (string, error)) ([]Target, error) {
	var out []Target
	for _, key := range log.Keys(prefix) {
		tg, err := keyTarget(log, key, TargetID{Kind: kind, ID: strings.TrimPrefix(key, prefix)}, version)
		if err != nil {
			return nil, err
		}
		if len(tg.Runs) > 0 {
			out = append(out, tg)
		}
	}
	return out, nil
}

// keyTarget folds one key's history into the runs of one target. A key
// deleted and written again keeps its runs; Gone tells the last deletion.
func keyTarget(log *governance.RegistryLog, key string, id TargetID, version func([]byte) (string, error)) (Target, error) {
	tg := Target{TargetID: id}
	for _, c := range log.History(key) {
		if c.Deleted {
			tg.Gone = c.Version
			continue
		}
		v, err := version(c.Value)
		if err != nil {
			return Target{}, fmt.Errorf("decode registry record %s at version %d: %w", key, c.Version, err)
		}
		if len(tg.Runs) == 0 || tg.Gone != 0 {
			tg.Since, tg.Gone = c.Version, 0
		}
		if v == "" || len(tg.Runs) > 0 && tg.Runs[len(tg.Runs)-1].Version == v {
			continue
		}
		tg.Runs = append(tg.Runs, Run{Version: v, RegistryVersion: c.Version, Time: c.Time})
	}
	return tg, nil
}

// Target returns the target with the id.
func (t *Timeline) Target(id TargetID) (Target, bool) {
	i := slices.IndexFunc(t.Targets, func(tg Target) bool { return tg.TargetID == id })
	if i < 0 {
		return Target{}, false
	}
	return t.Targets[i], true
}

// Current returns the targets that exist at the latest registry version.
func (t *Timeline) Current() []Target {
	var out []Target
	for _, tg := range t.Targets {
		if tg.Gone == 0 {
			out = append(out, tg)
		}
	}
	return out
}

// Elected reports whether the version is elected at the latest registry
// version.
func (t *Timeline) Elected(version string) bool {
	e, ok := t.Elections[version]
	return ok && e.UnelectedAt == 0
}

// Compare orders two versions by election: -1 when a was elected before b,
// +1 after, 0 when they are the same version. ok is false when either was
// never seen elected, so the order is unknown.
func (t *Timeline) Compare(a, b string) (cmp int, ok bool) {
	if a == b {
		return 0, true
	}
	ea, okA := t.Elections[a]
	eb, okB := t.Elections[b]
	if !okA || !okB {
		return 0, false
	}
	switch {
	case ea.ElectedAt < eb.ElectedAt:
		return -1, true
	case ea.ElectedAt > eb.ElectedAt:
		return 1, true
	}
	// Elected by the same registry version: order by the blessed list is
	// lost, fall back to id order so the result is at least stable.
	return strings.Compare(a, b), true
}

// Newer reports whether a is known to be newer than b.
func (t *Timeline) Newer(a, b string) bool {
	c, ok := t.Compare(a, b)
	return ok && c > 0
}
