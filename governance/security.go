package governance

import "strings"

// SecurityPatchTitle is a title withheld-source security patch elections
// have carried. DFINITY now titles them like regular elections ("Elect new
// IC/GuestOS revision (commit <7 hex>)", domain.md Addendum), so
// IsSecurityPatch also reads the summary.
const SecurityPatchTitle = "Security patch update"

// IsSecurityPatch reports whether p elects code whose source is withheld:
// its title is "Security patch update", or its summary carries the
// Security Patch Policy text, or it is an IC OS election that links no
// public release notes.
func IsSecurityPatch(p Proposal) bool {
	if strings.HasPrefix(strings.TrimSpace(p.Title), SecurityPatchTitle) {
		return true
	}
	s := strings.ToLower(p.Summary)
	if strings.Contains(s, "security patch policy") || strings.Contains(s, "proposal 48792") {
		return true
	}
	electsIcOS := p.Action.Kind == "ExecuteNnsFunction" && (p.Action.NNSFunction == 38 || p.Action.NNSFunction == 50)
	return electsIcOS && !strings.Contains(s, "release notes") && !strings.Contains(s, "github.com/dfinity/ic")
}
