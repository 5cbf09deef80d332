package jsonout

import (
	"time"

	"github.com/nnspatch/nnspatch/governance"
)

// Whoami is printed by `nnspatch identity whoami --json`.
type Whoami struct {
	Envelope
	// Principal is the identity's principal.
	Principal string `json:"principal"`
	// Identity is the identity name (or the PEM path).
	Identity string `json:"identity"`
	// KeyFile is the PEM file ("" for anonymous).
	KeyFile string `json:"key_file,omitempty"`
}

// ProposalList is printed by `nnspatch proposals list --json`.
type ProposalList struct {
	Envelope
	// Network is the network name.
	Network string `json:"network"`
	// Proposals are newest first.
	Proposals []ProposalSummary `json:"proposals"`
}

// ProposalSummary is one row of a proposal listing.
type ProposalSummary struct {
	ID       uint64           `json:"id"`
	Title    string           `json:"title"`
	Topic    string           `json:"topic"`
	Status   string           `json:"status"`
	Proposer uint64           `json:"proposer"`
	Action   string           `json:"action"`
	Tally    governance.Tally `json:"tally"`
	Deadline time.Time        `json:"deadline"`
}

// ProposalShow is printed by `nnspatch proposal show --json`.
type ProposalShow struct {
	Envelope
	// Network is the network name.
	Network string `json:"network"`
	// Proposal is the proposal as governance reports it.
	Proposal governance.Proposal `json:"proposal"`
	// Decision is the tally math derived from it.
	Decision Decision `json:"decision"`
	// SecurityPatch is set when the proposal elects withheld-source code.
	SecurityPatch bool `json:"security_patch"`
	// Payload is the decoded payload, when nnspatch knows its type.
	Payload any `json:"payload,omitempty"`
	// PayloadSHA256 is the hex SHA-256 of the payload bytes.
	PayloadSHA256 string `json:"payload_sha256,omitempty"`
	// DisclosureDeadline is when the withheld source of a security patch
	// must be disclosed (the end of the quiet period), as the text output's
	// "Disclosure: due by" line shows it. It is set when the release
	// ledger of the elected version under releases_dir records a finished
	// rollout (and stays set after the disclosure); otherwise it is absent.
	DisclosureDeadline *time.Time `json:"disclosure_deadline,omitempty"`
	// Disclosure is set once the release ledger records that the source
	// was published: when and where (the text output's "disclosed <date>,
	// source <url>").
	Disclosure *Disclosure `json:"disclosure,omitempty"`
	// DashboardURL links the proposal on the IC dashboard.
	DashboardURL string `json:"dashboard_url"`
}

// Disclosure is the publication of a security patch's source.
type Disclosure struct {
	At        time.Time `json:"at"`
	SourceURL string    `json:"source_url"`
	// Forced reports a disclosure before the quiet period ended.
	Forced bool `json:"forced,omitempty"`
}

// Decision is the tally math for one proposal.
type Decision struct {
	YesPercent   float64   `json:"yes_percent"`
	NoPercent    float64   `json:"no_percent"`
	DecidedEarly bool      `json:"decided_early"`
	Adopting     bool      `json:"adopting"`
	QuorumMet    bool      `json:"quorum_met"`
	CanFlip      bool      `json:"can_flip"`
	Deadline     time.Time `json:"deadline"`
	MaxDeadline  time.Time `json:"max_deadline"`
	SecondsLeft  int64     `json:"seconds_left"`
}

// Subnets is printed by `nnspatch subnets --json`.
type Subnets struct {
	Envelope
	RegistryVersion uint64              `json:"registry_version"`
	Subnets         []governance.Subnet `json:"subnets"`
}

// Versions is printed by `nnspatch versions --json`.
type Versions struct {
	Envelope
	RegistryVersion   uint64                       `json:"registry_version"`
	GuestOS           []governance.GuestOSVersion  `json:"guestos"`
	HostOS            []governance.HostOSVersion   `json:"hostos"`
	UnassignedVersion string                       `json:"unassigned_version,omitempty"`
	APIBoundaryNodes  []governance.APIBoundaryNode `json:"api_boundary_nodes"`
}

// VersionShow is printed by `nnspatch version show --json`.
type VersionShow struct {
	Envelope
	RegistryVersion uint64                     `json:"registry_version"`
	Kind            string                     `json:"kind"`
	GuestOS         *governance.GuestOSVersion `json:"guestos,omitempty"`
	HostOS          *governance.HostOSVersion  `json:"hostos,omitempty"`
}

// Submit is printed by `nnspatch proposal submit --json`.
type Submit struct {
	Envelope
	// ProposalID is the new proposal's id, or the existing twin's when
	// Existing is set; 0 on a dry run without a twin.
	ProposalID uint64 `json:"proposal_id,omitempty"`
	// Existing is set when preflight found a twin and nothing was submitted:
	// an open or adopted proposal with the same action, or an executed one
	// whose effect is still in place (governance.Preflight.Existing).
	Existing bool `json:"existing"`
	// DryRun is set when nothing was submitted.
	DryRun bool `json:"dry_run"`
	// PayloadSHA256 is the hex SHA-256 of the payload.
	PayloadSHA256 string `json:"payload_sha256,omitempty"`
	// Checks are the preflight checks and their results.
	Checks []governance.Check `json:"checks"`
}

// Votes is printed by `nnspatch vote --json`.
type Votes struct {
	Envelope
	Proposal uint64                  `json:"proposal"`
	Vote     string                  `json:"vote"`
	Results  []governance.VoteResult `json:"results"`
}

// Send is printed by `nnspatch send --json`: one envelope for the whole
// file, its messages in file order.
type Send struct {
	Envelope
	// Sent is set when the messages were submitted (false with --dry-run).
	Sent bool `json:"sent"`
	// Messages has one entry per message of the file.
	Messages []SentMessage `json:"messages"`
}

// SentMessage is one message of a `send --json` document.
type SentMessage struct {
	// Content is the decoded signed message.
	Content *governance.SignedContent `json:"content"`
	// Sent is set when the message was submitted.
	Sent bool `json:"sent"`
	// ProposalID is set when a sent message made a proposal.
	ProposalID uint64 `json:"proposal_id,omitempty"`
}
