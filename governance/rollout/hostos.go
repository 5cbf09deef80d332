package rollout

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// KindHostOSDeploy is the ledger kind of a DeployHostosToSomeNodes
// proposal; its record's Subnet is the batch key ("hostos batch N").
const KindHostOSDeploy = "hostos_deploy"

// HostOS stage names, in rollout order (DFINITY's HostOS rollout:
// dre-airflow dags/defaults.py).
const (
	StageCanary     = "canary"
	StageMain       = "main"
	StageUnassigned = "unassigned"
	StageStragglers = "stragglers"
)

// HostOS plan defaults (DFINITY's: 1 node per subnet per main batch, 100
// unassigned nodes per batch, at least 60 minutes per batch; tolerances
// 5 % main, 15 % unassigned, 100 % stragglers; the canaries tolerate none).
const (
	DefaultHostOSInterval        = time.Hour
	DefaultHostOSBake            = 30 * time.Minute
	DefaultHostOSPerSubnet       = 1
	DefaultHostOSUnassignedBatch = 100
	// MaxHostOSBatch bounds a batch so its proposal's summary, which lists
	// every node, stays within governance's 30000-byte limit.
	MaxHostOSBatch      = 150
	ToleranceCanary     = 0.0
	ToleranceMain       = 0.05
	ToleranceUnassigned = 0.15
	ToleranceStragglers = 1.0
)

// DefaultCanaryBatches are the canary batch sizes: 1 unassigned node, then 5.
var DefaultCanaryBatches = []int{1, 5}

// HostOSPlan is a HostOS release's staged node plan: canary → main →
// unassigned → stragglers, each stage with a failure tolerance.
type HostOSPlan struct {
	// Version is the HostOS version rolled out.
	Version string `yaml:"version" json:"version"`
	// Bake is how long a batch's nodes must have run the version (the
	// failures within tolerance) before the next batch starts.
	Bake Duration `yaml:"bake" json:"bake"`
	// Stages are in rollout order.
	Stages []HostOSStage `yaml:"stages" json:"stages"`
	// Previous is each node's HostOS version when the plan was made: what a
	// rollback restores.
	Previous map[string]string `yaml:"previous" json:"previous"`
}

// HostOSStage is one stage of a HostOS plan.
type HostOSStage struct {
	Name string `yaml:"name" json:"name"`
	// Tolerance is the fraction (0..1) of the stage's nodes that may fail
	// before the rollout stops.
	Tolerance float64 `yaml:"tolerance" json:"tolerance"`
	// Batches are one DeployHostosToSomeNodes proposal each.
	Batches []NodeBatch `yaml:"batches" json:"batches"`
}

// NodeBatch is one batch of nodes.
type NodeBatch struct {
	// Batch numbers the batches of the plan from 1.
	Batch int `yaml:"batch" json:"batch"`
	// Start is the earliest time its proposal is submitted.
	Start time.Time `yaml:"start" json:"start"`
	// Nodes are the node ids; the stragglers' batch is filled when it is
	// proposed (every planned node not yet on the version).
	Nodes []string `yaml:"nodes" json:"nodes"`
	// Rest marks the stragglers' batch.
	Rest bool `yaml:"rest,omitempty" json:"rest,omitempty"`
}

// key is the batch's target in the ledger's proposal records.
func (b NodeBatch) key() string { return fmt.Sprintf("hostos batch %d", b.Batch) }

// clone returns a deep copy of p (nil: nil).
func (p *HostOSPlan) clone() *HostOSPlan {
	if p == nil {
		return nil
	}
	c := *p
	c.Stages = make([]HostOSStage, len(p.Stages))
	for i, s := range p.Stages {
		c.Stages[i] = s
		c.Stages[i].Batches = make([]NodeBatch, len(s.Batches))
		for j, b := range s.Batches {
			b.Nodes = append([]string(nil), b.Nodes...)
			c.Stages[i].Batches[j] = b
		}
	}
	return &c
}

// Nodes returns the number of planned nodes.
func (p *HostOSPlan) Nodes() int { return len(p.Previous) }

// HostOSPlanOptions shape BuildHostOSPlan. Zero values mean the defaults.
type HostOSPlanOptions struct {
	Start    time.Time
	Interval time.Duration
	Bake     time.Duration
	// PerSubnet is how many nodes of each subnet a main batch takes.
	PerSubnet int
	// UnassignedBatch is how many unassigned nodes a batch takes.
	UnassignedBatch int
	// Canary are the canary batch sizes (unassigned nodes).
	Canary []int
	// Tolerances override stages' failure tolerances (HostOSPolicy).
	Tolerances map[string]float64
}

// tolerance is the stage's tolerance: the options', else the default.
func (o HostOSPlanOptions) tolerance(stage string, def float64) float64 {
	if t, ok := o.Tolerances[stage]; ok {
		return t
	}
	return def
}

func (o HostOSPlanOptions) withDefaults() HostOSPlanOptions {
	if o.Interval <= 0 {
		o.Interval = DefaultHostOSInterval
	}
	if o.Bake <= 0 {
		o.Bake = DefaultHostOSBake
	}
	if o.PerSubnet <= 0 {
		o.PerSubnet = DefaultHostOSPerSubnet
	}
	if o.UnassignedBatch <= 0 {
		o.UnassignedBatch = DefaultHostOSUnassignedBatch
	}
	if o.Canary == nil {
		o.Canary = DefaultCanaryBatches
	}
	return o
}

// BuildHostOSPlan plans every node of reg not yet on version: canaries from
// the unassigned nodes, then the subnets' nodes PerSubnet at a time per
// subnet, then the other unassigned nodes, then the stragglers.
func BuildHostOSPlan(version string, reg *governance.Registry, o HostOSPlanOptions) (*HostOSPlan, error) {
	o = o.withDefaults()
	p := &HostOSPlan{Version: version, Bake: Duration(o.Bake), Previous: map[string]string{}}
	assigned := map[string]bool{}
	for _, s := range reg.Subnets {
		for _, n := range s.Nodes {
			assigned[n] = true
		}
	}
	var unassigned []string
	for _, id := range sortedKeys(reg.Nodes) {
		if reg.Nodes[id].HostOSVersion == version {
			continue
		}
		p.Previous[id] = reg.Nodes[id].HostOSVersion
		if !assigned[id] {
			unassigned = append(unassigned, id)
		}
	}
	if len(p.Previous) == 0 {
		return nil, &PlanError{Problems: []Problem{{"nodes", fmt.Sprintf("every node already runs HostOS %s: nothing to roll out", version)}}}
	}
	var canary [][]string
	for _, size := range o.Canary {
		take := min(size, len(unassigned))
		if take > 0 {
			canary, unassigned = append(canary, unassigned[:take]), unassigned[take:]
		}
	}
	p.addStage(StageCanary, o.tolerance(StageCanary, ToleranceCanary), canary)
	p.addStage(StageMain, o.tolerance(StageMain, ToleranceMain), mainBatches(reg, p.Previous, o.PerSubnet))
	p.addStage(StageUnassigned, o.tolerance(StageUnassigned, ToleranceUnassigned), chunks(unassigned, min(o.UnassignedBatch, MaxHostOSBatch)))
	p.Stages = append(p.Stages, HostOSStage{Name: StageStragglers, Tolerance: o.tolerance(StageStragglers, ToleranceStragglers),
		Batches: []NodeBatch{{Rest: true, Nodes: []string{}}}})
	n := 0
	for si := range p.Stages {
		for bi := range p.Stages[si].Batches {
			b := &p.Stages[si].Batches[bi]
			b.Batch, b.Start = n+1, o.Start.UTC().Add(time.Duration(n)*o.Interval)
			n++
		}
	}
	return p, nil
}

// addStage appends a stage with one batch per node list (none when empty).
func (p *HostOSPlan) addStage(name string, tol float64, batches [][]string) {
	if len(batches) == 0 {
		return
	}
	st := HostOSStage{Name: name, Tolerance: tol}
	for _, nodes := range batches {
		st.Batches = append(st.Batches, NodeBatch{Nodes: nodes})
	}
	p.Stages = append(p.Stages, st)
}

// mainBatches takes perSubnet planned nodes of each subnet per batch.
func mainBatches(reg *governance.Registry, planned map[string]string, perSubnet int) [][]string {
	var queues [][]string
	for _, s := range reg.Subnets {
		var q []string
		for _, n := range s.Nodes {
			if _, ok := planned[n]; ok {
				q = append(q, n)
			}
		}
		if len(q) > 0 {
			queues = append(queues, q)
		}
	}
	var out [][]string
	for {
		var batch []string
		for i := range queues {
			take := min(perSubnet, len(queues[i]))
			batch, queues[i] = append(batch, queues[i][:take]...), queues[i][take:]
		}
		if len(batch) == 0 {
			return out
		}
		out = append(out, chunks(batch, MaxHostOSBatch)...)
	}
}

func chunks(ids []string, size int) [][]string {
	var out [][]string
	for len(ids) > 0 {
		take := min(size, len(ids))
		out, ids = append(out, ids[:take]), ids[take:]
	}
	return out
}

// NewHostOSRelease creates a HostOS release directory from a HostOS
// election draft (kind elect-hostos).
func NewHostOSRelease(ctx context.Context, s Store, d proposals.Draft, actor string, now time.Time, opts ...ReleaseOption) (*Ledger, error) {
	a := d.ElectHostOS
	if d.Kind != proposals.KindElectHostOS || a == nil || a.HostosVersionToElect == nil {
		return nil, fmt.Errorf("new HostOS release: the draft must elect a HostOS version (kind elect-hostos with hostos_version_to_elect)")
	}
	art := Artifact{URLs: append([]string{}, a.ReleasePackageURLs...)}
	if a.ReleasePackageSHA256Hex != nil {
		art.SHA256 = *a.ReleasePackageSHA256Hex
	}
	l := NewLedger(*a.HostosVersionToElect, d.Mode, art, now)
	l.Kind, l.ElectionDraft = ReleaseHostOS, ElectionDraftFile
	for _, o := range opts {
		o(l)
	}
	if l.QuietPeriod.Days <= 0 {
		return nil, fmt.Errorf("new release: the quiet period must last at least one day, not %d", l.QuietPeriod.Days)
	}
	l.Record(now, actor, "draft", fmt.Sprintf("drafted the %s-mode election of HostOS %s (sha256 %s); quiet period %d days", d.Mode, l.Version, art.SHA256, l.QuietPeriod.Days), 0)
	if err := s.Create(ctx, l); err != nil {
		return nil, err
	}
	if err := proposals.WriteDraft(filepath.Join(s.Dir, ElectionDraftFile), d); err != nil {
		return nil, err
	}
	return l, nil
}

// SaveHostOSPlan plans the release's nodes from the live registry and
// stores the plan. A plan cannot be replaced once a deploy was submitted.
func (t *Tracker) SaveHostOSPlan(ctx context.Context, o HostOSPlanOptions) (*HostOSPlan, error) {
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return nil, err
	}
	var plan *HostOSPlan
	err = t.update(ctx, func(l *Ledger, now time.Time) error {
		if err := requireKind(l, ReleaseHostOS, "plan HostOS stages"); err != nil {
			return err
		}
		if slices.ContainsFunc(l.Proposals, func(p ProposalRecord) bool { return p.Kind == KindHostOSDeploy }) {
			return fmt.Errorf("plan HostOS stages: deploy proposals were already submitted; the plan stays as it is")
		}
		if o.Start.IsZero() {
			o.Start = now
		}
		if plan, err = BuildHostOSPlan(l.Version, reg, o); err != nil {
			return err
		}
		l.HostOS = plan
		l.Record(now, t.Actor, "plan", fmt.Sprintf("planned %d HostOS nodes in %d stages", plan.Nodes(), len(plan.Stages)), 0)
		return nil
	})
	return plan, err
}

// Node states of a HostOS rollout.
const (
	NodePending    = "pending"
	NodeUpgrading  = "upgrading" // deploy in flight
	NodeRunning    = "running"   // registry names the version, host up
	NodeDown       = "down"      // registry names the version, host down
	NodeUnobserved = "unobserved"
	NodeRolledBack = "rolled_back"
)

// HostOSBatchStatus is one batch's state.
type HostOSBatchStatus struct {
	Batch    int          `json:"batch"`
	Start    time.Time    `json:"start"`
	Nodes    int          `json:"nodes"`
	State    State        `json:"state"`
	Proposal ProposalView `json:"proposal"`
	// Down are the batch's failed nodes on the version: the host does not
	// answer or an alert fires on the node (health.Snapshot.NodeFailed, as
	// DFINITY's HostOS sensor judges nodes by their alerts).
	Down []string `json:"down,omitempty"`
	// RolledBack are nodes back on another version after the deploy.
	RolledBack []string `json:"rolled_back,omitempty"`
	// Alerting are the batch's nodes with an alert pending: the batch keeps
	// baking until they clear (DFINITY's HostOS sensor waits for no alert,
	// pending or firing, on the batch's nodes).
	Alerting []string `json:"alerting,omitempty"`
}

// HostOSStageStatus is one stage's state.
type HostOSStageStatus struct {
	Name      string              `json:"name"`
	Tolerance float64             `json:"tolerance"`
	Nodes     int                 `json:"nodes"`
	Failed    int                 `json:"failed"`
	Exceeded  bool                `json:"exceeded"`
	State     State               `json:"state"`
	Batches   []HostOSBatchStatus `json:"batches"`
}

// HostOSStatus is a HostOS release's state.
type HostOSStatus struct {
	Kind     string              `json:"kind"`
	Version  string              `json:"version"`
	Mode     proposals.Mode      `json:"mode"`
	Now      time.Time           `json:"now"`
	State    RolloutState        `json:"state"`
	Election ElectionStatus      `json:"election"`
	Stages   []HostOSStageStatus `json:"stages,omitempty"`
	// Nodes counts the registry's nodes; OnVersion those running it.
	Nodes     int `json:"nodes"`
	OnVersion int `json:"on_version"`
	// Down are nodes running the version whose host does not answer or
	// that have an alert firing (health.Snapshot.NodeFailed).
	Down []string `json:"down,omitempty"`
	// DownSince is when each node of Down was first seen down.
	DownSince map[string]time.Time `json:"down_since,omitempty"`
	// RolledBack are nodes that ran the version and were moved back.
	RolledBack []string    `json:"rolled_back,omitempty"`
	Quiet      QuietStatus `json:"quiet_period"`
	Disclosure *Disclosure `json:"disclosure,omitempty"`
	Halted     *Halt       `json:"halted,omitempty"`
	Blockers   []string    `json:"blockers,omitempty"`
	// unpatched are the nodes not on the version, by id.
	unpatched []string
	// plan is a copy of the ledger's plan (nil: none), for PreviewAdvance
	// and the glance's bake times.
	plan *HostOSPlan
}

// ToleranceError reports a HostOS stage whose failed nodes exceed its
// failure tolerance. It matches ErrGateFailed.
type ToleranceError struct {
	Stage     string
	Failed    int
	Nodes     int
	Tolerance float64
	Down      []string
}

// ErrNoPlan reports an advance of a release that has no plan yet.
var ErrNoPlan = errors.New("the release has no plan")

// Error implements error.
func (e *ToleranceError) Error() string {
	return fmt.Sprintf("rollout stopped: HostOS stage %s has %d failed node(s) of %d, over its tolerance of %.0f%% (%s)",
		e.Stage, e.Failed, e.Nodes, e.Tolerance*100, listSome(e.Down, 5))
}

// Is reports whether target is ErrGateFailed.
func (e *ToleranceError) Is(target error) bool { return target == ErrGateFailed }

// listSome names up to n ids and counts the rest.
func listSome(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}

// HostOSStatus observes the release and derives its state (recording the
// quiet period's start and the proposals' facts).
func (t *Tracker) HostOSStatus(ctx context.Context) (*HostOSStatus, error) {
	lk, _, st, err := lockedLook(ctx, t.Store, t.hostOSStatus)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	return st, nil
}

// hostOSStatus derives the state of l (the caller saves l).
func (t *Tracker) hostOSStatus(ctx context.Context, l *Ledger) (*HostOSStatus, error) {
	if err := requireKind(l, ReleaseHostOS, "HostOS status"); err != nil {
		return nil, err
	}
	now, err := t.Now(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return nil, err
	}
	st := &HostOSStatus{Kind: ReleaseHostOS, Version: l.Version, Mode: l.Mode, Now: now, Disclosure: l.Disclosure, Halted: l.Halted}
	if st.Election, err = t.electionView(ctx, l, now); err != nil {
		return nil, err
	}
	var snap *health.Snapshot
	if t.Health != nil && hostOSDeployed(reg, l.Version) {
		if snap, err = t.Health.Snapshot(ctx); err != nil {
			return nil, fmt.Errorf("read health: %w", err)
		}
	}
	var completedAt time.Time
	if l.HostOS != nil {
		for _, stage := range l.HostOS.Stages {
			ss, err := t.hostOSStage(ctx, l, stage, reg, snap, now)
			if err != nil {
				return nil, err
			}
			for _, b := range ss.Batches {
				if b.Proposal.Executed.After(completedAt) {
					completedAt = b.Proposal.Executed
				}
			}
			st.Stages = append(st.Stages, ss)
		}
	}
	var unpatched []string
	for _, id := range sortedKeys(reg.Nodes) {
		st.Nodes++
		if reg.Nodes[id].HostOSVersion == l.Version {
			st.OnVersion++
			if snap.NodeFailed(id) {
				st.Down = append(st.Down, id)
			}
			continue
		}
		unpatched = append(unpatched, id)
	}
	for _, ss := range st.Stages {
		for _, b := range ss.Batches {
			st.RolledBack = append(st.RolledBack, b.RolledBack...)
		}
	}
	st.unpatched = unpatched
	if t.Health != nil { // every node on the version was observed (none: none is down)
		st.DownSince = noteDown(l, st.Down, now)
	}
	complete := st.Nodes > 0 && len(unpatched) == 0
	if complete && completedAt.IsZero() {
		completedAt = now
	}
	st.Quiet, _ = kindQuiet(l, now, t.Actor, complete, completedAt, nodeNames(unpatched))
	st.State = hostOSState(l, st, complete)
	st.Blockers = hostOSBlockers(l, st)
	st.plan = l.HostOS.clone()
	return st, nil
}

// noteDown records when each node of down was first seen down and forgets
// the nodes seen up again (the caller observed every node); it returns the
// first-seen times of down.
func noteDown(l *Ledger, down []string, now time.Time) map[string]time.Time {
	seen := map[string]time.Time{}
	for _, id := range down {
		if at := l.Nodes[id].Down; !at.IsZero() {
			seen[id] = at
		} else {
			seen[id] = now.UTC()
		}
	}
	l.Nodes = nil
	for id, at := range seen {
		if l.Nodes == nil {
			l.Nodes = map[string]NodeRecord{}
		}
		l.Nodes[id] = NodeRecord{Down: at}
	}
	if len(seen) == 0 {
		return nil
	}
	return seen
}

// nodeNames summarizes unpatched nodes for the quiet period.
func nodeNames(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > 3 {
		return []string{fmt.Sprintf("%d nodes (%s)", len(ids), listSome(ids, 3))}
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "node " + id
	}
	return out
}

func hostOSDeployed(reg *governance.Registry, version string) bool {
	for _, n := range reg.Nodes {
		if n.HostOSVersion == version {
			return true
		}
	}
	return false
}

// hostOSStage derives one stage: its batches, failed nodes and whether
// they exceed the tolerance.
func (t *Tracker) hostOSStage(ctx context.Context, l *Ledger, stage HostOSStage, reg *governance.Registry, snap *health.Snapshot, now time.Time) (HostOSStageStatus, error) {
	ss := HostOSStageStatus{Name: stage.Name, Tolerance: stage.Tolerance, State: StateComplete}
	for _, b := range stage.Batches {
		bs, err := t.hostOSBatch(ctx, l, b, reg, snap, now)
		if err != nil {
			return ss, err
		}
		ss.Nodes += bs.Nodes
		ss.Failed += len(bs.Down)
		if bs.State == StateFailed {
			ss.Failed += bs.Nodes
		}
		ss.Batches = append(ss.Batches, bs)
		if bs.State != StateComplete && ss.State == StateComplete {
			ss.State = bs.State
		}
	}
	if ss.Nodes > 0 && float64(ss.Failed) > math.Floor(ss.Tolerance*float64(ss.Nodes)+1e-9) {
		ss.Exceeded, ss.State = true, StateFailed
	}
	return ss, nil
}

// hostOSBatch derives one batch from its latest proposal, the registry and
// the nodes' health.
func (t *Tracker) hostOSBatch(ctx context.Context, l *Ledger, b NodeBatch, reg *governance.Registry, snap *health.Snapshot, now time.Time) (HostOSBatchStatus, error) {
	bs := HostOSBatchStatus{Batch: b.Batch, Start: b.Start, Nodes: len(b.Nodes), State: StatePending}
	recs := l.ProposalsFor(KindHostOSDeploy, b.key())
	if len(recs) == 0 {
		return bs, nil
	}
	r := recs[len(recs)-1]
	if r.IsIntent() {
		bs.State = StateProposing
		return bs, nil
	}
	v, err := t.proposalNow(ctx, l, r, now)
	if err != nil {
		return bs, err
	}
	bs.Proposal = v
	switch v.Status {
	case governance.StatusRejected, governance.StatusFailed:
		bs.State = StateFailed
		return bs, nil
	case governance.StatusExecuted:
	default:
		bs.State = StateWaitingForAdoption
		return bs, nil
	}
	for _, id := range b.Nodes {
		if reg.Nodes[id].HostOSVersion != l.Version {
			bs.RolledBack = append(bs.RolledBack, id)
			continue
		}
		switch _, verdict := snap.NodeCheck(id); verdict {
		case health.NodeFailed: // down, or an alert firing on it
			bs.Down = append(bs.Down, id)
		case health.NodeWaiting:
			bs.Alerting = append(bs.Alerting, id)
		}
	}
	switch {
	case len(bs.RolledBack) > 0:
		bs.State = StateRolledBack
	case now.Sub(v.Executed) < time.Duration(l.HostOS.Bake) || len(bs.Alerting) > 0:
		bs.State = StateBaking
	default:
		bs.State = StateComplete
	}
	return bs, nil
}

// hostOSState is the rollout's overall state.
func hostOSState(l *Ledger, st *HostOSStatus, complete bool) RolloutState {
	switch {
	case l.Abandoned != nil:
		return RolloutAbandoned
	case l.Halted != nil:
		return RolloutHalted
	case len(st.RolledBack) > 0:
		return RolloutRolledBack
	case slices.ContainsFunc(st.Stages, func(s HostOSStageStatus) bool { return s.Exceeded }):
		return RolloutFailed
	case complete:
		return RolloutComplete
	case st.Election.Status == governance.StatusRejected.String() || st.Election.Status == governance.StatusFailed.String():
		return RolloutElectFailed
	case st.Election.Status != governance.StatusExecuted.String() || l.HostOS == nil:
		return RolloutPreparing
	}
	return RolloutUpgradingNodes
}

// hostOSBlockers says what holds the rollout back.
func hostOSBlockers(l *Ledger, st *HostOSStatus) []string {
	var out []string
	if l.HostOS == nil && st.State != RolloutComplete {
		out = append(out, "no plan: run `nnspatch rollout plan <release>`")
	}
	for _, s := range st.Stages {
		if s.Exceeded {
			out = append(out, (&ToleranceError{Stage: s.Name, Failed: s.Failed, Nodes: s.Nodes, Tolerance: s.Tolerance, Down: stageDown(s)}).Error())
		}
	}
	if len(st.RolledBack) > 0 {
		out = append(out, fmt.Sprintf("%d node(s) were rolled back (%s): the rollout stops; the usual answer is a new release", len(st.RolledBack), listSome(st.RolledBack, 3)))
	}
	return out
}

func stageDown(s HostOSStageStatus) []string {
	var out []string
	for _, b := range s.Batches {
		out = append(out, b.Down...)
	}
	return out
}

// HostOSAdvanceResult is what AdvanceHostOS did and the state it saw.
type HostOSAdvanceResult struct {
	Submitted []Submitted   `json:"submitted"`
	Status    *HostOSStatus `json:"status"`
}

// AdvanceHostOS submits the next batch's DeployHostosToSomeNodes proposal
// once every earlier batch is complete (baked, failures within its stage's
// tolerance) and the batch's start time has come. A stage over its
// tolerance is a *ToleranceError; nothing to do is a *WaitError.
func (t *Tracker) AdvanceHostOS(ctx context.Context) (*HostOSAdvanceResult, error) {
	lk, l, st, err := lockedLook(ctx, t.Store, t.hostOSStatus)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	res := &HostOSAdvanceResult{Status: st, Submitted: []Submitted{}}
	if err := hostOSPrecheck(l, st); err != nil {
		return res, err
	}
	b, wait, err := t.nextNodeBatch(l, st)
	if err != nil || b == nil {
		if err == nil {
			err = &WaitError{Reasons: wait}
		}
		return res, err
	}
	d, err := hostOSDeployDraft(l, b.Nodes, l.Version)
	if err != nil {
		return res, err
	}
	id, err := t.submitDraft(ctx, lk, l, KindHostOSDeploy, b.key(), d)
	if err != nil {
		return res, err
	}
	res.Submitted = append(res.Submitted, Submitted{Kind: KindHostOSDeploy, Subnet: b.key(), Proposal: id})
	l.Record(st.Now, t.Actor, "advance", fmt.Sprintf("advanced: HostOS batch %d (%d nodes) proposed as %d", b.Batch, len(b.Nodes), id), id)
	return res, lk.Save(l)
}

// hostOSPrecheck refuses to advance an abandoned, halted, rolled-back or
// failed rollout and waits for the election and the plan.
func hostOSPrecheck(l *Ledger, st *HostOSStatus) error {
	return hostOSCheck(st, l.Abandoned != nil, l.Halted, l.HostOS != nil)
}

// hostOSCheck is hostOSPrecheck on the facts it needs (PreviewAdvance has
// the status alone).
func hostOSCheck(st *HostOSStatus, abandoned bool, halted *Halt, planned bool) error {
	switch {
	case abandoned:
		return ErrAbandoned
	case halted != nil:
		return &HaltedError{Halt: *halted, Source: HaltLocal}
	case len(st.RolledBack) > 0:
		return fmt.Errorf("%w: %s", ErrRolledBack, st.Blockers[0])
	case st.Election.Status == governance.StatusRejected.String() || st.Election.Status == governance.StatusFailed.String():
		return fmt.Errorf("%w: proposal %d %s", ErrElectionFailed, st.Election.Proposal, st.Election.Status)
	case st.Election.Status != governance.StatusExecuted.String():
		return &WaitError{Reasons: []string{"the election is " + st.Election.Status}}
	case !planned:
		return fmt.Errorf("advance: %w", ErrNoPlan)
	}
	for _, s := range st.Stages {
		if s.Exceeded {
			return &ToleranceError{Stage: s.Name, Failed: s.Failed, Nodes: s.Nodes, Tolerance: s.Tolerance, Down: stageDown(s)}
		}
	}
	return nil
}

// nextNodeBatch returns the first batch not complete when it can be
// proposed now (the stragglers' batch gets its nodes here), or why not.
func (t *Tracker) nextNodeBatch(l *Ledger, st *HostOSStatus) (*NodeBatch, []string, error) {
	for si, ss := range st.Stages {
		for bi, bs := range ss.Batches {
			b := &l.HostOS.Stages[si].Batches[bi]
			switch bs.State {
			case StateComplete:
				continue
			case StateBaking:
				if len(bs.Alerting) > 0 {
					return nil, []string{fmt.Sprintf("HostOS batch %d waits for the alerts pending on %s to clear", bs.Batch, listSome(bs.Alerting, 5))}, nil
				}
				return nil, []string{fmt.Sprintf("HostOS batch %d bakes until %s", bs.Batch, bs.Proposal.Executed.Add(time.Duration(l.HostOS.Bake)).Format(time.RFC3339))}, nil
			case StateFailed:
				if !t.RetryProposals {
					return nil, nil, &GateError{Subnet: b.key(), Check: "proposal", Detail: fmt.Sprintf("proposal %d %s %s; pass --retry-proposals to propose the batch again", bs.Proposal.ID, bs.Proposal.Status, bs.Proposal.FailureReason)}
				}
				l.Record(st.Now, t.Actor, "force", fmt.Sprintf("proposing HostOS batch %d again after proposal %d %s", bs.Batch, bs.Proposal.ID, bs.Proposal.Status), bs.Proposal.ID)
			case StatePending:
			default:
				return nil, []string{fmt.Sprintf("HostOS batch %d is %s", bs.Batch, bs.State)}, nil
			}
			if st.Now.Before(b.Start) {
				return nil, []string{fmt.Sprintf("HostOS batch %d starts at %s", b.Batch, b.Start.Format(time.RFC3339))}, nil
			}
			if b.Rest {
				if b.Nodes = stragglers(l, st); len(b.Nodes) == 0 {
					continue
				}
			}
			return b, nil, nil
		}
	}
	return moreStragglers(l, st)
}

// moreStragglers adds a stragglers' batch when the last one completed and
// planned nodes are still not on the version (a batch holds at most
// MaxHostOSBatch nodes).
func moreStragglers(l *Ledger, st *HostOSStatus) (*NodeBatch, []string, error) {
	rest := stragglers(l, st)
	last := &l.HostOS.Stages[len(l.HostOS.Stages)-1]
	if len(rest) == 0 || last.Name != StageStragglers {
		return nil, []string{"every batch was proposed"}, nil
	}
	n := last.Batches[len(last.Batches)-1].Batch + 1
	last.Batches = append(last.Batches, NodeBatch{Batch: n, Start: st.Now.UTC(), Rest: true, Nodes: rest})
	return &last.Batches[len(last.Batches)-1], nil, nil
}

// stragglers are the planned nodes not on the version.
func stragglers(l *Ledger, st *HostOSStatus) []string {
	var out []string
	for _, id := range sortedKeys(l.HostOS.Previous) {
		if slices.Contains(st.unpatched, id) {
			out = append(out, id)
		}
	}
	return out[:min(len(out), MaxHostOSBatch)]
}

// hostOSDeployDraft drafts DeployHostosToSomeNodes of version to nodes.
func hostOSDeployDraft(l *Ledger, nodes []string, version string) (proposals.Draft, error) {
	ids := make([]principal.Principal, 0, len(nodes))
	for _, n := range nodes {
		p, err := principal.Decode(n)
		if err != nil {
			return proposals.Draft{}, fmt.Errorf("plan node %q: %w", n, err)
		}
		ids = append(ids, p)
	}
	return proposals.NewDeployHostOS(proposals.DeployHostOSOptions{Mode: l.Mode, Version: version, NodeIDs: ids})
}
