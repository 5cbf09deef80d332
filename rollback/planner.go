package rollback

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
)

// ErrNothingToRollBack reports that no subnet (and not the unassigned
// nodes) runs the version.
var ErrNothingToRollBack = errors.New("nothing runs the version")

// ErrNoTarget reports a subnet with no earlier version to return to, or a
// version that must be re-elected but has no record in the history.
var ErrNoTarget = errors.New("no version to roll back to")

// DefaultProblem describes the failure when the caller gives none and a
// failure was detected (a failing subnet).
const DefaultProblem = "a subnet stopped making progress after its GuestOS update"

// NeutralProblem is the problem text when no failure was detected and the
// caller gave none: public texts never claim a failure nobody observed.
const NeutralProblem = "the release is rolled back as a precaution; no failure was detected on the targets"

// ErrNoFailure reports a plan with a timeline, no failing subnet, no
// subnets named and not every target asked for: healthy targets are not
// rolled back unless asked.
var ErrNoFailure = errors.New("no failing target")

// ErrNotTarget reports a subnet named for a rollback (as a target or as
// failing) that is not in the registry or does not run the release.
var ErrNotTarget = errors.New("not a rollback target")

// Input is what Build plans from.
type Input struct {
	// Release is the GuestOS version to roll back (the patch).
	Release string
	// Mode is the release's mode; security mode keeps the patch's commit
	// out of every text.
	Mode proposals.Mode
	// Registry is the registry now; History its history.
	Registry *governance.Registry
	History  *History
	// Failing are the subnets seen failing, most important first.
	Failing []string
	// Stalled are the subnets seen not finalizing at all. The NNS subnet
	// among them makes Build return a *RecoveryNeededError.
	Stalled []string
	// NNSSubnet is the NNS subnet (rollout.NNSSubnet when empty).
	NNSSubnet string
	// Subnets limits the rollback to these subnets (empty: every subnet
	// that runs Release). The unassigned nodes are planned only then.
	Subnets []string
	// To overrides the version restored everywhere.
	To string
	// Problem says what failed (DefaultProblem when empty).
	Problem string
	// Halt starts the plan with a halt of the release's rollout.
	Halt bool
	// Timeline is the registry timeline (timeline.Build); when set, each
	// target's version to restore is its last good version
	// (timeline.Timeline.LastGood) and healthy targets are left alone
	// unless AllTargets is set.
	Timeline *timeline.Timeline
	// Exclude are versions never to restore (--exclude), with Bad.
	Exclude []string
	// Bad are versions known bad with why (e.g. a release whose rollout
	// halted on them).
	Bad map[string]string
	// AllTargets rolls back every target that runs the release, healthy
	// ones included (only with Timeline).
	AllTargets bool
	// APIBoundary rolls back the API boundary nodes that run the release
	// (seen failing, or named with --api-boundary-nodes); they are also
	// included whenever every target is (no Subnets, and no Timeline or
	// AllTargets).
	APIBoundary bool
	// Pending are deploy proposals of the release that are not executed
	// yet: a halt does not stop them, so the plan says what to do.
	Pending []PendingDeploy
	// Templates override the built-in texts.
	Templates Templates
	// Policy checks security-mode texts; the zero value means
	// proposals.DefaultPolicy.
	Policy *proposals.Policy
	// Now stamps the plan.
	Now time.Time
}

// Build plans the rollback of in.Release.
func Build(in Input) (*Plan, error) {
	if in.Problem == "" {
		in.Problem = DefaultProblem
		if len(in.Failing) == 0 {
			in.Problem = NeutralProblem
		}
	}
	if in.Mode == proposals.ModeSecurity && namesCommit(in.Problem, in.Release) {
		return nil, fmt.Errorf("plan rollback: %w", &proposals.InvalidError{Problems: []proposals.Problem{{Path: "problem",
			Message: "names the patch's commit; a security-mode rollback text must not: describe what failed without the version", Severity: proposals.SeverityError}}})
	}
	if err := in.Templates.Validate(); err != nil {
		return nil, fmt.Errorf("plan rollback: %w", err)
	}
	if err := checkNNSStalled(in); err != nil {
		return nil, err
	}
	p := &Plan{SchemaVersion: PlanSchemaVersion, Release: in.Release, Mode: in.Mode, Problem: in.Problem,
		Created: in.Now.UTC(), RegistryVersion: in.Registry.Version, Targets: []Target{}, Steps: []Step{}}
	targets, err := findTargets(in)
	if err != nil {
		return nil, err
	}
	p.Targets = targets
	p.Notes = append(pendingNotes(in), apiBoundaryNotes(in)...)
	p.Notes = append(p.Notes, leftAloneNotes(in, targets)...)
	b := &builder{in: in, plan: p}
	if err := b.steps(); err != nil {
		return nil, err
	}
	return p, nil
}

// findTargets lists what runs the release and what each ran before it, in
// rollback order.
func findTargets(in Input) ([]Target, error) {
	if in.To != "" && in.To == in.Release {
		return nil, fmt.Errorf("plan rollback: the version to restore is GuestOS %s, the release being rolled back: %w", in.Release, ErrNoTarget)
	}
	var out []Target
	for _, s := range in.Registry.Subnets {
		if s.GuestOSVersion != in.Release || len(in.Subnets) > 0 && !slices.Contains(in.Subnets, s.ID) {
			continue
		}
		if healthyLeftAlone(in) && !slices.Contains(in.Failing, s.ID) {
			continue
		}
		vs, err := in.History.SubnetVersions(s.ID)
		if err != nil {
			return nil, err
		}
		t, err := target(in, "subnet "+s.ID, vs)
		if err != nil {
			return nil, err
		}
		t.Subnet, t.Failing = s.ID, slices.Contains(in.Failing, s.ID)
		out = append(out, t)
	}
	for _, id := range in.Subnets {
		if !slices.ContainsFunc(out, func(t Target) bool { return t.Subnet == id }) {
			return nil, fmt.Errorf("plan rollback: subnet %s does not run GuestOS %s: %w", id, in.Release, ErrNotTarget)
		}
	}
	sortTargets(out, in.Failing)
	if len(in.Subnets) == 0 && !healthyLeftAlone(in) && in.Registry.UnassignedVersion == in.Release {
		vs, err := in.History.UnassignedVersions()
		if err != nil {
			return nil, err
		}
		t, err := target(in, "the unassigned nodes", vs)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	bns, err := apiBoundaryTargets(in)
	if err != nil {
		return nil, err
	}
	out = append(out, bns...)
	if len(out) == 0 && healthyLeftAlone(in) && len(in.Failing) == 0 && runsRelease(in) {
		return nil, fmt.Errorf("plan rollback of GuestOS %s: %w was detected or named", in.Release, ErrNoFailure)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("plan rollback of GuestOS %s: %w", in.Release, ErrNothingToRollBack)
	}
	return out, nil
}

// healthyLeftAlone reports whether targets not seen failing stay out of
// the plan: with a timeline, unless --all-targets or --subnets.
func healthyLeftAlone(in Input) bool {
	return in.Timeline != nil && !in.AllTargets && len(in.Subnets) == 0
}

// runsRelease reports whether any subnet or the unassigned nodes run the
// release.
func runsRelease(in Input) bool {
	subnets, unassigned, apiBNs := in.Registry.GuestOSInUse(in.Release)
	return len(subnets) > 0 || unassigned || len(apiBNs) > 0
}

// leftAloneNotes names the targets that run the release and are not in the
// plan because they were not seen failing.
func leftAloneNotes(in Input, planned []Target) []string {
	if !healthyLeftAlone(in) {
		return nil
	}
	var left []string
	for _, tg := range in.Timeline.Current() {
		cur := tg.Runs[len(tg.Runs)-1].Version
		if cur != in.Release || tg.Kind == timeline.KindSubnet && slices.ContainsFunc(planned, func(t Target) bool { return t.Subnet == tg.ID }) ||
			tg.Kind == timeline.KindAPIBoundary && slices.ContainsFunc(planned, func(t Target) bool { return slices.Contains(t.APIBoundaryNodes, tg.ID) }) {
			continue
		}
		left = append(left, tg.TargetID.String())
	}
	if len(left) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("left alone (run GuestOS %s, not seen failing; pass --all-targets to include them): %s", short(in.Release), strings.Join(left, ", "))}
}

// target finds the version to restore: with a timeline the target's last
// good version, else the version before the last move to the release.
func target(in Input, what string, vs []VersionChange) (Target, error) {
	t := Target{Current: in.Release, Restore: in.To}
	if in.Timeline != nil && in.To == "" {
		return lastGoodTarget(in, what, vs)
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Version != in.Release {
			continue
		}
		t.UpgradedAt = vs[i].Registry
		if i > 0 && t.Restore == "" {
			t.Restore = vs[i-1].Version
		}
		break
	}
	if t.Restore == "" || t.Restore == in.Release {
		return t, fmt.Errorf("plan rollback: %s has run GuestOS %s since its record was created: %w", what, in.Release, ErrNoTarget)
	}
	_, t.RestoreElected = in.Registry.GuestOSByID(t.Restore)
	return t, nil
}

// lastGoodTarget picks the restore version from the timeline.
func lastGoodTarget(in Input, what string, vs []VersionChange) (Target, error) {
	t := Target{Current: in.Release}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Version == in.Release {
			t.UpgradedAt = vs[i].Registry
			break
		}
	}
	id := timeline.TargetID{Kind: timeline.KindUnassigned}
	if sub, ok := strings.CutPrefix(what, "subnet "); ok {
		id = timeline.TargetID{Kind: timeline.KindSubnet, ID: sub}
	}
	if node, ok := strings.CutPrefix(what, "API boundary node "); ok {
		id = timeline.TargetID{Kind: timeline.KindAPIBoundary, ID: node}
	}
	bad := map[string]timeline.BadReason{}
	for v, why := range in.Bad {
		bad[v] = timeline.BadReason(why)
	}
	for _, v := range in.Exclude {
		bad[v] = "excluded with --exclude"
	}
	lg, err := in.Timeline.LastGood(id, in.Release, bad)
	if err != nil {
		return t, fmt.Errorf("plan rollback: %w: %w", err, ErrNoTarget)
	}
	t.Restore, t.RestoreWhy = lg.Version, lg.Why
	_, t.RestoreElected = in.Registry.GuestOSByID(t.Restore)
	return t, nil
}

// PendingDeploy is a deploy proposal of the release still open or adopted.
type PendingDeploy struct {
	Subnet   string
	Proposal uint64
}

// pendingNotes says which subnets may still move to the release.
func pendingNotes(in Input) []string {
	var out []string
	for _, d := range in.Pending {
		out = append(out, fmt.Sprintf("subnet %s: deploy proposal %d of GuestOS %s is not executed yet and the halt does not stop it; vote to reject it, or once it executes run `nnspatch rollback plan` again to add the subnet",
			d.Subnet, d.Proposal, in.Release))
	}
	return out
}

// CheckFailing reports an error naming the first subnet of failing that
// does not run the release in reg.
func CheckFailing(reg *governance.Registry, release string, failing []string) error {
	for _, id := range failing {
		s, ok := reg.SubnetByID(id)
		if !ok {
			return fmt.Errorf("failing subnet %s is not in the registry: %w", id, ErrNotTarget)
		}
		if s.GuestOSVersion != release {
			return fmt.Errorf("failing subnet %s runs GuestOS %s, not the release %s: %w", id, s.GuestOSVersion, release, ErrNotTarget)
		}
	}
	return nil
}

// sortTargets puts failing subnets first (in the order given), then the
// others, most recently upgraded first.
func sortTargets(ts []Target, failing []string) {
	rank := func(t Target) int {
		if i := slices.Index(failing, t.Subnet); i >= 0 {
			return i
		}
		return len(failing)
	}
	slices.SortStableFunc(ts, func(a, b Target) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		if a.UpgradedAt != b.UpgradedAt {
			return int64cmp(b.UpgradedAt, a.UpgradedAt)
		}
		return strings.Compare(a.Subnet, b.Subnet)
	})
}

// builder turns targets into steps.
type builder struct {
	in   Input
	plan *Plan
}

func (b *builder) add(s Step) {
	s.N = len(b.plan.Steps) + 1
	b.plan.Steps = append(b.plan.Steps, s)
}

func (b *builder) steps() error {
	if b.in.Halt {
		b.add(Step{Kind: StepHalt, Why: "stop further batches of the rollout of " + b.in.Release,
			Precondition: Condition{Kind: CondNone, Text: "none"},
			Expect:       Condition{Kind: CondHalted, Text: "the release ledger records the halt; `rollout advance` refuses until `rollout resume`"}})
	}
	var reelected []string
	for _, t := range b.plan.Targets {
		// A re-election goes right before the first deploy that needs
		// it, so it never delays the failing subnet's deploy.
		if !t.RestoreElected && !slices.Contains(reelected, t.Restore) {
			reelected = append(reelected, t.Restore)
			if err := b.reelect(t.Restore); err != nil {
				return err
			}
		}
		deploy := b.deploy
		if t.IsAPIBoundary() {
			deploy = b.deployAPIBoundary
		}
		if err := deploy(t); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) reelect(v string) error {
	rel, ok, err := b.in.History.Release(v)
	if err != nil {
		return err
	}
	if !ok && v == b.in.To {
		return fmt.Errorf("plan rollback: the version to restore, GuestOS %s, was never elected (the registry history has no replica_version record of it): %w", v, ErrNoTarget)
	}
	if !ok {
		return fmt.Errorf("plan rollback: GuestOS %s is not elected and the registry history has no record of it: %w", v, ErrNoTarget)
	}
	var users []string
	for _, t := range b.plan.Targets {
		if t.Restore == v {
			users = append(users, nameOf(t))
		}
	}
	data := b.data(v)
	data.SHA256, data.URLs, data.Subnets = rel.SHA256, rel.URLs, users
	if rel.Measurements != nil {
		data.Measurements = len(rel.Measurements.GuestLaunchMeasurements)
	}
	x, err := b.in.Templates.texts(TplReelectTitle, TplReelectSummary, data)
	if err != nil {
		return err
	}
	o := proposals.ElectOptions{Texts: x, Mode: b.in.Mode, Version: v, SHA256: rel.SHA256, PackageURLs: rel.URLs, Measurements: rel.Measurements}
	if rel.Measurements == nil {
		o.MeasurementsWaiver = "re-election of a version whose registry record carried no launch measurements"
	}
	d, err := proposals.NewElectGuestOS(o)
	if err != nil {
		return err
	}
	if err := b.check(d); err != nil {
		return err
	}
	b.add(Step{Kind: StepReelect, Version: v, Draft: &d,
		Why:          fmt.Sprintf("%s was unelected; %s must return to it", short(v), strings.Join(users, ", ")),
		Precondition: Condition{Kind: CondNotElected, Version: v, Text: "GuestOS " + v + " is not elected"},
		Expect:       Condition{Kind: CondElected, Version: v, Text: "GuestOS " + v + " is elected again (sha256 " + rel.SHA256 + ")"}})
	return nil
}

func nameOf(t Target) string {
	if t.IsAPIBoundary() {
		return fmt.Sprintf("%d API boundary node(s)", len(t.APIBoundaryNodes))
	}
	if t.Subnet == "" {
		return "the unassigned nodes"
	}
	return t.Subnet
}

func (b *builder) data(v string) TextData {
	return TextData{Version: v, Short: short(v), Failed: b.in.Release, Problem: b.in.Problem, Security: b.in.Mode == proposals.ModeSecurity}
}

// deploy adds the deployment of a target's last good version.
func (b *builder) deploy(t Target) error {
	data := b.data(t.Restore)
	data.Subnet = t.Subnet
	pre := Condition{Kind: CondElected, Version: t.Restore, Text: "GuestOS " + t.Restore + " is elected"}
	var (
		d   proposals.Draft
		err error
		s   = Step{Subnet: t.Subnet, Version: t.Restore, From: t.Current, Precondition: pre}
	)
	if t.Subnet == "" {
		x, terr := b.in.Templates.texts(TplUnassignedTitle, TplUnassignedSummary, data)
		if terr != nil {
			return terr
		}
		d, err = proposals.NewDeployUnassigned(proposals.UnassignedOptions{Texts: x, Mode: b.in.Mode, Version: t.Restore})
		s.Kind, s.Why = StepUnassigned, "the unassigned nodes moved to the release"
		s.Expect = Condition{Kind: CondUnassignedRun, Version: t.Restore, Text: "the unassigned nodes are configured for " + t.Restore}
	} else {
		sid, perr := principal.Decode(t.Subnet)
		if perr != nil {
			return fmt.Errorf("plan rollback: subnet %q: %w", t.Subnet, perr)
		}
		x, terr := b.in.Templates.texts(TplDeployTitle, TplDeploySummary, data)
		if terr != nil {
			return terr
		}
		d, err = proposals.NewDeployGuestOS(proposals.DeployOptions{Texts: x, Mode: b.in.Mode, SubnetID: sid, Version: t.Restore})
		s.Kind, s.Why = StepDeploy, "runs the release"
		if t.Failing {
			s.Why = "failing on the release"
		}
		s.Expect = Condition{Kind: CondSubnetRuns, Subnet: t.Subnet, Version: t.Restore, Text: "subnet " + t.Subnet + " runs " + t.Restore + " again and finalizes"}
	}
	if err != nil {
		return err
	}
	if err := b.check(d); err != nil {
		return err
	}
	s.Draft = &d
	b.add(s)
	return nil
}

// check validates a draft, security-mode texts included.
func (b *builder) check(d proposals.Draft) error {
	pol := proposals.DefaultPolicy()
	if b.in.Policy != nil {
		pol = *b.in.Policy
	}
	if probs := proposals.ValidateWith(d, pol); proposals.HasErrors(probs) {
		return fmt.Errorf("plan rollback: draft %q: %w", d.Title, &proposals.InvalidError{Problems: probs})
	}
	return nil
}
