package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
)

// ErrElectionNotFound reports that governance has no election proposal of
// a version with a release package hash, and the registry does not list
// the version as elected with that hash either.
var ErrElectionNotFound = errors.New("election proposal not found")

// ElectionNotFoundError names what was searched. It matches
// ErrElectionNotFound.
type ElectionNotFoundError struct {
	Version string
	SHA256  string
	// Scanned counts the election proposals governance still had.
	Scanned int
	// Registry is the package hash the registry lists for the version
	// ("" when it does not list it).
	Registry string
}

// Error implements error.
func (e *ElectionNotFoundError) Error() string {
	msg := fmt.Sprintf("no election of GuestOS %s with release package sha256 %s among the %d election proposals governance has", e.Version, e.SHA256, e.Scanned)
	if e.Registry != "" {
		return msg + fmt.Sprintf(", and the registry lists the version with sha256 %s", e.Registry)
	}
	return msg + ", and the registry does not list the version as elected"
}

// Is reports whether target is ErrElectionNotFound.
func (e *ElectionNotFoundError) Is(target error) bool { return target == ErrElectionNotFound }

// ErrNoPackageHash reports an attach without a package hash for a version
// the registry does not list as elected.
var ErrNoPackageHash = errors.New("release package hash unknown")

// ErrOtherElection reports an attach to a release directory whose ledger
// records another version or another live election.
var ErrOtherElection = errors.New("release records another election")

// electionTopic is the topic election proposals are listed under.
var electionTopic = []governance.Topic{governance.TopicIcOsVersionElection}

// FindElection looks for the election proposal of version with the
// release package sha256 among every election proposal governance still
// has (newest first). It matches on the decoded payload, not on title or
// proposer. Of several matches it returns the newest open, adopted or
// executed one, else the newest. It returns nil when none matches, and the
// number of proposals scanned.
func FindElection(ctx context.Context, gov Governance, version, sha256 string) (*governance.Proposal, int, error) {
	var matches, unread []governance.Proposal
	scanned, before := 0, uint64(0)
	for {
		page, err := gov.ListProposals(ctx, governance.ListOptions{Topics: electionTopic, Limit: 100, Before: before})
		if err != nil {
			return nil, scanned, err
		}
		for _, p := range page {
			scanned++
			switch {
			case p.Action.Kind != "ExecuteNnsFunction":
			case len(p.Action.Payload) == 0:
				unread = append(unread, p) // listings omit payloads over 1 KB
			case elects(&p, version, sha256):
				matches = append(matches, p)
			}
		}
		if len(page) < 100 {
			break
		}
		before = page[len(page)-1].ID
	}
	// Read the omitted payloads, those naming the version's commit first;
	// the rest only when those do not match (titles are free text).
	mentions := func(p governance.Proposal) bool {
		short := version[:min(7, len(version))]
		return strings.Contains(p.Title, short) || strings.Contains(p.Summary, short)
	}
	for _, pass := range []func(governance.Proposal) bool{mentions, func(p governance.Proposal) bool { return !mentions(p) }} {
		if len(matches) > 0 {
			break
		}
		for _, p := range unread {
			if !pass(p) {
				continue
			}
			full, err := gov.GetProposal(ctx, p.ID)
			if errors.Is(err, governance.ErrProposalNotFound) {
				continue // garbage-collected since the listing
			}
			if err != nil {
				return nil, scanned, err
			}
			if elects(full, version, sha256) {
				matches = append(matches, *full)
			}
		}
	}
	return bestElection(matches), scanned, nil
}

// elects reports whether p elects GuestOS version with the package hash.
func elects(p *governance.Proposal, version, sha256 string) bool {
	ep, err := PackageOf(p)
	return err == nil && ep.OS == "GuestOS" && ep.Version == version && strings.EqualFold(ep.SHA256, sha256)
}

// bestElection is the newest live (open, adopted, executed) match, else
// the newest match, else nil.
func bestElection(ms []governance.Proposal) *governance.Proposal {
	var best *governance.Proposal
	live := func(p *governance.Proposal) bool {
		return p.Status == governance.StatusOpen || p.Status == governance.StatusAdopted || p.Status == governance.StatusExecuted
	}
	for i := range ms {
		p := &ms[i]
		switch {
		case best == nil, live(p) && !live(best), live(p) == live(best) && p.ID > best.ID:
			best = p
		}
	}
	return best
}

// AttachOptions say which release to attach.
type AttachOptions struct {
	// Version is the GuestOS version (commit).
	Version string
	// SHA256 is the release package hash; empty: the registry's record of
	// the elected version gives it.
	SHA256 string
	// Mode is the release mode; empty: security when the election's
	// summary cites the Security Patch Policy, else regular.
	Mode proposals.Mode
	// QuietDays is the quiet period (DefaultQuietPeriodDays when 0).
	QuietDays int
}

// AttachResult is what Attach found and recorded.
type AttachResult struct {
	// Election is the election's record (ID 0 when only the registry
	// shows it: governance garbage-collected the proposal).
	Election ProposalRecord `json:"election"`
	// Created reports that Attach created the ledger.
	Created bool `json:"created"`
	// ModeFrom says how the mode was chosen: "flag", "summary", "ledger" or
	// "default".
	ModeFrom string `json:"mode_from"`
	// Deploys counts the deploy proposals of the version the ledger
	// records after attaching.
	Deploys int `json:"deploys"`
	// Status is the release's status right after attaching.
	Status *Status `json:"status"`
}

// Attach records, in the tracker's release directory, the election of a
// release that exists on chain: the proposal is found by its payload
// (version and package hash; FindElection), or, when governance no longer
// has it, the registry's record of the elected version stands in. A
// missing ledger is created (its Created time is the election's, so the
// deploys since are read); an existing one of the same version gains the
// election record. A status observation then records every deploy of the
// version governance has and starts the bake of the subnets already on it
// at their registry switch. Attaching again is harmless.
func (t *Tracker) Attach(ctx context.Context, o AttachOptions) (*AttachResult, error) {
	now, err := t.Now(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return nil, err
	}
	res := &AttachResult{}
	elected, inRegistry := reg.GuestOSByID(o.Version)
	sha := strings.ToLower(o.SHA256)
	if sha == "" {
		if !inRegistry {
			return nil, fmt.Errorf("attach %s: %w: the registry does not list the version as elected", o.Version, ErrNoPackageHash)
		}
		sha = strings.ToLower(elected.SHA256)
	}
	p, scanned, err := FindElection(ctx, t.Gov, o.Version, sha)
	if err != nil {
		return nil, err
	}
	var tl *timeline.Timeline
	if p != nil || inRegistry {
		if tl, err = readTimeline(ctx, t.Gov); err != nil {
			return nil, err
		}
	}
	switch {
	case p != nil:
		res.Election = factsOf(KindElect, "", o.Version, p)
		res.Election.Origin = OriginChain
	case inRegistry && strings.EqualFold(elected.SHA256, sha):
		res.Election = registryElection(o.Version, tl)
	default:
		nf := &ElectionNotFoundError{Version: o.Version, SHA256: sha, Scanned: scanned}
		if inRegistry {
			nf.Registry = elected.SHA256
		}
		return nil, nf
	}
	if err := t.recordAttach(ctx, o, res, p, sha, urlsOf(p, elected), now, func(l *Ledger) { seedBake(l, reg, tl) }); err != nil {
		return nil, err
	}
	if res.Status, err = t.Status(ctx); err != nil {
		return nil, err
	}
	l, err := t.Store.Read()
	if err != nil {
		return nil, err
	}
	for _, r := range l.Proposals {
		if (r.Kind == KindDeploy || r.Kind == KindUnassigned) && r.ID != 0 {
			res.Deploys++
		}
	}
	return res, nil
}

// registryElection is the record of an election known only from the
// registry (ID 0): executed when the version was first elected.
func registryElection(version string, tl *timeline.Timeline) ProposalRecord {
	r := ProposalRecord{Kind: KindElect, Version: version, Status: governance.StatusExecuted.String(), Origin: OriginRegistry}
	if tl != nil {
		if e, ok := tl.Elections[version]; ok {
			r.Created, r.Executed = e.ElectedTime, e.ElectedTime
		}
	}
	return r
}

// urlsOf are the package URLs of the election proposal, else of the
// registry's record.
func urlsOf(p *governance.Proposal, elected governance.GuestOSVersion) []string {
	if p != nil {
		if ep, err := PackageOf(p); err == nil {
			return ep.URLs
		}
	}
	return elected.URLs
}

// recordAttach creates the ledger or adds the election to the existing one
// (under its lock), and starts the bake of the subnets already on the
// version at their registry switch.
func (t *Tracker) recordAttach(ctx context.Context, o AttachOptions, res *AttachResult, p *governance.Proposal, sha string, urls []string, now time.Time, seed func(*Ledger)) error {
	if _, err := t.Store.Read(); errors.Is(err, ErrNoRelease) {
		l, from := t.newAttachedLedger(o, res.Election, p, sha, urls, now)
		res.Created, res.ModeFrom = true, from
		l.Proposals = append(l.Proposals, res.Election)
		l.Record(now, t.Actor, "attach", attachDetail(res.Election, sha, from, l.Mode), res.Election.ID)
		seed(l)
		return t.Store.Create(ctx, l)
	} else if err != nil {
		return err
	}
	_, err := t.Store.Update(ctx, func(l *Ledger) error {
		if l.Version != o.Version {
			return fmt.Errorf("attach %s: %w: the release directory %s holds GuestOS %s", o.Version, ErrOtherElection, t.Store.Dir, l.Version)
		}
		res.ModeFrom = "ledger"
		if e, ok := l.Election(); ok && !e.IsIntent() && e.ID != res.Election.ID {
			if !e.Settled() || e.Status == governance.StatusExecuted.String() {
				return fmt.Errorf("attach %s: %w: the ledger records election proposal %d (%s), not %d", o.Version, ErrOtherElection, e.ID, e.Status, res.Election.ID)
			}
		}
		if e, ok := l.Election(); ok && e.ID == res.Election.ID && !e.IsIntent() {
			return nil // attached before
		}
		l.NoteProposal(res.Election)
		l.Record(now, t.Actor, "attach", attachDetail(res.Election, sha, "ledger", l.Mode), res.Election.ID)
		seed(l)
		return nil
	})
	return err
}

// newAttachedLedger is the ledger of an attached release: created when
// the election was, so the deploys since are read.
func (t *Tracker) newAttachedLedger(o AttachOptions, e ProposalRecord, p *governance.Proposal, sha string, urls []string, now time.Time) (*Ledger, string) {
	mode, from := o.Mode, "flag"
	switch {
	case mode != "":
	case p != nil && citesSecurityPolicy(p.Summary):
		mode, from = proposals.ModeSecurity, "summary"
	case p != nil:
		mode, from = proposals.ModeRegular, "summary"
	default:
		mode, from = proposals.ModeRegular, "default"
	}
	created := e.Created
	if created.IsZero() || created.After(now) {
		created = now
	}
	l := NewLedger(o.Version, mode, Artifact{SHA256: sha, URLs: slices.Clone(urls)}, created)
	l.ElectionDraft = ElectionDraftFile // none yet: `release submit --redraft FILE` writes one
	if o.QuietDays > 0 {
		l.QuietPeriod.Days = o.QuietDays
	}
	return l, from
}

// citesSecurityPolicy reports whether an election summary cites the
// Security Patch Policy (adopted in proposal 48792), as security-fix
// elections do.
func citesSecurityPolicy(summary string) bool {
	s := strings.ToLower(summary)
	return strings.Contains(s, "security patch policy") || strings.Contains(s, "48792")
}

func attachDetail(e ProposalRecord, sha, modeFrom string, mode proposals.Mode) string {
	if e.ID == 0 {
		return fmt.Sprintf("attached the election of %s (sha256 %s) from the registry: governance no longer has the proposal; %s mode (%s)", e.Version, sha, mode, modeFrom)
	}
	return fmt.Sprintf("attached election proposal %d of %s (sha256 %s, payload sha256 %s, %s, proposer neuron %d); %s mode (%s)",
		e.ID, e.Version, sha, e.PayloadSHA256, e.Status, e.Neuron, mode, modeFrom)
}

// seedBake starts the bake of every subnet that runs the version and has
// no bookkeeping yet at its registry switch: an attached release did not
// watch the earlier looks. The health gate still decides at every look
// (a Prometheus source looks back over the whole bake for alerts).
func seedBake(l *Ledger, reg *governance.Registry, tl *timeline.Timeline) {
	for _, s := range reg.Subnets {
		if s.GuestOSVersion != l.Version || l.subnet(s.ID) != (SubnetRecord{}) {
			continue
		}
		if ran, at := ranVersion(tl, reg, timeline.TargetID{Kind: timeline.KindSubnet, ID: s.ID}, l.Version); ran && !at.IsZero() {
			l.setSubnet(s.ID, SubnetRecord{HealthySince: at.UTC()})
		}
	}
}

// adoptChainElection records a live election of the release's version and
// package that governance already has (submitted from another release
// directory), instead of submitting a second one. It reports the id, or 0
// when there is none.
func (t *Tracker) adoptChainElection(ctx context.Context, lk *Locked, l *Ledger) (uint64, error) {
	if l.Artifact.SHA256 == "" {
		return 0, nil
	}
	p, _, err := FindElection(ctx, t.Gov, l.Version, l.Artifact.SHA256)
	if err != nil || p == nil || p.Status == governance.StatusRejected || p.Status == governance.StatusFailed {
		return 0, err
	}
	if e, ok := l.Election(); ok && e.ID == p.ID {
		return 0, nil
	}
	if slices.ContainsFunc(l.ProposalsFor(KindElect, ""), func(r ProposalRecord) bool {
		return r.IsIntent() && r.Neuron == p.Proposer && r.PayloadSHA256 == p.Action.PayloadSHA256()
	}) {
		return 0, nil // our own submission: submitDraft's reconciliation confirms it
	}
	now, err := t.Now(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the network's time: %w", err)
	}
	f := factsOf(KindElect, "", l.Version, p)
	l.NoteProposal(f)
	l.Record(now, t.Actor, "attach", fmt.Sprintf("governance already has election proposal %d of %s (%s, proposer neuron %d): recorded it instead of submitting another", p.ID, l.Version, p.Status, p.Proposer), p.ID)
	return p.ID, lk.Save(l)
}

// electionNow is the election's status: governance's answer, or, once
// governance no longer has the proposal (garbage-collected), the ledger's
// recorded outcome, else executed when the registry lists the version as
// elected and failed (rejected or failed: only settled proposals are
// collected) when it does not. A record known only from the registry is
// executed.
func (t *Tracker) electionNow(ctx context.Context, l *Ledger, e ProposalRecord) (governance.Status, error) {
	if e.Origin == OriginRegistry {
		return governance.StatusExecuted, nil
	}
	p, err := t.Gov.GetProposal(ctx, e.ID)
	if err == nil {
		return p.Status, nil
	}
	if !errors.Is(err, governance.ErrProposalNotFound) {
		return 0, err
	}
	if e.Settled() {
		return e.view().Status, nil
	}
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return 0, err
	}
	if _, ok := reg.GuestOSByID(l.Version); ok {
		return governance.StatusExecuted, nil
	}
	return governance.StatusFailed, nil
}

// electionFromFacts is the election's status when governance no longer
// has the proposal (garbage-collected) or it is known from the registry
// only: the ledger's recorded outcome, else the registry's elected set.
func electionFromFacts(l *Ledger, e ProposalRecord, o *observation) ElectionStatus {
	es := ElectionStatus{Proposal: e.ID, Source: ElectionFromLedger}
	switch {
	case e.Origin != OriginRegistry && e.Settled():
		es.Status, es.FailureReason = e.Status, e.FailureReason
		if e.Status != governance.StatusExecuted.String() {
			es.Next = "the election did not pass and governance no longer has its proposal: create a new release with a new election, or give up with `nnspatch release abandon <release> --reason TEXT`"
		}
	case electedInRegistry(l.Version, o):
		es.Status, es.Source = governance.StatusExecuted.String(), ElectionFromRegistry
	default:
		es.Status = "unknown"
		es.Next = fmt.Sprintf("governance no longer has proposal %d and the registry does not list %s as elected: it was rejected or failed; create a new release, or abandon this one", e.ID, shortVersion(l.Version))
	}
	return es
}

// electedInRegistry reports whether the registry lists (or listed) the
// version as elected.
func electedInRegistry(version string, o *observation) bool {
	if _, ok := o.reg.GuestOSByID(version); ok {
		return true
	}
	if o.tl != nil {
		_, ok := o.tl.Elections[version]
		return ok
	}
	return false
}
