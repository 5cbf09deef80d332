package rollout

import (
	"path/filepath"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

// DisclosureView is what a release ledger says about the disclosure of a
// security patch's source; the zero value says nothing.
type DisclosureView struct {
	// Due is the end of the quiet period: the source must be disclosed by
	// then (nil until the rollout finished).
	Due *time.Time
	// Disclosed is the recorded disclosure (nil until then).
	Disclosed *Disclosure
}

// DisclosureOf reads the ledger of the release p elects, kept under
// releasesDir (releases_dir): the disclosure deadline once every subnet
// runs the version, and the disclosure once it was recorded. A proposal
// that elects no GuestOS version, or whose release has no readable ledger
// there, gets the zero view.
func DisclosureOf(releasesDir string, p governance.Proposal) DisclosureView {
	l, ok := ElectionLedger(releasesDir, p)
	if !ok {
		return DisclosureView{}
	}
	var v DisclosureView
	if !l.QuietPeriod.Start.IsZero() {
		due := l.QuietPeriod.End()
		v.Due = &due
	}
	v.Disclosed = l.Disclosure
	return v
}

// ElectionLedger reads the ledger of the GuestOS version p elects from
// releasesDir/<version>; ok is false when p elects no version or the
// ledger is missing, unreadable or of another version.
func ElectionLedger(releasesDir string, p governance.Proposal) (*Ledger, bool) {
	if releasesDir == "" || p.Action.Kind != "ExecuteNnsFunction" {
		return nil, false
	}
	a, err := proposals.DecodePayload(p.Action.NNSFunction, p.Action.Payload)
	elect, ok := a.(proposals.ReviseElectedGuestosVersions)
	if err != nil || !ok || elect.ReplicaVersionToElect == nil {
		return nil, false
	}
	version := *elect.ReplicaVersionToElect
	if version == "" || filepath.Base(version) != version {
		return nil, false // not a directory name: never a path outside releasesDir
	}
	l, err := Store{Dir: filepath.Join(releasesDir, version)}.Read()
	if err != nil || l.Version != version {
		return nil, false
	}
	return l, true
}
