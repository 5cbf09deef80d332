package rollout

import (
	"context"
	"errors"
	"fmt"
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
	// replaced is the latest executed deploy of another version, by
	// subnet id ("" for the unassigned nodes).
	replaced map[string]*Replacement
	health   *health.Snapshot
	// tl is the registry timeline; nil when the client cannot read the
	// registry log.
	tl *timeline.Timeline
}

// observe reads everything Status needs. Health is read only once some
// subnet's registry record names the version.
func (t *Tracker) observe(ctx context.Context, l *Ledger) (*observation, error) {
	o := &observation{deploys: map[string][]ProposalView{}, replaced: map[string]*Replacement{}}
	var err error
	if o.now, err = t.Now(ctx); err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	if o.reg, err = t.Gov.Registry(ctx); err != nil {
		return nil, err
	}
	if o.tl, err = readTimeline(ctx, t.Gov); err != nil {
		return nil, err
	}
	if e, ok := l.Election(); ok && e.ID != 0 {
		if o.election, err = t.Gov.GetProposal(ctx, e.ID); err != nil {
			return nil, err
		}
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
	subnets, _, _ := reg.GuestOSInUse(version)
	return len(subnets) > 0
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

// readDeploys lists the deployment proposals of version, oldest first,
// and the latest executed deploy of any other version per target.
func (t *Tracker) readDeploys(ctx context.Context, l *Ledger, o *observation) error {
	ps, err := t.deploysSince(ctx, l.Created.Add(-lookBack))
	if err != nil {
		return err
	}
	version := l.Version
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
				o.deploys[id] = append(o.deploys[id], v)
			} else {
				o.replace(id, a.ReplicaVersionID, v)
			}
		case proposals.DeployGuestosToAllUnassignedNodes:
			if a.ElectedReplicaVersion == version {
				o.unassign = append(o.unassign, v)
			} else {
				o.replace("", a.ElectedReplicaVersion, v)
			}
		}
	}
	return nil
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
	r, ok := gov.(RegistryLogReader)
	if !ok {
		return nil, nil
	}
	log, err := r.RegistryLog(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the registry log: %w", err)
	}
	return timeline.Build(log)
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
