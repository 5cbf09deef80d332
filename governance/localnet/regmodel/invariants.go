package regmodel

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	v1 "github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// The global invariants below are the version-related subset of the
// registry's check_global_state_invariants (dfinity/ic
// rs/registry/canister/src/invariants/{replica_version,hostos_version}.rs).
// The messages are the registry's own assert texts.

// checkInvariants checks the view and returns the registry's trap, if any.
// inUseKind classifies a "version in use is not elected" failure: it is
// ErrVersionInUse when the batch unelects, ErrNotElected when it deploys.
func checkInvariants(v view, inUseKind error) *trap {
	if t := checkGuestOS(v, inUseKind); t != nil {
		return t
	}
	return checkHostOS(v, inUseKind)
}

// checkGuestOS checks the elected GuestOS versions against their users.
func checkGuestOS(v view, inUseKind error) *trap {
	raw, _ := v.get(blessedVersionsKey)
	blessed, err := decodeBlessed(raw)
	if err != nil {
		return trapf(ErrInvariant, "%v", err)
	}
	set := map[string]bool{}
	for _, id := range blessed {
		set[id] = true
	}
	if len(set) != len(blessed) {
		return trapf(ErrInvariant, "A version was blessed multiple times.")
	}
	inUse := guestOSInUse(v)
	for _, id := range inUse {
		if !set[id] {
			return trapf(inUseKind, "Using a version that isn't blessed. Blessed versions: %s, in use: %s.",
				debugSet(blessed), debugSet(inUse))
		}
	}
	for _, id := range sortedSet(blessed) {
		if strings.TrimSpace(id) == "" {
			return trapf(ErrInvariant, "Blessed an empty version ID.")
		}
		if t := checkReplicaVersionRecord(v, id); t != nil {
			return t
		}
	}
	return nil
}

// checkReplicaVersionRecord checks one elected version's record.
func checkReplicaVersionRecord(v view, id string) *trap {
	raw, ok := v.get(replicaVersionKey(id))
	if !ok {
		return trapf(ErrInvariant, "Could not find replica version: %s", id)
	}
	rec, err := decodeReplicaVersion(id, raw)
	if err != nil {
		return trapf(ErrInvariant, "%v", err)
	}
	if t := checkURLsAndHash(rec.URLs, rec.SHA256Hex); t != nil {
		return t
	}
	if rec.Measurements != nil && len(rec.Measurements) == 0 {
		return trapf(ErrInvariant, "guest_launch_measurements must not be an empty vector")
	}
	return nil
}

// guestOSInUse lists the GuestOS versions used by subnets, the unassigned
// nodes and API boundary nodes.
func guestOSInUse(v view) []string {
	var out []string
	for _, sn := range viewSubnets(v) {
		out = append(out, sn.GetReplicaVersionId())
	}
	if raw, ok := v.get(unassignedConfigKey); ok {
		if _, ver, err := decodeUnassigned(raw); err == nil {
			out = append(out, ver)
		}
	}
	for _, k := range v.keysWithPrefix(apiBoundaryNodePrefix) {
		raw, _ := v.get(k)
		if ver, err := decodeAPIBoundaryNode(raw); err == nil {
			out = append(out, ver)
		}
	}
	return sortedSet(out)
}

// viewSubnets returns the records of the subnets in subnet_list.
func viewSubnets(v view) []*v1.SubnetRecord {
	raw, _ := v.get(subnetListKey)
	list := &v1.SubnetListRecord{}
	if proto.Unmarshal(raw, list) != nil {
		return nil
	}
	var out []*v1.SubnetRecord
	for _, id := range list.Subnets {
		rec := &v1.SubnetRecord{}
		raw, ok := v.get(subnetKey(principal.Principal{Raw: id}))
		if ok && proto.Unmarshal(raw, rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// checkHostOS checks that every HostOS version a node refers to, and every
// HostOS record, is well formed and exists.
func checkHostOS(v view, inUseKind error) *trap {
	for _, k := range v.keysWithPrefix(nodeRecordPrefix) {
		raw, _ := v.get(k)
		rec := &v1.NodeRecord{}
		if proto.Unmarshal(raw, rec) != nil || rec.HostosVersionId == nil {
			continue
		}
		if _, ok := v.get(hostOSVersionKey(*rec.HostosVersionId)); !ok {
			return trapf(inUseKind, "Could not find HostOS version: %s", *rec.HostosVersionId)
		}
	}
	for _, k := range v.keysWithPrefix(hostOSVersionPrefix) {
		raw, _ := v.get(k)
		rec, err := decodeHostOSVersion(raw)
		if err != nil {
			return trapf(ErrInvariant, "%v", err)
		}
		if t := checkURLsAndHash(rec.URLs, rec.SHA256Hex); t != nil {
			return t
		}
	}
	return nil
}

// checkURLsAndHash mirrors assert_valid_urls_and_hash with file URLs
// disallowed: a hash and at least one URL are set together, every URL parses
// as an absolute http(s) URL and the hash is 64 hex characters.
func checkURLsAndHash(urls []string, sha string) *trap {
	if (len(urls) == 0) != (sha == "") {
		return trapf(ErrInvariant, "Either both, an url and a hash must be set, or none.")
	}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return trapf(ErrInvariant, "Release package URL %s is not valid", u)
		}
	}
	if sha == "" {
		return nil
	}
	for _, c := range sha {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return trapf(ErrInvariant, "Hash contains at least one invalid character: `%c`", c)
		}
	}
	if len(sha) != 64 {
		return trapf(ErrInvariant, "Hash is %d characters long instead of 64", len(sha))
	}
	return nil
}

// sortedSet returns the distinct items in byte order.
func sortedSet(items []string) []string {
	set := map[string]bool{}
	for _, s := range items {
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// debugSet renders a set of strings as Rust's {:?} renders a BTreeSet<String>.
func debugSet(items []string) string {
	quoted := []string{}
	for _, s := range sortedSet(items) {
		quoted = append(quoted, strconv.Quote(s))
	}
	return fmt.Sprintf("{%s}", strings.Join(quoted, ", "))
}
