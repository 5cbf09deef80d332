package proposals

import (
	"fmt"
	"strings"
)

// Kind names what a draft proposes; it picks the typed action a Draft carries.
type Kind string

// The kinds of proposal nnspatch drafts.
const (
	KindElectGuestOS     Kind = "elect-guestos"     // ReviseElectedGuestosVersions (38)
	KindDeployGuestOS    Kind = "deploy-guestos"    // DeployGuestosToAllSubnetNodes (11)
	KindDeployUnassigned Kind = "deploy-unassigned" // DeployGuestosToAllUnassignedNodes (48)
	KindElectHostOS      Kind = "elect-hostos"      // ReviseElectedHostosVersions (50)
	// KindDeployAPIBoundaryNodes is DeployGuestosToSomeApiBoundaryNodes (47).
	KindDeployAPIBoundaryNodes Kind = "deploy-api-boundary-nodes"
	KindDeployHostOS           Kind = "deploy-hostos"    // DeployHostosToSomeNodes (51)
	KindUpgradeCanister        Kind = "upgrade-canister" // the InstallCode action
	KindMotion                 Kind = "motion"           // the Motion action
)

// Kinds returns every Kind in a stable order, for help texts and forms.
func Kinds() []Kind {
	return []Kind{KindElectGuestOS, KindDeployGuestOS, KindDeployUnassigned, KindDeployAPIBoundaryNodes,
		KindElectHostOS, KindDeployHostOS, KindUpgradeCanister, KindMotion}
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds() {
		if k == v {
			return true
		}
	}
	return false
}

// NnsFunction returns the ExecuteNnsFunction id of k, or false for the kinds
// that are proposal actions of their own (upgrade-canister, motion).
func (k Kind) NnsFunction() (NnsFunction, bool) {
	switch k {
	case KindElectGuestOS:
		return FnReviseElectedGuestosVersions, true
	case KindDeployGuestOS:
		return FnDeployGuestosToAllSubnetNodes, true
	case KindDeployUnassigned:
		return FnDeployGuestosToAllUnassignedNodes, true
	case KindDeployAPIBoundaryNodes:
		return FnDeployGuestosToSomeAPIBoundaryNodes, true
	case KindElectHostOS:
		return FnReviseElectedHostosVersions, true
	case KindDeployHostOS:
		return FnDeployHostosToSomeNodes, true
	}
	return 0, false
}

// ParseKind parses a kind name as written in draft files and flags.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if !k.Valid() {
		return "", fmt.Errorf("unknown kind %q: use one of %s", s, joinKinds())
	}
	return k, nil
}

func joinKinds() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// Mode is how a release is proposed: in the open, or as a security patch
// whose source is withheld until after the rollout.
type Mode string

// The proposal modes.
const (
	// ModeRegular publishes the source, release notes and verification steps
	// with the proposal.
	ModeRegular Mode = "regular"
	// ModeSecurity follows the Security Patch Policy (proposal 48792): the
	// source stays private until at the latest 10 days after the fix reached
	// every subnet, and nothing in the proposal may hint at the fix.
	ModeSecurity Mode = "security"
)

// Valid reports whether m is ModeRegular or ModeSecurity.
func (m Mode) Valid() bool { return m == ModeRegular || m == ModeSecurity }

// ParseMode parses a mode name as written in draft files and flags.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToLower(strings.TrimSpace(s)))
	if !m.Valid() {
		return "", fmt.Errorf("unknown mode %q: use regular or security", s)
	}
	return m, nil
}
