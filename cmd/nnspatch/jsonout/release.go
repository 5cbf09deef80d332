package jsonout

import (
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/rollback"
)

// Release is printed by `release new|log --json`: a release directory and
// its ledger.
type Release struct {
	Envelope
	// Dir is the release directory.
	Dir string `json:"dir"`
	// Ledger is the release's ledger as stored in release.yaml.
	Ledger *rollout.Ledger `json:"release"`
}

// Submitted is printed by `release submit --json` and `rollout advance
// --json`: the proposals submitted and, after an advance, the new status.
type Submitted struct {
	Envelope
	Submitted []rollout.Submitted `json:"submitted"`
	Status    *rollout.Status     `json:"status,omitempty"`
}

// ReleaseDisclosure is printed by `release disclose --json`.
type ReleaseDisclosure struct {
	Envelope
	Disclosure *rollout.Disclosure `json:"disclosure"`
}

// ReleaseAttach is printed by `release attach --json`.
type ReleaseAttach struct {
	Envelope
	// Dir is the release directory attached into.
	Dir    string                `json:"dir"`
	Attach *rollout.AttachResult `json:"attach"`
}

// RolloutPlan is printed by `rollout plan --json`: the plan as saved.
type RolloutPlan struct {
	Envelope
	Plan *rollout.Plan `json:"plan"`
}

// RolloutStatus is printed by `rollout status --json` and `release status
// --json`.
type RolloutStatus struct {
	Envelope
	Status *rollout.Status `json:"status"`
}

// RolloutHalt is printed by `rollout halt|resume --json`: the halt in
// force after the command (null after a resume).
type RolloutHalt struct {
	Envelope
	Halted *rollout.Halt `json:"halted"`
}

// RollbackPlan is printed by `rollback plan --json`; `--format json`
// prints the bare plan document instead.
type RollbackPlan struct {
	Envelope
	Plan *rollback.Plan `json:"plan"`
}

// RollbackStatus is printed by `rollback submit|status --json`.
type RollbackStatus struct {
	Envelope
	Status *rollback.Status `json:"status"`
}

// Verify is printed by `verify --json`.
type Verify struct {
	Envelope
	Proposal uint64 `json:"proposal"`
	// Kind is "election" (Package is set) or "install_code" (Install is
	// set: an NNS canister upgrade, checked by its wasm_module_hash).
	Kind     string                  `json:"kind"`
	Package  *rollout.ElectedPackage `json:"package,omitempty"`
	Install  *governance.InstallView `json:"install,omitempty"`
	Artifact Digest                  `json:"artifact"`
	// Mirrors are the digests of each URL the proposal names, when the
	// package was downloaded from them (no --artifact).
	Mirrors []Digest `json:"mirrors,omitempty"`
	// SumsSHA256 is the SHA256SUMS entry's hash ("" without --sums).
	SumsSHA256 string `json:"sums_sha256,omitempty"`
	Match      bool   `json:"match"`
}
