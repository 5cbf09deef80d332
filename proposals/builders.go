package proposals

import (
	"github.com/aviate-labs/agent-go/principal"
)

// ElectOptions describe a GuestOS or HostOS election (and/or retirement).
type ElectOptions struct {
	Texts
	// Mode is regular or security; empty means regular.
	Mode Mode
	// Version is the commit to elect; empty to only unelect.
	Version string
	// SHA256 is the release package (update-img.tar.zst) SHA-256.
	SHA256 string
	// PackageURLs are the download mirrors; empty means DefaultPackageURLs.
	PackageURLs []string
	// Unelect lists versions to unelect.
	Unelect []string
	// Measurements are the expected SEV launch measurements (GuestOS only).
	Measurements *GuestLaunchMeasurements
	// MeasurementsWaiver is the reason to elect a GuestOS without
	// measurements; Validate refuses a missing set without one.
	MeasurementsWaiver string
	// ReleaseTag names the release (regular mode), e.g.
	// release-2026-07-23_04-21-base.
	ReleaseTag string
	// ReleaseNotes is the markdown body of the regular-mode summary.
	ReleaseNotes string
}

// NewElectGuestOS drafts a ReviseElectedGuestosVersions proposal with the
// default (or overridden) title and summary for its mode.
func NewElectGuestOS(o ElectOptions) (Draft, error) {
	d := newDraft(KindElectGuestOS, o.Mode)
	a := ReviseElectedGuestosVersions{ReplicaVersionsToUnelect: nonNil(o.Unelect)}
	if o.Version != "" {
		a.ReplicaVersionToElect, a.ReleasePackageSHA256Hex = strPtr(o.Version), strPtr(o.SHA256)
		a.ReleasePackageURLs = packageURLs(o.PackageURLs, "guest-os", o.Version)
		a.GuestLaunchMeasurements = o.Measurements
	}
	a.ReleasePackageURLs = nonNil(a.ReleasePackageURLs)
	d.ElectGuestOS, d.LaunchMeasurementsWaiver = &a, o.MeasurementsWaiver
	return d, renderElect(&d, o, "GuestOS", a.ReleasePackageURLs)
}

// NewElectHostOS drafts a ReviseElectedHostosVersions proposal.
func NewElectHostOS(o ElectOptions) (Draft, error) {
	d := newDraft(KindElectHostOS, o.Mode)
	a := ReviseElectedHostosVersions{HostosVersionsToUnelect: nonNil(o.Unelect)}
	if o.Version != "" {
		a.HostosVersionToElect, a.ReleasePackageSHA256Hex = strPtr(o.Version), strPtr(o.SHA256)
		a.ReleasePackageURLs = packageURLs(o.PackageURLs, "host-os", o.Version)
	}
	a.ReleasePackageURLs = nonNil(a.ReleasePackageURLs)
	d.ElectHostOS = &a
	return d, renderElect(&d, o, "HostOS", a.ReleasePackageURLs)
}

func renderElect(d *Draft, o ElectOptions, os string, urls []string) error {
	data := TemplateData{
		OS: os, Version: o.Version, Short: short(o.Version), Revision: revision(o.Version), SHA256: o.SHA256, URLs: urls,
		Unelect: o.Unelect, ReleaseTag: o.ReleaseTag, ReleaseNotes: o.ReleaseNotes,
		ReproFlag: "--" + map[string]string{"GuestOS": "guestos", "HostOS": "hostos"}[os],
	}
	for _, v := range o.Unelect {
		data.UnelectShort = append(data.UnelectShort, short(v))
	}
	if o.Measurements != nil {
		data.Measurements = len(o.Measurements.GuestLaunchMeasurements)
	}
	if d.Mode == ModeSecurity {
		return o.render(d, TplSecurityElectTitle, TplSecurityElectSummary, data)
	}
	return o.render(d, TplElectTitle, TplElectSummary, data)
}

// DeployOptions describe a GuestOS deployment to one subnet.
type DeployOptions struct {
	Texts
	Mode     Mode
	SubnetID principal.Principal
	Version  string
}

// NewDeployGuestOS drafts a DeployGuestosToAllSubnetNodes proposal.
func NewDeployGuestOS(o DeployOptions) (Draft, error) {
	d := newDraft(KindDeployGuestOS, o.Mode)
	d.DeployGuestOS = &DeployGuestosToAllSubnetNodes{SubnetID: o.SubnetID, ReplicaVersionID: o.Version}
	data := TemplateData{OS: "GuestOS", Version: o.Version, Short: short(o.Version), SubnetID: o.SubnetID.String()}
	return d, o.render(&d, TplDeployTitle, TplDeploySummary, data)
}

// UnassignedOptions describe a GuestOS deployment to the unassigned nodes.
type UnassignedOptions struct {
	Texts
	Mode    Mode
	Version string
}

// NewDeployUnassigned drafts a DeployGuestosToAllUnassignedNodes proposal.
func NewDeployUnassigned(o UnassignedOptions) (Draft, error) {
	d := newDraft(KindDeployUnassigned, o.Mode)
	d.DeployUnassigned = &DeployGuestosToAllUnassignedNodes{ElectedReplicaVersion: o.Version}
	data := TemplateData{OS: "GuestOS", Version: o.Version, Short: short(o.Version)}
	return d, o.render(&d, TplUnassignedTitle, TplUnassignedSummary, data)
}

// APIBoundaryNodesOptions describe a GuestOS deployment to some API boundary
// nodes.
type APIBoundaryNodesOptions struct {
	Texts
	Mode    Mode
	Version string
	NodeIDs []principal.Principal
}

// NewDeployAPIBoundaryNodes drafts a DeployGuestosToSomeApiBoundaryNodes
// proposal (NNS function 47).
func NewDeployAPIBoundaryNodes(o APIBoundaryNodesOptions) (Draft, error) {
	d := newDraft(KindDeployAPIBoundaryNodes, o.Mode)
	d.DeployAPIBoundaryNodes = &DeployGuestosToSomeAPIBoundaryNodes{Version: o.Version, NodeIDs: append([]principal.Principal{}, o.NodeIDs...)}
	data := TemplateData{OS: "GuestOS", Version: o.Version, Short: short(o.Version), NodeCount: len(o.NodeIDs)}
	for _, n := range o.NodeIDs {
		data.NodeIDs = append(data.NodeIDs, n.String())
	}
	return d, o.render(&d, TplAPIBoundaryTitle, TplAPIBoundarySummary, data)
}

// DeployHostOSOptions describe a HostOS deployment to some nodes.
type DeployHostOSOptions struct {
	Texts
	Mode    Mode
	Version string
	NodeIDs []principal.Principal
}

// NewDeployHostOS drafts a DeployHostosToSomeNodes proposal.
func NewDeployHostOS(o DeployHostOSOptions) (Draft, error) {
	d := newDraft(KindDeployHostOS, o.Mode)
	d.DeployHostOS = &DeployHostosToSomeNodes{HostosVersionID: strPtr(o.Version), NodeIDs: append([]principal.Principal{}, o.NodeIDs...)}
	data := TemplateData{OS: "HostOS", Version: o.Version, Short: short(o.Version), NodeCount: len(o.NodeIDs)}
	for _, n := range o.NodeIDs {
		data.NodeIDs = append(data.NodeIDs, n.String())
	}
	return d, o.render(&d, TplDeployHostOSTitle, TplDeployHostOSSummary, data)
}

// UpgradeCanisterOptions describe an NNS canister upgrade.
type UpgradeCanisterOptions struct {
	Texts
	Mode Mode
	// Code is the InstallCode action; its Wasm should be loaded so the hash
	// shown matches the module (WasmSHA256 is filled from it when empty).
	Code InstallCode
	// ReleaseNotes is the markdown body of the regular-mode summary.
	ReleaseNotes string
}

// NewUpgradeCanister drafts an InstallCode proposal. In security mode the
// summary carries the Security Patch Policy text and the wasm hash is the
// checksum the community verifies once the source is out.
func NewUpgradeCanister(o UpgradeCanisterOptions) (Draft, error) {
	d := newDraft(KindUpgradeCanister, o.Mode)
	code := o.Code
	if code.InstallMode == InstallModeUnspecified {
		code.InstallMode = InstallModeUpgrade
	}
	if code.WasmSHA256 == "" {
		code.WasmSHA256 = code.WasmHash()
	}
	d.UpgradeCanister = &code
	data := TemplateData{
		CanisterID: code.CanisterID, CanisterName: CanisterName(code.CanisterID),
		InstallMode: code.InstallMode.String(), WasmSHA256: code.WasmSHA256,
		WasmShort: shortN(code.WasmSHA256, 16), ArgSHA256: code.ArgHash(), ReleaseNotes: o.ReleaseNotes,
	}
	if d.Mode == ModeSecurity {
		return d, o.render(&d, TplSecurityCanisterTitle, TplSecurityCanisterSummary, data)
	}
	return d, o.render(&d, TplUpgradeCanisterTitle, TplUpgradeCanisterSummary, data)
}

// NewMotion drafts a motion; title and summary come from the texts as given.
func NewMotion(text string, x Texts) Draft {
	d := newDraft(KindMotion, ModeRegular)
	d.Motion = &Motion{MotionText: text}
	d.Title, d.Summary, d.URL = x.Title, x.Summary, x.ForumURL
	return d
}

// CanisterName returns the well-known name of an NNS canister id (e.g.
// "registry"), or the id itself.
func CanisterName(id string) string {
	switch id {
	case RegistryCanisterID:
		return "registry"
	case GovernanceCanisterID:
		return "governance"
	case LedgerCanisterID:
		return "ledger"
	case RootCanisterID:
		return "root"
	case LifelineCanisterID:
		return "lifeline"
	case SnsWasmCanisterID:
		return "sns-wasm"
	}
	return id
}

func newDraft(k Kind, m Mode) Draft {
	d := DefaultDraft()
	d.Kind = k
	if m != "" {
		d.Mode = m
	}
	return d
}

func packageURLs(given []string, os, commit string) []string {
	if len(given) > 0 {
		return append([]string(nil), given...)
	}
	return DefaultPackageURLs(os, commit)
}

func strPtr(s string) *string { return &s }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

func shortN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
