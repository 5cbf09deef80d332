package proposals

// Template names. Every title and summary nnspatch writes comes from one of
// these text/template texts; Templates overrides any of them.
const (
	TplElectTitle              = "elect.title"
	TplElectSummary            = "elect.summary"
	TplSecurityElectTitle      = "security.elect.title"
	TplSecurityElectSummary    = "security.elect.summary"
	TplDeployTitle             = "deploy.title"
	TplDeploySummary           = "deploy.summary"
	TplUnassignedTitle         = "unassigned.title"
	TplUnassignedSummary       = "unassigned.summary"
	TplAPIBoundaryTitle        = "deploy-api-boundary-nodes.title"
	TplAPIBoundarySummary      = "deploy-api-boundary-nodes.summary"
	TplDeployHostOSTitle       = "deploy-hostos.title"
	TplDeployHostOSSummary     = "deploy-hostos.summary"
	TplUpgradeCanisterTitle    = "upgrade-canister.title"
	TplUpgradeCanisterSummary  = "upgrade-canister.summary"
	TplSecurityCanisterTitle   = "security.upgrade-canister.title"
	TplSecurityCanisterSummary = "security.upgrade-canister.summary"
	TplSecurityPolicy          = "security.policy"
)

// The policy paragraph is shared by every security-mode summary. It restates
// the Security Patch Policy facts (proposal 48792) in nnspatch's own words.
const tplSecurityPolicy = `This is a security patch, proposed under the Security Patch Policy and Procedure that the NNS adopted with proposal [{{.PolicyProposal}}](https://dashboard.internetcomputer.org/proposal/{{.PolicyProposal}}). As that policy provides, this proposal does not describe the change, and the source code behind it is not public yet.

The source will be published no later than {{.DisclosureDays}} days after {{if .CanisterID}}the patched module has been installed in the {{.CanisterName}} canister{{else if eq .OS "HostOS"}}the patched release has been rolled out to every node{{else}}the patched release has been rolled out to every subnet{{end}}. From that point on, anyone can rebuild it and confirm after the fact that the binaries adopted here are exactly the ones built from that source.`

const tplElectTitle = `{{if .Version}}Elect new IC/{{.OS}} revision (commit {{.Revision}}){{if .Unelect}}, and retire old version(s) {{join .UnelectShort ", "}}{{end}}{{else}}Retire IC/{{.OS}} version(s) {{join .UnelectShort ", "}}{{end}}`

const tplElectSummary = `{{if .Version}}# Elect {{.OS}} version {{.Version}}
{{if .ReleaseTag}}
Release: [{{.ReleaseTag}}](https://github.com/dfinity/ic/tree/{{.ReleaseTag}}) (` + "`{{.Version}}`" + `)
{{end}}
{{if .ReleaseNotes}}{{.ReleaseNotes}}{{else}}The release notes are in the forum post linked from this proposal.{{end}}
{{template "release" .}}{{template "retire" .}}
## Verification

Anyone can check that the release package was built from the published source. On an x86-64 Linux machine with podman, run:

` + "```" + `
curl -fsSL https://raw.githubusercontent.com/dfinity/ic/{{.Version}}/ci/scripts/repro-check | python3 - -c {{.Version}} {{.ReproFlag}}
` + "```" + `

The script prints two SHA-256 sums: one of the image downloaded from the CDN and one of the image it built from source. They must be equal to each other and to ` + "`release_package_sha256_hex`" + ` in this proposal's payload.
{{else}}# Retire {{.OS}} versions
{{template "retire" .}}
Removing versions nobody runs any more keeps nodes from ever being pointed back at an old, unpatched release.
{{end}}`

// DFINITY titles security elections like regular ones (domain.md Addendum).
const tplSecurityElectTitle = tplElectTitle

const tplSecurityElectSummary = `# Security patch update

{{if .Version}}This proposal elects {{.OS}} version ` + "`{{.Version}}`" + `.{{else}}This proposal retires {{.OS}} versions.{{end}}

{{template "policy" .}}
{{template "release" .}}{{template "retire" .}}{{if .Version}}
## Verification

_These steps become available once the source has been released._

1. Fetch the source of version ` + "`{{.Version}}`" + ` from the public dfinity/ic repository.
2. From that checkout, run ` + "`python3 ci/scripts/repro-check -c {{.Version}} {{.ReproFlag}}`" + `.
3. The SHA-256 of the image downloaded from the CDN and of the image built from source must be equal to each other and to ` + "`release_package_sha256_hex`" + ` in this proposal's payload.
{{end}}`

const tplRelease = `{{define "release"}}{{if .Version}}
## Release package

- SHA-256: ` + "`{{.SHA256}}`" + `
{{range .URLs}}- {{.}}
{{end}}{{if .Measurements}}- Launch measurements: {{.Measurements}}
{{end}}{{end}}{{end}}{{define "retire"}}{{if .Unelect}}
## Versions to retire

{{range .Unelect}}- ` + "`{{.}}`" + `
{{end}}{{end}}{{end}}`

const tplDeployTitle = `Update subnet {{.SubnetID}} to GuestOS version {{.Version}}`

const tplDeploySummary = `Update subnet ` + "`{{.SubnetID}}`" + ` to GuestOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}).

The version is elected; the subnet switches to it at its next regular catch-up package.`

const tplUnassignedTitle = `Update all unassigned nodes`

const tplUnassignedSummary = `Move every unassigned node to GuestOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}), the version the subnets already run.`

const tplAPIBoundaryTitle = `Update {{.NodeCount}} API boundary node(s) to GuestOS version {{.Short}}`

const tplAPIBoundarySummary = `Update these {{.NodeCount}} API boundary node(s) to GuestOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}):

{{range .NodeIDs}}- ` + "`{{.}}`" + `
{{end}}
The version is elected; each node upgrades itself when it sees the new version in the registry.`

const tplDeployHostOSTitle = `Set HostOS version {{.Short}} on {{.NodeCount}} node(s)`

const tplDeployHostOSSummary = `Deploy HostOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}) to these {{.NodeCount}} node(s):

{{range .NodeIDs}}- ` + "`{{.}}`" + `
{{end}}`

const tplUpgradeCanisterTitle = `Upgrade NNS canister {{.CanisterName}} to wasm with SHA-256 {{.WasmShort}}`

const tplUpgradeCanisterSummary = `# Upgrade NNS canister {{.CanisterName}}

{{if .ReleaseNotes}}{{.ReleaseNotes}}

{{end}}- Canister: ` + "`{{.CanisterID}}`" + `
- Install mode: {{.InstallMode}}
- Wasm module SHA-256: ` + "`{{.WasmSHA256}}`" + `
- Argument SHA-256: ` + "`{{.ArgSHA256}}`" + `

To verify, rebuild the canister from the published source and compare the SHA-256 of the wasm module with the one above.`

const tplSecurityCanisterTitle = `Security patch update: upgrade NNS canister {{.CanisterName}}`

const tplSecurityCanisterSummary = `# Security patch update of NNS canister {{.CanisterName}}

{{template "policy" .}}

- Canister: ` + "`{{.CanisterID}}`" + `
- Install mode: {{.InstallMode}}
- Wasm module SHA-256: ` + "`{{.WasmSHA256}}`" + `
- Argument SHA-256: ` + "`{{.ArgSHA256}}`" + `

## Verification

_These steps become available once the source has been released._

Rebuild the canister from the released source and check that the SHA-256 of the wasm module equals ` + "`{{.WasmSHA256}}`" + ` above; that hash is the checksum this proposal commits to.`

// defaultTemplateTexts maps every template name to its built-in text.
var defaultTemplateTexts = map[string]string{
	TplElectTitle:              tplElectTitle,
	TplElectSummary:            tplElectSummary,
	TplSecurityElectTitle:      tplSecurityElectTitle,
	TplSecurityElectSummary:    tplSecurityElectSummary,
	TplDeployTitle:             tplDeployTitle,
	TplDeploySummary:           tplDeploySummary,
	TplUnassignedTitle:         tplUnassignedTitle,
	TplUnassignedSummary:       tplUnassignedSummary,
	TplAPIBoundaryTitle:        tplAPIBoundaryTitle,
	TplAPIBoundarySummary:      tplAPIBoundarySummary,
	TplDeployHostOSTitle:       tplDeployHostOSTitle,
	TplDeployHostOSSummary:     tplDeployHostOSSummary,
	TplUpgradeCanisterTitle:    tplUpgradeCanisterTitle,
	TplUpgradeCanisterSummary:  tplUpgradeCanisterSummary,
	TplSecurityCanisterTitle:   tplSecurityCanisterTitle,
	TplSecurityCanisterSummary: tplSecurityCanisterSummary,
	TplSecurityPolicy:          tplSecurityPolicy,
}
