package rollout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

// KindInstall is the ledger kind of an InstallCode proposal of an NNS
// canister release; its record's Subnet is the canister id.
const KindInstall = "install_code"

// CanisterRelease is an NNS canister release: one InstallCode proposal per
// canister, in order; the wasm SHA-256 of each is the checksum of the
// withheld source.
type CanisterRelease struct {
	Upgrades []CanisterUpgrade `yaml:"upgrades" json:"upgrades"`
}

// CanisterUpgrade is one canister's upgrade.
type CanisterUpgrade struct {
	// Canister is the canister id; Name its well-known name.
	Canister string `yaml:"canister" json:"canister"`
	Name     string `yaml:"name" json:"name"`
	// WasmSHA256 is the new module's SHA-256 (hex).
	WasmSHA256 string `yaml:"wasm_sha256" json:"wasm_sha256"`
	// Draft is the InstallCode draft file in the release directory.
	Draft string `yaml:"draft" json:"draft"`
	// Previous is the module hash the certified state recorded for the
	// canister before the upgrade was submitted: what a rollback restores
	// (the previous wasm must hash to it). Empty until submission.
	Previous string `yaml:"previous,omitempty" json:"previous,omitempty"`
}

// ModuleHashReader reads a canister's installed module hash from the
// certified state (governance.Client does).
type ModuleHashReader interface {
	ModuleHash(ctx context.Context, canister principal.Principal) (string, error)
}

// NewCanisterRelease creates an NNS canister release directory from one
// InstallCode draft per canister (wasm loaded): each draft and its wasm
// module are copied into the directory. version labels the release (e.g.
// the commit the canisters were built from).
func NewCanisterRelease(ctx context.Context, s Store, version string, mode proposals.Mode, drafts []proposals.Draft, actor string, now time.Time, opts ...ReleaseOption) (*Ledger, error) {
	if len(drafts) == 0 {
		return nil, errors.New("new NNS canister release: give at least one canister upgrade draft")
	}
	rel := &CanisterRelease{}
	for _, d := range drafts {
		c := d.UpgradeCanister
		if d.Kind != proposals.KindUpgradeCanister || c == nil || len(c.Wasm) == 0 {
			return nil, errors.New("new NNS canister release: every draft must upgrade a canister with its wasm module loaded (kind upgrade-canister)")
		}
		if err := c.VerifyWasm(); err != nil {
			return nil, fmt.Errorf("new NNS canister release: %w", err)
		}
		if slices.ContainsFunc(rel.Upgrades, func(u CanisterUpgrade) bool { return u.Canister == c.CanisterID }) {
			return nil, fmt.Errorf("new NNS canister release: canister %s is upgraded twice", c.CanisterID)
		}
		name := proposals.CanisterName(c.CanisterID)
		rel.Upgrades = append(rel.Upgrades, CanisterUpgrade{Canister: c.CanisterID, Name: name, WasmSHA256: c.WasmHash(), Draft: "install-" + name + ".yaml"})
	}
	if version == "" {
		version = rel.Upgrades[0].WasmSHA256
	}
	l := NewLedger(version, mode, Artifact{SHA256: rel.Upgrades[0].WasmSHA256, URLs: []string{}}, now)
	l.Kind, l.Canisters = ReleaseCanister, rel
	for _, o := range opts {
		o(l)
	}
	if l.QuietPeriod.Days <= 0 {
		return nil, fmt.Errorf("new release: the quiet period must last at least one day, not %d", l.QuietPeriod.Days)
	}
	var what []string
	for _, u := range rel.Upgrades {
		what = append(what, fmt.Sprintf("%s (wasm sha256 %s)", u.Name, u.WasmSHA256))
	}
	l.Record(now, actor, "draft", fmt.Sprintf("drafted the %s-mode upgrade of NNS canisters %s; quiet period %d days", mode, strings.Join(what, ", "), l.QuietPeriod.Days), 0)
	if err := s.Create(ctx, l); err != nil {
		return nil, err
	}
	for i, d := range drafts {
		if err := writeInstallDraft(s.Dir, rel.Upgrades[i], d); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// writeInstallDraft copies the wasm module beside the draft and writes the
// draft referring to it.
func writeInstallDraft(dir string, u CanisterUpgrade, d proposals.Draft) error {
	c := *d.UpgradeCanister
	c.WasmPath = u.Name + ".wasm"
	if err := os.WriteFile(filepath.Join(dir, c.WasmPath), c.Wasm, 0o644); err != nil {
		return fmt.Errorf("copy the wasm module of %s: %w", u.Name, err)
	}
	d.UpgradeCanister = &c
	return proposals.WriteDraft(filepath.Join(dir, u.Draft), d)
}

// CanisterUpgradeStatus is one canister's state.
type CanisterUpgradeStatus struct {
	Canister   string       `json:"canister"`
	Name       string       `json:"name"`
	WasmSHA256 string       `json:"wasm_sha256"`
	ModuleHash string       `json:"module_hash"`
	Previous   string       `json:"previous,omitempty"`
	State      State        `json:"state"`
	Proposal   ProposalView `json:"proposal"`
	Detail     string       `json:"detail,omitempty"`
}

// CanisterStatus is an NNS canister release's state.
type CanisterStatus struct {
	Kind       string                  `json:"kind"`
	Version    string                  `json:"version"`
	Mode       proposals.Mode          `json:"mode"`
	Now        time.Time               `json:"now"`
	State      RolloutState            `json:"state"`
	Canisters  []CanisterUpgradeStatus `json:"canisters"`
	Quiet      QuietStatus             `json:"quiet_period"`
	Disclosure *Disclosure             `json:"disclosure,omitempty"`
	Halted     *Halt                   `json:"halted,omitempty"`
	Blockers   []string                `json:"blockers,omitempty"`
}

// CanisterStatus observes the release's InstallCode proposals and the
// canisters' module hashes and derives its state.
func (t *Tracker) CanisterStatus(ctx context.Context) (*CanisterStatus, error) {
	lk, _, st, err := lockedLook(ctx, t.Store, t.canisterStatus)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	return st, nil
}

func (t *Tracker) moduleHashes() (ModuleHashReader, error) {
	r, ok := t.Gov.(ModuleHashReader)
	if !ok {
		return nil, errors.New("the governance client cannot read canister module hashes")
	}
	return r, nil
}

func (t *Tracker) canisterStatus(ctx context.Context, l *Ledger) (*CanisterStatus, error) {
	if err := requireKind(l, ReleaseCanister, "NNS canister status"); err != nil {
		return nil, err
	}
	mh, err := t.moduleHashes()
	if err != nil {
		return nil, err
	}
	now, err := t.Now(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	st := &CanisterStatus{Kind: ReleaseCanister, Version: l.Version, Mode: l.Mode, Now: now, Disclosure: l.Disclosure, Halted: l.Halted}
	var completedAt time.Time
	var unpatched []string
	for _, u := range l.Canisters.Upgrades {
		cs, err := t.canisterUpgrade(ctx, l, mh, u, now)
		if err != nil {
			return nil, err
		}
		if cs.ModuleHash != u.WasmSHA256 {
			unpatched = append(unpatched, "canister "+u.Name)
		}
		if cs.Proposal.Executed.After(completedAt) {
			completedAt = cs.Proposal.Executed
		}
		st.Canisters = append(st.Canisters, cs)
	}
	complete := len(unpatched) == 0
	if complete && completedAt.IsZero() {
		completedAt = now
	}
	st.Quiet, _ = kindQuiet(l, now, t.Actor, complete, completedAt, unpatched)
	st.State = canisterState(l, st, complete)
	for _, c := range st.Canisters {
		if c.State == StateFailed || c.State == StateRolledBack {
			st.Blockers = append(st.Blockers, fmt.Sprintf("canister %s %s: %s", c.Name, c.State, c.Detail))
		}
	}
	return st, nil
}

// canisterUpgrade derives one canister from its latest InstallCode
// proposal and its module hash on chain.
func (t *Tracker) canisterUpgrade(ctx context.Context, l *Ledger, mh ModuleHashReader, u CanisterUpgrade, now time.Time) (CanisterUpgradeStatus, error) {
	cs := CanisterUpgradeStatus{Canister: u.Canister, Name: u.Name, WasmSHA256: u.WasmSHA256, Previous: u.Previous, State: StatePending}
	id, err := principal.Decode(u.Canister)
	if err != nil {
		return cs, fmt.Errorf("canister %q: %w", u.Canister, err)
	}
	if cs.ModuleHash, err = mh.ModuleHash(ctx, id); err != nil {
		return cs, err
	}
	recs := l.ProposalsFor(KindInstall, u.Canister)
	if len(recs) == 0 {
		if cs.ModuleHash == u.WasmSHA256 {
			cs.State, cs.Detail = StateComplete, "the canister already runs the module"
		}
		return cs, nil
	}
	r := recs[len(recs)-1]
	if r.IsIntent() {
		cs.State = StateProposing
		return cs, nil
	}
	if cs.Proposal, err = t.proposalNow(ctx, l, r, now); err != nil {
		return cs, err
	}
	switch p := cs.Proposal; {
	case p.Status == governance.StatusRejected || p.Status == governance.StatusFailed:
		cs.State, cs.Detail = StateFailed, fmt.Sprintf("proposal %d %s %s", p.ID, p.Status, p.FailureReason)
	case p.Status != governance.StatusExecuted:
		cs.State, cs.Detail = StateWaitingForAdoption, fmt.Sprintf("proposal %d %s", p.ID, p.Status)
	case cs.ModuleHash == u.WasmSHA256:
		cs.State, cs.Detail = StateComplete, fmt.Sprintf("module hash %s on chain", shortN(cs.ModuleHash))
	case cs.ModuleHash == u.Previous:
		cs.State, cs.Detail = StateRolledBack, fmt.Sprintf("the canister runs its previous module %s again", shortN(cs.ModuleHash))
	default:
		cs.State, cs.Detail = StateRolledBack, fmt.Sprintf("the canister runs another module %s after proposal %d executed", shortN(cs.ModuleHash), p.ID)
	}
	return cs, nil
}

func shortN(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

func canisterState(l *Ledger, st *CanisterStatus, complete bool) RolloutState {
	has := func(s State) bool {
		return slices.ContainsFunc(st.Canisters, func(c CanisterUpgradeStatus) bool { return c.State == s })
	}
	switch {
	case l.Abandoned != nil:
		return RolloutAbandoned
	case l.Halted != nil:
		return RolloutHalted
	case has(StateRolledBack):
		return RolloutRolledBack
	case has(StateFailed):
		return RolloutFailed
	case complete:
		return RolloutComplete
	}
	return RolloutUpgradingCanisters
}

// canisterStop says why a canister release cannot advance at all (nil
// when it can): abandoned, halted, or a canister rolled back.
// AdvanceCanisters and PreviewAdvance both ask it.
func canisterStop(st *CanisterStatus) error {
	switch {
	case st.State == RolloutAbandoned:
		return ErrAbandoned
	case st.Halted != nil:
		return &HaltedError{Halt: *st.Halted, Source: HaltLocal}
	case st.State == RolloutRolledBack:
		return fmt.Errorf("%w: %s; the usual answer is a new release", ErrRolledBack, joinOr(st.Blockers, "a canister was rolled back"))
	}
	return nil
}

// CanisterAdvanceResult is what AdvanceCanisters did and the state it saw.
type CanisterAdvanceResult struct {
	Submitted []Submitted     `json:"submitted"`
	Status    *CanisterStatus `json:"status"`
}

// AdvanceCanisters submits the InstallCode proposal of the next canister
// once every canister before it runs its new module (the gate: the module
// hash on chain is the wasm's SHA-256). The canister's module hash on chain
// is recorded first as the one a rollback restores. Nothing to do is a
// *WaitError; a failed proposal a *GateError.
func (t *Tracker) AdvanceCanisters(ctx context.Context) (*CanisterAdvanceResult, error) {
	lk, l, st, err := lockedLook(ctx, t.Store, t.canisterStatus)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	res := &CanisterAdvanceResult{Status: st, Submitted: []Submitted{}}
	if err := canisterStop(st); err != nil {
		return res, err
	}
	for i, cs := range st.Canisters {
		switch cs.State {
		case StateComplete:
			continue
		case StatePending:
		case StateFailed:
			if !t.RetryProposals {
				return res, &GateError{Subnet: "canister " + cs.Name, Check: "proposal", Detail: cs.Detail + "; pass --retry-failed-proposals to propose it again"}
			}
			l.Record(st.Now, t.Actor, "force", "proposing the upgrade of "+cs.Name+" again after "+cs.Detail, cs.Proposal.ID)
		default:
			return res, &WaitError{Reasons: []string{fmt.Sprintf("canister %s is %s (%s)", cs.Name, cs.State, cs.Detail)}}
		}
		id, err := t.submitInstall(ctx, lk, l, i, cs.ModuleHash)
		if err != nil {
			return res, err
		}
		res.Submitted = append(res.Submitted, Submitted{Kind: KindInstall, Subnet: cs.Canister, Proposal: id})
		return res, lk.Save(l)
	}
	return res, &WaitError{Reasons: []string{"every canister runs its new module"}}
}

// installFingerprint identifies an InstallCode action in the ledger: the
// SHA-256 of canister id, mode, wasm hash and argument hash.
func installFingerprint(c *proposals.InstallCode) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{c.CanisterID, c.InstallMode.String(), c.WasmSHA256, c.ArgHash()}, "\x00")))
	return hex.EncodeToString(sum[:])
}

// submitInstall submits upgrade i idempotently: the previous module hash
// and the intent are saved first; an unconfirmed intent is reconciled
// with governance (same proposer, canister and wasm hash, created after
// the intent) before anything is submitted.
func (t *Tracker) submitInstall(ctx context.Context, lk *Locked, l *Ledger, i int, onChain string) (uint64, error) {
	u := &l.Canisters.Upgrades[i]
	d, err := proposals.LoadDraft(filepath.Join(t.Store.Dir, u.Draft))
	if err != nil {
		return 0, err
	}
	req, err := proposals.ValidRequest(d, t.Policy)
	if err != nil {
		return 0, err
	}
	now, err := t.Now(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the network's time: %w", err)
	}
	hash := installFingerprint(d.UpgradeCanister)
	if id, err := t.reconcileInstall(ctx, l, u, hash); err != nil || id != 0 {
		if id != 0 {
			l.SetProposalID(KindInstall, u.Canister, hash, id, now)
			l.Record(now, t.Actor, "submit", fmt.Sprintf("reconciled the upgrade of %s: governance already has proposal %d", u.Name, id), id)
			return id, lk.Save(l)
		}
		return 0, err
	}
	if u.Previous == "" && onChain != u.WasmSHA256 {
		u.Previous = onChain
	}
	if !hasPendingIntent(l, KindInstall, u.Canister, hash) {
		l.Proposals = append(l.Proposals, ProposalRecord{Kind: KindInstall, Subnet: u.Canister, PayloadSHA256: hash, Neuron: t.Neuron, Intended: now.UTC()})
	}
	if err := lk.Save(l); err != nil {
		return 0, err
	}
	pf, err := t.Gov.Preflight(ctx, t.Neuron, req)
	if err != nil {
		return 0, err
	}
	id := pf.Existing
	if id == 0 {
		if err := pf.Err(); err != nil {
			return 0, err
		}
		if id, err = t.Gov.MakeProposal(ctx, t.Neuron, req); err != nil {
			return 0, fmt.Errorf("submit the upgrade of %s: %w", u.Name, err)
		}
	}
	l.SetProposalID(KindInstall, u.Canister, hash, id, now)
	l.Record(now, t.Actor, "submit", fmt.Sprintf("submitted the upgrade of %s (wasm sha256 %s, previous module %s) as proposal %d (neuron %d)", u.Name, u.WasmSHA256, u.Previous, id, t.Neuron), id)
	return id, lk.Save(l)
}

// reconcileInstall finds the proposal of an unconfirmed InstallCode intent.
func (t *Tracker) reconcileInstall(ctx context.Context, l *Ledger, u *CanisterUpgrade, hash string) (uint64, error) {
	var intent *ProposalRecord
	for _, p := range l.ProposalsFor(KindInstall, u.Canister) {
		if p.ID == 0 && p.PayloadSHA256 == hash {
			intent = &p
		}
	}
	if intent == nil {
		return 0, nil
	}
	ps, err := t.Gov.ListProposals(ctx, governance.ListOptions{Limit: 100})
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		in := p.Action.Install
		if in == nil || p.Proposer != intent.Neuron || p.Deadlines.Created.Before(intent.Intended.Add(-reconcileSlack)) {
			continue
		}
		if in.CanisterID == u.Canister && in.WasmModuleHash == u.WasmSHA256 {
			return p.ID, nil
		}
	}
	return 0, nil
}
