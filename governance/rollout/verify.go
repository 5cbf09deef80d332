package rollout

import (
	"errors"
	"fmt"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

// ErrNotElection reports a proposal that elects no release package.
var ErrNotElection = errors.New("not an IC OS election proposal")

// ElectedPackage is the release package an election proposal names.
type ElectedPackage struct {
	// Action is the payload's action name, e.g. "ReviseElectedGuestosVersions".
	Action string `json:"action"`
	// OS is "GuestOS" or "HostOS".
	OS string `json:"os"`
	// Version is the elected version.
	Version string `json:"version"`
	// SHA256 is release_package_sha256_hex.
	SHA256 string `json:"release_package_sha256_hex"`
	// URLs are the release package URLs.
	URLs []string `json:"release_package_urls"`
}

// PackageOf returns the release package an election proposal elects, for
// every shape the NNS has used: ReviseElectedGuestosVersions (and its
// 2023–2024 UpdateElectedReplicaVersions form), BlessReplicaVersion,
// ReviseElectedHostosVersions and UpdateElectedHostosVersions.
func PackageOf(p *governance.Proposal) (ElectedPackage, error) {
	if p.Action.Kind != "ExecuteNnsFunction" {
		return ElectedPackage{}, fmt.Errorf("proposal %d: %w: its action is %s", p.ID, ErrNotElection, p.Action.Kind)
	}
	a, err := proposals.DecodePayload(p.Action.NNSFunction, p.Action.Payload)
	if err != nil {
		return ElectedPackage{}, fmt.Errorf("proposal %d: %w: %w", p.ID, ErrNotElection, err)
	}
	ep := ElectedPackage{Action: a.ActionName(), OS: "GuestOS"}
	switch a := a.(type) {
	case proposals.ReviseElectedGuestosVersions:
		ep.Version, ep.SHA256, ep.URLs = deref(a.ReplicaVersionToElect), deref(a.ReleasePackageSHA256Hex), a.ReleasePackageURLs
	case proposals.UpdateElectedReplicaVersions:
		ep.Version, ep.SHA256, ep.URLs = deref(a.ReplicaVersionToElect), deref(a.ReleasePackageSHA256Hex), a.ReleasePackageURLs
	case proposals.BlessReplicaVersion:
		ep.Version, ep.SHA256, ep.URLs = a.ReplicaVersionID, a.ReleasePackageSHA256Hex, []string{a.ReleasePackageURL}
		if a.ReleasePackageURLs != nil {
			ep.URLs = *a.ReleasePackageURLs
		}
	case proposals.ReviseElectedHostosVersions:
		ep.OS, ep.Version, ep.SHA256, ep.URLs = "HostOS", deref(a.HostosVersionToElect), deref(a.ReleasePackageSHA256Hex), a.ReleasePackageURLs
	case proposals.UpdateElectedHostosVersions:
		ep.OS, ep.Version, ep.SHA256, ep.URLs = "HostOS", deref(a.HostosVersionToElect), deref(a.ReleasePackageSHA256Hex), a.ReleasePackageURLs
	default:
		return ElectedPackage{}, fmt.Errorf("proposal %d: %w: it is %s", p.ID, ErrNotElection, a.ActionName())
	}
	if ep.SHA256 == "" {
		return ElectedPackage{}, fmt.Errorf("proposal %d: %w: it only unelects versions", p.ID, ErrNotElection)
	}
	return ep, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
