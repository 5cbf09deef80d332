package rollout

import (
	"errors"
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/internal/textsafe"
	"github.com/nnspatch/nnspatch/proposals"
)

// LedgerSchemaVersion is the release.yaml schema this build reads and writes.
const LedgerSchemaVersion = 1

// DefaultQuietPeriodDays is the Security Patch Policy's quiet period: the
// source is disclosed this many days after every node runs the patch.
const DefaultQuietPeriodDays = 10

// Proposal kinds a release records.
const (
	KindElect      = "elect"
	KindDeploy     = "deploy"
	KindUnassigned = "unassigned"
)

// Ledger is a release's record on disk (release.yaml): what was released,
// the proposals it made and every action taken on it.
type Ledger struct {
	// SchemaVersion is LedgerSchemaVersion.
	SchemaVersion int `yaml:"schema_version" json:"schema_version"`
	// Version is the GuestOS version (commit) being released.
	Version string `yaml:"version" json:"version"`
	// Mode is security (withheld source) or regular.
	Mode proposals.Mode `yaml:"mode" json:"mode"`
	// Created is when the release was created.
	Created time.Time `yaml:"created" json:"created"`
	// Artifact is the release package.
	Artifact Artifact `yaml:"artifact" json:"artifact"`
	// ElectionDraft is the election draft file, relative to the release
	// directory.
	ElectionDraft string `yaml:"election_draft" json:"election_draft"`
	// Plan is the staged rollout plan; nil until `rollout plan` ran.
	Plan *Plan `yaml:"plan,omitempty" json:"plan,omitempty"`
	// Proposals are every proposal the release made (or meant to make), in
	// order. A record with ID 0 is an intent whose submission has not been
	// confirmed yet.
	Proposals []ProposalRecord `yaml:"proposals" json:"proposals"`
	// Subnets holds per-subnet bake bookkeeping, by subnet id.
	Subnets map[string]SubnetRecord `yaml:"subnets,omitempty" json:"subnets,omitempty"`
	// Nodes holds a HostOS release's per-node bookkeeping, by node id.
	Nodes map[string]NodeRecord `yaml:"nodes,omitempty" json:"nodes,omitempty"`
	// QuietPeriod is the quiet period before disclosure.
	QuietPeriod QuietPeriod `yaml:"quiet_period" json:"quiet_period"`
	// Disclosure is set once the source was disclosed.
	Disclosure *Disclosure `yaml:"disclosure,omitempty" json:"disclosure,omitempty"`
	// Abandoned is set when the release was given up.
	Abandoned *Abandonment `yaml:"abandoned,omitempty" json:"abandoned,omitempty"`
	// Halted is set while the rollout is halted (Tracker.Halt); Resume
	// clears it. The audit log keeps every halt and resume.
	Halted *Halt `yaml:"halted,omitempty" json:"halted,omitempty"`
	// Audit is the append-only log of every action on the release.
	Audit []Event `yaml:"audit" json:"audit"`
	// Kind is what the release patches: ReleaseGuestOS (empty),
	// ReleaseHostOS or ReleaseCanister (see kinds.go).
	Kind string `yaml:"kind,omitempty" json:"kind,omitempty"`
	// HostOS is a HostOS release's staged node plan (hostos.go); nil
	// until `rollout plan` ran.
	HostOS *HostOSPlan `yaml:"hostos,omitempty" json:"hostos,omitempty"`
	// Canisters are an NNS canister release's upgrades (canister.go).
	Canisters *CanisterRelease `yaml:"canisters,omitempty" json:"canisters,omitempty"`
}

// Artifact is a release package: its SHA-256 and download URLs.
type Artifact struct {
	SHA256 string   `yaml:"sha256" json:"sha256"`
	URLs   []string `yaml:"urls" json:"urls"`
}

// ProposalRecord is one proposal made by the release.
type ProposalRecord struct {
	// ID is the proposal id; 0 while only the intent is recorded.
	ID uint64 `yaml:"id" json:"id"`
	// Kind is KindElect, KindDeploy or KindUnassigned.
	Kind string `yaml:"kind" json:"kind"`
	// Subnet is the target subnet of a deploy.
	Subnet string `yaml:"subnet,omitempty" json:"subnet,omitempty"`
	// PayloadSHA256 identifies the action (hex SHA-256 of the payload).
	PayloadSHA256 string `yaml:"payload_sha256" json:"payload_sha256"`
	// Neuron is the proposer neuron.
	Neuron uint64 `yaml:"neuron" json:"neuron"`
	// Intended is when the intent to submit was recorded.
	Intended time.Time `yaml:"intended" json:"intended"`
	// Submitted is when governance confirmed the id (zero while pending).
	Submitted time.Time `yaml:"submitted,omitempty" json:"submitted,omitzero"`

	// The facts below are recorded from governance each time the
	// proposal is read, so that the release still reports correctly once
	// governance garbage-collected the proposal (it keeps only the newest
	// settled proposals per topic). Ledgers written before they existed
	// lack them; every one is optional.

	// Version is the GuestOS version the proposal elects or deploys.
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// Status is the proposal's status when governance last answered for it
	// ("open", "adopted", "executed", "rejected", "failed").
	Status string `yaml:"status,omitempty" json:"status,omitempty"`
	// FailureReason is governance's reason for a failed proposal.
	FailureReason string `yaml:"failure_reason,omitempty" json:"failure_reason,omitempty"`
	// Created is when governance created the proposal.
	Created time.Time `yaml:"created,omitempty" json:"created,omitzero"`
	// Executed is when governance executed the proposal (zero if not).
	Executed time.Time `yaml:"executed,omitempty" json:"executed,omitzero"`
	// Origin says how the record came into the ledger: empty when this
	// ledger submitted it, OriginChain when it was found in governance
	// (`release attach`, or another release manager's proposal), and
	// OriginRegistry when only the registry shows its effect (the proposal
	// was garbage-collected before this ledger saw it; its ID is 0).
	Origin string `yaml:"origin,omitempty" json:"origin,omitempty"`
	// Gone is when governance first answered that it no longer has the
	// proposal (garbage-collected); the facts above stand in for it.
	Gone time.Time `yaml:"gone,omitempty" json:"gone,omitzero"`
}

// Origins of a proposal record (ProposalRecord.Origin).
const (
	// OriginChain: found in governance, not submitted by this ledger.
	OriginChain = "chain"
	// OriginRegistry: known only from its effect in the registry.
	OriginRegistry = "registry"
)

// IsIntent reports an intent whose submission is not confirmed yet (no
// proposal id and not a fact read from the registry).
func (p ProposalRecord) IsIntent() bool { return p.ID == 0 && p.Origin != OriginRegistry }

// Settled reports whether the recorded status can no longer change:
// executed, rejected or failed. Governance garbage-collects only settled
// proposals.
func (p ProposalRecord) Settled() bool {
	switch p.Status {
	case governance.StatusExecuted.String(), governance.StatusRejected.String(), governance.StatusFailed.String():
		return true
	}
	return false
}

// view returns what Derive needs of the recorded proposal.
func (p ProposalRecord) view() ProposalView {
	st, err := governance.ParseStatus(p.Status)
	if err != nil {
		st = governance.StatusUnknown
	}
	return ProposalView{ID: p.ID, Status: st, FailureReason: p.FailureReason, Executed: p.Executed}
}

// SubnetRecord is a subnet's bake bookkeeping.
type SubnetRecord struct {
	// HealthySince is when the subnet was first seen healthy on the new
	// version without a failing observation since; zero if never.
	HealthySince time.Time `yaml:"healthy_since,omitempty" json:"healthy_since,omitzero"`
	// Running is when every replica of the subnet was first seen reporting
	// the new version (an upper bound of the real switch: the switch
	// happened between the deploy's execution and this observation).
	Running time.Time `yaml:"running,omitempty" json:"running,omitzero"`
	// Failed is when the subnet was first seen failing its gate (audited
	// once); zero while it does not fail.
	Failed time.Time `yaml:"failed,omitempty" json:"failed,omitzero"`
	// Complete is when the subnet finished baking; zero until then.
	Complete time.Time `yaml:"complete,omitempty" json:"complete,omitzero"`
	// Height and HeightAt are the last finalized height observed and when,
	// for sources that report heights rather than finalization.
	Height   float64   `yaml:"height,omitempty" json:"height,omitempty"`
	HeightAt time.Time `yaml:"height_at,omitempty" json:"height_at,omitzero"`
}

// NodeRecord is what a HostOS release remembers of one node between looks.
type NodeRecord struct {
	// Down is when the node's host was first seen down on the release's
	// version; a node seen up again is forgotten.
	Down time.Time `yaml:"down,omitempty" json:"down,omitzero"`
}

// QuietPeriod is the time between full rollout and disclosure.
type QuietPeriod struct {
	// Days is its length (DefaultQuietPeriodDays when 0).
	Days int `yaml:"days" json:"days"`
	// Start is when every subnet and the unassigned nodes ran the version,
	// derived when the rollout is first seen complete (see CompletedAt):
	// not the time of that observation; zero until then.
	Start time.Time `yaml:"start,omitempty" json:"start,omitzero"`
}

// Length returns the quiet period's length.
func (q QuietPeriod) Length() time.Duration {
	d := q.Days
	if d <= 0 {
		d = DefaultQuietPeriodDays
	}
	return time.Duration(d) * 24 * time.Hour
}

// End returns when the quiet period ends (zero before it started).
func (q QuietPeriod) End() time.Time {
	if q.Start.IsZero() {
		return time.Time{}
	}
	return q.Start.Add(q.Length())
}

// Disclosure records that the source of the release was published.
type Disclosure struct {
	SourceURL string    `yaml:"source_url" json:"source_url"`
	At        time.Time `yaml:"at" json:"at"`
	By        string    `yaml:"by" json:"by"`
	// Forced reports a disclosure before the quiet period ended.
	Forced bool   `yaml:"forced,omitempty" json:"forced,omitempty"`
	Reason string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// Abandonment records that the release was given up.
type Abandonment struct {
	At     time.Time `yaml:"at" json:"at"`
	By     string    `yaml:"by" json:"by"`
	Reason string    `yaml:"reason" json:"reason"`
}

// Event is one entry of the audit log.
type Event struct {
	At time.Time `yaml:"at" json:"at"`
	// Principal is the acting identity's principal.
	Principal string `yaml:"principal" json:"principal"`
	// Action is a short verb: draft, submit, vote, plan, advance, gate,
	// rollback, disclose, abandon, force, halt, resume, attach.
	Action string `yaml:"action" json:"action"`
	// Detail says what happened, in one line.
	Detail string `yaml:"detail" json:"detail"`
	// Proposal is the proposal the action concerns, if any.
	Proposal uint64 `yaml:"proposal,omitempty" json:"proposal,omitempty"`
}

// NewLedger returns the ledger of a new release.
func NewLedger(version string, mode proposals.Mode, a Artifact, created time.Time) *Ledger {
	return &Ledger{
		SchemaVersion: LedgerSchemaVersion, Version: version, Mode: mode, Created: created.UTC(),
		Artifact: a, Proposals: []ProposalRecord{}, Audit: []Event{},
		QuietPeriod: QuietPeriod{Days: DefaultQuietPeriodDays},
	}
}

// Record appends an event to the audit log. The detail is stored as one
// escaped line (textsafe.Escape): free text in it (a --reason) cannot
// start a line of its own in `release log`.
func (l *Ledger) Record(at time.Time, principal, action, detail string, proposal uint64) {
	l.Audit = append(l.Audit, Event{At: at.UTC(), Principal: textsafe.Escape(principal), Action: textsafe.Escape(action),
		Detail: textsafe.Escape(detail), Proposal: proposal})
}

// Election returns the election proposal record, if one was intended.
func (l *Ledger) Election() (ProposalRecord, bool) {
	for i := len(l.Proposals) - 1; i >= 0; i-- {
		if l.Proposals[i].Kind == KindElect {
			return l.Proposals[i], true
		}
	}
	return ProposalRecord{}, false
}

// ProposalsFor returns the records of a kind (and subnet, for deploys), oldest first.
func (l *Ledger) ProposalsFor(kind, subnet string) []ProposalRecord {
	var out []ProposalRecord
	for _, p := range l.Proposals {
		if p.Kind == kind && p.Subnet == subnet {
			out = append(out, p)
		}
	}
	return out
}

// SetProposalID confirms the intent with the payload hash: it sets its id.
// It reports whether an intent was found.
func (l *Ledger) SetProposalID(kind, subnet, payload string, id uint64, at time.Time) bool {
	for i := len(l.Proposals) - 1; i >= 0; i-- {
		p := &l.Proposals[i]
		if p.Kind == kind && p.Subnet == subnet && p.PayloadSHA256 == payload && p.IsIntent() {
			p.ID, p.Submitted, p.Version = id, at.UTC(), l.Version
			return true
		}
	}
	return false
}

// record returns the record of proposal id, or nil.
func (l *Ledger) record(id uint64) *ProposalRecord {
	for i := range l.Proposals {
		if id != 0 && l.Proposals[i].ID == id {
			return &l.Proposals[i]
		}
	}
	return nil
}

// ErrLedgerMismatch reports a ledger record that disagrees with
// governance: the proposal with the recorded id has another payload.
var ErrLedgerMismatch = errors.New("release ledger disagrees with governance")

// MismatchError names the record whose payload hash differs from the
// chain's proposal of the same id (an edited id, or a ledger of another
// network). It matches ErrLedgerMismatch.
type MismatchError struct {
	ID       uint64
	Kind     string
	Subnet   string
	Recorded string
	Chain    string
}

// Error implements error.
func (e *MismatchError) Error() string {
	chain := "payload sha256 " + e.Chain
	if e.Chain == "" {
		chain = "no NNS function payload"
	}
	return fmt.Sprintf("the ledger records proposal %d as the %s%s with payload sha256 %s, but governance's proposal %d has %s: the ledger was edited or belongs to another network; nothing was submitted",
		e.ID, e.Kind, onSubnet(e.Subnet), e.Recorded, e.ID, chain)
}

// Is reports whether target is ErrLedgerMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrLedgerMismatch }

// checkFacts compares the recorded payload hash of proposal f.ID with the
// one governance answered (f, read with its full payload): a
// *MismatchError when they differ or governance's proposal has none.
func (l *Ledger) checkFacts(f ProposalRecord) error {
	r := l.record(f.ID)
	if r == nil || r.PayloadSHA256 == "" || r.PayloadSHA256 == f.PayloadSHA256 {
		return nil
	}
	return &MismatchError{ID: f.ID, Kind: r.Kind, Subnet: r.Subnet, Recorded: r.PayloadSHA256, Chain: f.PayloadSHA256}
}

// noteChecked is NoteProposal after checkFacts.
func (l *Ledger) noteChecked(f ProposalRecord) error {
	if err := l.checkFacts(f); err != nil {
		return err
	}
	l.NoteProposal(f)
	return nil
}

// NoteProposal records what governance said about one of the release's
// proposals: the facts of a known record are refreshed, an unconfirmed
// intent with the same kind, target, payload and proposer is confirmed,
// and any other proposal is appended with Origin OriginChain. It reports
// whether the ledger changed.
func (l *Ledger) NoteProposal(f ProposalRecord) bool {
	if r := l.record(f.ID); r != nil {
		before := *r
		r.mergeFacts(f)
		return *r != before
	}
	for i := range l.Proposals {
		r := &l.Proposals[i]
		if r.IsIntent() && r.Kind == f.Kind && r.Subnet == f.Subnet && r.PayloadSHA256 == f.PayloadSHA256 &&
			r.Neuron == f.Neuron && !f.Created.Before(r.Intended.Add(-reconcileSlack)) {
			r.ID, r.Submitted = f.ID, f.Created
			r.mergeFacts(f)
			return true
		}
	}
	if f.Origin == "" {
		f.Origin = OriginChain
	}
	l.Proposals = append(l.Proposals, f)
	return true
}

// mergeFacts copies the non-empty facts of f into p; it never erases one.
func (p *ProposalRecord) mergeFacts(f ProposalRecord) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&p.Version, f.Version)
	set(&p.Status, f.Status)
	set(&p.FailureReason, f.FailureReason)
	set(&p.PayloadSHA256, f.PayloadSHA256)
	if !f.Created.IsZero() {
		p.Created = f.Created
	}
	if !f.Executed.IsZero() {
		p.Executed = f.Executed
	}
	if p.Neuron == 0 {
		p.Neuron = f.Neuron
	}
}

// markGone records that governance no longer has proposal id; it reports
// whether this is news.
func (l *Ledger) markGone(id uint64, at time.Time) bool {
	r := l.record(id)
	if r == nil || !r.Gone.IsZero() {
		return false
	}
	r.Gone = at.UTC()
	return true
}

// subnet returns the bookkeeping of a subnet (zero if none).
func (l *Ledger) subnet(id string) SubnetRecord { return l.Subnets[id] }

func (l *Ledger) setSubnet(id string, r SubnetRecord) {
	if l.Subnets == nil {
		l.Subnets = map[string]SubnetRecord{}
	}
	l.Subnets[id] = r
}
