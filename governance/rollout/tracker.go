package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
)

// Governance is what the tracker needs of governance.Client.
type Governance interface {
	// ListProposals lists proposals newest first.
	ListProposals(ctx context.Context, o governance.ListOptions) ([]governance.Proposal, error)
	// GetProposal reads one proposal with its full payload.
	GetProposal(ctx context.Context, id uint64) (*governance.Proposal, error)
	// Registry reads a registry snapshot.
	Registry(ctx context.Context) (*governance.Registry, error)
	// Preflight checks a proposal against the live NNS without submitting.
	Preflight(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (*governance.Preflight, error)
	// MakeProposal submits a proposal and returns its id.
	MakeProposal(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (uint64, error)
}

// Tracker drives one release: it observes governance, the registry and
// health, derives states, and submits the proposals the plan calls for.
type Tracker struct {
	// Store is the release directory.
	Store Store
	// Gov reads and writes governance.
	Gov Governance
	// Health observes subnets; nil means no health data (deployed subnets
	// stay "upgrading").
	Health health.Source
	// Now returns the network's current time (the virtual clock on localnet).
	Now func(ctx context.Context) (time.Time, error)
	// Actor is the acting principal, recorded with every action.
	Actor string
	// Neuron is the proposer neuron.
	Neuron uint64
	// Policy checks the security-mode texts of every draft submitted.
	Policy proposals.Policy
	// RetryProposals lets Advance propose again for subnets whose deploy
	// proposal was rejected or failed (a recorded override); otherwise such
	// a subnet stops the rollout like a failed health check.
	RetryProposals bool
	// RedeployRolledBack lets Advance propose the version again for the
	// rolled-back subnets of the current batch (a recorded override);
	// otherwise a rolled-back subnet stops the rollout (*RolledBackError).
	RedeployRolledBack bool
}

// observation is one look at the world for a release.
type observation struct {
	now      time.Time
	reg      *governance.Registry
	election *governance.Proposal
	deploys  map[string][]ProposalView // by subnet id
	unassign []ProposalView
	// apibn are the function-47 deploys of the version, oldest first.
	apibn []ProposalView
	// replaced is the latest executed deploy of another version, by
	// subnet id ("" for the unassigned nodes).
	replaced map[string]*Replacement
	health   *health.Snapshot
	// tl is the registry timeline; nil when the client cannot read the
	// registry log.
	tl *timeline.Timeline
	// log is the registry log the timeline was built from (nil with it).
	log *governance.RegistryLog
}

// observe reads everything Status needs. Health is read only once some
// subnet's or API boundary node's registry record names the version.
func (t *Tracker) observe(ctx context.Context, l *Ledger) (*observation, error) {
	o := &observation{deploys: map[string][]ProposalView{}, replaced: map[string]*Replacement{}}
	var err error
	if o.now, err = t.Now(ctx); err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	if o.reg, err = t.Gov.Registry(ctx); err != nil {
		return nil, err
	}
	if o.log, err = readRegistryLog(ctx, t.Gov); err != nil {
		return nil, err
	}
	if o.log != nil {
		if o.tl, err = timeline.Build(o.log); err != nil {
			return nil, err
		}
	}
	if err := t.readElection(ctx, l, o); err != nil {
		return nil, err
	}
	if err := t.readDeploys(ctx, l, o); err != nil {
		return nil, err
	}
	if t.Health != nil && l.Plan != nil && anyDeployed(o.reg, l.Version) {
		if o.health, err = t.Health.Snapshot(ctx); err != nil {
			return nil, fmt.Errorf("read health: %w", err)
		}
	}
	return o, nil
}

func anyDeployed(reg *governance.Registry, version string) bool {
	subnets, _, apiBNs := reg.GuestOSInUse(version)
	return len(subnets) > 0 || len(apiBNs) > 0
}

// lookBack is how far before the release's creation deployment proposals
// are still read (mainnet has thousands of older ones).
const lookBack = 7 * 24 * time.Hour

// deploysSince pages through the deployment proposals, newest first, until
// they are older than since.
func (t *Tracker) deploysSince(ctx context.Context, since time.Time) ([]governance.Proposal, error) {
	var out []governance.Proposal
	before := uint64(0)
	for {
		page, err := t.Gov.ListProposals(ctx, governance.ListOptions{Topics: []governance.Topic{governance.TopicIcOsVersionDeployment}, Limit: 100, Before: before})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 100 || page[len(page)-1].Deadlines.Created.Before(since) {
			return out, nil
		}
		before = page[len(page)-1].ID
	}
}

// readElection reads the release's election proposal and records its
// facts. A proposal governance no longer has (garbage-collected) is not
// an error: the ledger's facts stand in for it (o.election stays nil).
func (t *Tracker) readElection(ctx context.Context, l *Ledger, o *observation) error {
	e, ok := l.Election()
	if !ok || e.ID == 0 {
		return nil
	}
	p, err := t.Gov.GetProposal(ctx, e.ID)
	switch {
	case errors.Is(err, governance.ErrProposalNotFound):
		l.markGone(e.ID, o.now)
		return nil
	case err != nil:
		return err
	}
	o.election = p
	return l.noteChecked(factsOf(KindElect, "", l.Version, p))
}

// factsOf is the record of proposal p of the release's kind and target.
func factsOf(kind, subnet, version string, p *governance.Proposal) ProposalRecord {
	r := ProposalRecord{ID: p.ID, Kind: kind, Subnet: subnet, PayloadSHA256: p.Action.PayloadSHA256(), Neuron: p.Proposer,
		Version: version, Status: p.Status.String(), FailureReason: p.FailureReason, Created: p.Deadlines.Created.UTC()}
	if !p.Executed.IsZero() {
		r.Executed = p.Executed.UTC()
	}
	return r
}

// readDeploys reads the deployment proposals of the release's version
// (those in governance and those the ledger recorded), oldest first, and
// the latest executed deploy of any other version per target. Every deploy
// of the version seen in governance is recorded in the ledger with its
// facts, whoever proposed it; one governance no longer has counts with the
// facts recorded earlier, and a target the registry shows on the version
// without any deploy in view counts as deployed then.
func (t *Tracker) readDeploys(ctx context.Context, l *Ledger, o *observation) error {
	ps, err := t.deploysSince(ctx, l.Created.Add(-lookBack))
	if err != nil {
		return err
	}
	version := l.Version
	seen := map[uint64]bool{}
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if p.Action.Kind != "ExecuteNnsFunction" || len(p.Action.Payload) == 0 {
			continue
		}
		a, err := proposals.DecodePayload(p.Action.NNSFunction, p.Action.Payload)
		if err != nil {
			continue // not an IC OS deployment nnspatch understands
		}
		v := ProposalView{ID: p.ID, Status: p.Status, FailureReason: p.FailureReason, Executed: p.Executed}
		switch a := a.(type) {
		case proposals.DeployGuestosToAllSubnetNodes:
			id := a.SubnetID.Encode()
			if a.ReplicaVersionID == version {
				seen[p.ID] = true
				if err := l.noteChecked(factsOf(KindDeploy, id, version, &p)); err != nil {
					return err
				}
			} else {
				o.replace(id, a.ReplicaVersionID, v)
			}
		case proposals.DeployGuestosToAllUnassignedNodes:
			if a.ElectedReplicaVersion == version {
				seen[p.ID] = true
				if err := l.noteChecked(factsOf(KindUnassigned, "", version, &p)); err != nil {
					return err
				}
			} else {
				o.replace("", a.ElectedReplicaVersion, v)
			}
		case proposals.DeployGuestosToSomeAPIBoundaryNodes:
			o.noteAPIBoundaryDeploy(l, &p, a, v, seen)
		}
	}
	if err := t.recallUnseen(ctx, l, o, seen); err != nil {
		return err
	}
	o.deployViews(l)
	o.fromRegistry(version)
	return nil
}

// recallUnseen reads the recorded deploys the listing did not show. One
// governance still has refreshes its facts; one it no longer has is marked
// gone, and without a recorded outcome it takes one from the registry.
func (t *Tracker) recallUnseen(ctx context.Context, l *Ledger, o *observation, seen map[uint64]bool) error {
	for i := range l.Proposals {
		r := l.Proposals[i]
		if r.Kind == KindElect || r.ID == 0 || seen[r.ID] || !r.Gone.IsZero() {
			continue
		}
		p, err := t.Gov.GetProposal(ctx, r.ID)
		switch {
		case errors.Is(err, governance.ErrProposalNotFound):
			l.markGone(r.ID, o.now)
			if !r.Settled() {
				l.NoteProposal(o.outcomeFromRegistry(r, l.Version))
			}
		case err != nil:
			return err
		default:
			if err := l.noteChecked(factsOf(r.Kind, r.Subnet, l.Version, p)); err != nil {
				return err
			}
		}
	}
	return nil
}

// outcomeFromRegistry is the outcome of a garbage-collected deploy whose
// outcome the ledger never recorded. Governance collects settled proposals
// only, so it executed if the registry ever showed its target on the
// version (then), and was rejected or failed otherwise.
func (o *observation) outcomeFromRegistry(r ProposalRecord, version string) ProposalRecord {
	r.Version = version
	if ran, at := o.ranVersion(targetOf(r.Kind, r.Subnet), version); ran {
		r.Status, r.Executed = governance.StatusExecuted.String(), at
		return r
	}
	r.Status = governance.StatusFailed.String()
	r.FailureReason = "garbage-collected by governance before its outcome was recorded; the registry never showed the version on the target (rejected or failed)"
	return r
}

// targetOf names the timeline target of a deploy record.
func targetOf(kind, subnet string) timeline.TargetID {
	if kind == KindUnassigned {
		return timeline.TargetID{Kind: timeline.KindUnassigned}
	}
	return timeline.TargetID{Kind: timeline.KindSubnet, ID: subnet}
}

// ranVersion reports whether the target ever ran version, and when it
// last switched to it (zero when unknown). Without a timeline it looks at
// the registry snapshot only.
func (o *observation) ranVersion(id timeline.TargetID, version string) (bool, time.Time) {
	return ranVersion(o.tl, o.reg, id, version)
}

func ranVersion(tl *timeline.Timeline, reg *governance.Registry, id timeline.TargetID, version string) (bool, time.Time) {
	if tl != nil {
		tg, ok := tl.Target(id)
		if !ok {
			return false, time.Time{}
		}
		for i := len(tg.Runs) - 1; i >= 0; i-- {
			if tg.Runs[i].Version == version {
				return true, tg.Runs[i].Time
			}
		}
		return false, time.Time{}
	}
	if id.Kind == timeline.KindUnassigned {
		return reg.UnassignedVersion == version, time.Time{}
	}
	s, ok := reg.SubnetByID(id.ID)
	return ok && s.GuestOSVersion == version, time.Time{}
}

// deployViews fills the deploys of the version from the ledger (which
// readDeploys brought up to date), oldest first.
func (o *observation) deployViews(l *Ledger) {
	for _, r := range l.Proposals {
		switch {
		case r.ID == 0:
		case r.Kind == KindDeploy:
			o.deploys[r.Subnet] = append(o.deploys[r.Subnet], r.view())
		case r.Kind == KindUnassigned:
			o.unassign = append(o.unassign, r.view())
		case r.Kind == KindAPIBoundary:
			o.apibn = append(o.apibn, r.view())
		}
	}
	byID := func(a, b ProposalView) int { return cmp.Compare(a.ID, b.ID) }
	for _, vs := range o.deploys {
		slices.SortFunc(vs, byID)
	}
	slices.SortFunc(o.unassign, byID)
	slices.SortFunc(o.apibn, byID)
}

// fromRegistry completes the view from the registry timeline where
// governance no longer shows what happened: a target that ran the version
// with no deploy of it in view gets an executed deploy at its switch (id
// 0), and one that ran it and now runs an older version with no later
// executed deploy in view gets a replacement at that switch (id 0).
func (o *observation) fromRegistry(version string) {
	if o.tl == nil {
		return
	}
	for _, tg := range o.tl.Current() {
		if tg.Kind != timeline.KindSubnet && tg.Kind != timeline.KindUnassigned {
			continue
		}
		ran, at := o.ranVersion(tg.TargetID, version)
		if !ran {
			continue
		}
		key, list := tg.ID, o.deploys[tg.ID]
		if tg.Kind == timeline.KindUnassigned {
			key, list = "", o.unassign
		}
		if !slices.ContainsFunc(list, func(v ProposalView) bool { return v.Status == governance.StatusExecuted }) {
			// the oldest fact known: before any proposal still in view
			list = append([]ProposalView{{Status: governance.StatusExecuted, Executed: at}}, list...)
			if tg.Kind == timeline.KindUnassigned {
				o.unassign = list
			} else {
				o.deploys[key] = list
			}
		}
		cur := tg.Runs[len(tg.Runs)-1]
		if cur.Version == version || o.tl.Outcome(tg, version) != timeline.OutcomeRolledBack {
			continue
		}
		last := list[len(list)-1]
		if r := o.replaced[key]; r == nil || !rolledBack(&last, r) {
			o.replaced[key] = &Replacement{Version: cur.Version, Executed: cur.Time}
		}
	}
}

// replace keeps v, an executed deploy of version to target, when it is the
// latest executed one of another version seen.
func (o *observation) replace(target, version string, v ProposalView) {
	if v.Status != governance.StatusExecuted || v.Executed.IsZero() {
		return
	}
	if r := o.replaced[target]; r == nil || v.Executed.After(r.Executed) || (v.Executed.Equal(r.Executed) && v.ID > r.ID) {
		o.replaced[target] = &Replacement{ID: v.ID, Version: version, Executed: v.Executed}
	}
}

// hasIntent reports an unconfirmed intent of kind for subnet.
func hasIntent(l *Ledger, kind, subnet string) bool {
	for _, p := range l.ProposalsFor(kind, subnet) {
		if p.ID == 0 {
			return true
		}
	}
	return false
}

// ErrAbandoned reports an action on an abandoned release.
var ErrAbandoned = errors.New("release was abandoned")

// RegistryLogReader is a Governance that can read the registry's
// changelog (governance.Client can); the tracker then derives outcomes and
// the quiet period from the timeline.
type RegistryLogReader interface {
	RegistryLog(ctx context.Context) (*governance.RegistryLog, error)
}

// readTimeline builds the registry timeline when gov can read the log.
func readTimeline(ctx context.Context, gov Governance) (*timeline.Timeline, error) {
	log, err := readRegistryLog(ctx, gov)
	if err != nil || log == nil {
		return nil, err
	}
	return timeline.Build(log)
}

// readRegistryLog reads the registry log when gov can (nil otherwise).
func readRegistryLog(ctx context.Context, gov Governance) (*governance.RegistryLog, error) {
	r, ok := gov.(RegistryLogReader)
	if !ok {
		return nil, nil
	}
	log, err := r.RegistryLog(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the registry log: %w", err)
	}
	return log, nil
}

// superseded returns the newer version the target runs after having run
// version, or "" (also without a timeline).
func (o *observation) superseded(id timeline.TargetID, version string) string {
	if o.tl == nil {
		return ""
	}
	tg, ok := o.tl.Target(id)
	if !ok || o.tl.Outcome(tg, version) != timeline.OutcomeSuperseded {
		return ""
	}
	return tg.Runs[len(tg.Runs)-1].Version
}

// byProposal names what made a change: "by proposal N", or, for a change
// known only from the registry (id 0: governance garbage-collected the
// proposal), "per the registry".
func byProposal(id uint64) string {
	if id == 0 {
		return "per the registry (the proposal is no longer in governance)"
	}
	return fmt.Sprintf("by proposal %d", id)
}

// proposalName is "proposal N", or "a deploy known from the registry" for
// id 0.
func proposalName(id uint64) string {
	if id == 0 {
		return "a deploy known from the registry"
	}
	return fmt.Sprintf("proposal %d", id)
}
