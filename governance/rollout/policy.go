package rollout

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"gopkg.in/yaml.v3"
)

// Names of the built-in plan policies.
const (
	// PolicyDFINITY is DefaultPolicy: DFINITY's practice.
	PolicyDFINITY = "dfinity"
	// PolicyContinuous is BuildPlan's planner: registry order, batches back
	// to back at any hour, the NNS right after, then the unassigned nodes and
	// (when the registry has any) the API boundary nodes.
	PolicyContinuous = "continuous"
)

// ErrPolicy reports a plan policy that does not parse or validate.
var ErrPolicy = errors.New("bad rollout policy")

// Policy is how a GuestOS rollout is planned, as data: which subnets go
// first, which go alone or on separate days, when batches may start, and
// what follows the NNS subnet. DefaultPolicy follows DFINITY's practice
// (dre-airflow dags/defaults.py, domain.md §6); a policy file or the
// config's rollout_policy overrides it field by field.
type Policy struct {
	// Name labels the policy in plans and messages.
	Name string `yaml:"name" json:"name"`
	// TimeZone is the IANA time zone Days and Hours are read in.
	TimeZone string `yaml:"time_zone" json:"time_zone"`
	// Days are the working days batches may start on ("Monday" …).
	Days []string `yaml:"days" json:"days"`
	// Hours is the window batches may start in, "HH:MM-HH:MM" (both ends
	// included).
	Hours string `yaml:"hours" json:"hours"`
	// BatchSize is the number of subnets per batch.
	BatchSize int `yaml:"batch_size" json:"batch_size"`
	// Interval is the time between two batch starts, e.g. "2h".
	Interval string `yaml:"interval" json:"interval"`
	// Canaries are the subnets of batch 1 (ids or unambiguous prefixes);
	// empty: the first CanaryCount application subnets in registry order
	// that are not named under Alone or SeparateDays.
	Canaries []string `yaml:"canaries" json:"canaries,omitempty"`
	// CanaryCount is the number of canaries picked when Canaries is empty.
	CanaryCount int `yaml:"canary_count" json:"canary_count"`
	// Alone are subnets that go in a batch of their own.
	Alone []string `yaml:"alone" json:"alone"`
	// SeparateDays are groups of subnets that never start on the same day
	// (in TimeZone). The signing subnet and its backup are also always at
	// least DefaultSigningGap apart, whatever the policy says.
	SeparateDays [][]string `yaml:"separate_days" json:"separate_days"`
	// ApplicationFirst puts application subnets before system subnets.
	ApplicationFirst bool `yaml:"application_first" json:"application_first"`
	// NNSNextWeek puts the NNS subnet (always alone and last) on the first
	// working day of the week after batch 1's week, or later.
	NNSNextWeek bool `yaml:"nns_next_week" json:"nns_next_week"`
	// APIBoundaryNodes adds the API boundary node stage after the
	// unassigned nodes.
	APIBoundaryNodes bool `yaml:"api_boundary_nodes" json:"api_boundary_nodes"`
	// HostOS shapes HostOS releases (nodes by stage).
	HostOS HostOSPolicy `yaml:"hostos" json:"hostos"`
}

// HostOSPolicy is how a HostOS release moves nodes, after DFINITY's HostOS
// rollout (dre-airflow): canary batches of unassigned nodes, then each
// subnet a few nodes at a time, then the other unassigned nodes, then the
// stragglers, each stage stopping once more than its tolerance of its
// nodes fail.
type HostOSPolicy struct {
	// Canary are the canary batch sizes.
	Canary []int `yaml:"canary" json:"canary"`
	// PerSubnet is how many nodes of each subnet a main batch takes.
	PerSubnet int `yaml:"per_subnet" json:"per_subnet"`
	// UnassignedBatch is how many unassigned nodes a batch takes.
	UnassignedBatch int `yaml:"unassigned_batch" json:"unassigned_batch"`
	// Tolerances are each stage's failure tolerance, a fraction from 0
	// to 1 of its nodes, by stage (canary, main, unassigned, stragglers).
	Tolerances map[string]float64 `yaml:"tolerances" json:"tolerances"`
}

// DefaultHostOSPolicy is DFINITY's HostOS practice (see hostos.go).
func DefaultHostOSPolicy() HostOSPolicy {
	return HostOSPolicy{Canary: append([]int(nil), DefaultCanaryBatches...), PerSubnet: DefaultHostOSPerSubnet,
		UnassignedBatch: DefaultHostOSUnassignedBatch, Tolerances: map[string]float64{
			StageCanary: ToleranceCanary, StageMain: ToleranceMain, StageUnassigned: ToleranceUnassigned, StageStragglers: ToleranceStragglers}}
}

// check refuses unknown stages, tolerances outside 0..1 and sizes below 1.
func (h HostOSPolicy) check() error {
	for stage, tol := range h.Tolerances {
		switch stage {
		case StageCanary, StageMain, StageUnassigned, StageStragglers:
		default:
			return fmt.Errorf("%w: hostos.tolerances: unknown stage %q; use canary, main, unassigned or stragglers", ErrPolicy, stage)
		}
		if tol < 0 || tol > 1 {
			return fmt.Errorf("%w: hostos.tolerances.%s: %v is not a fraction from 0 to 1", ErrPolicy, stage, tol)
		}
	}
	for _, n := range h.Canary {
		if n < 1 {
			return fmt.Errorf("%w: hostos.canary: batch sizes must be at least 1", ErrPolicy)
		}
	}
	if h.PerSubnet < 0 || h.UnassignedBatch < 0 {
		return fmt.Errorf("%w: hostos.per_subnet and hostos.unassigned_batch must not be negative", ErrPolicy)
	}
	return nil
}

// PlanOptions returns HostOSPlanOptions shaped by the policy.
func (h HostOSPolicy) PlanOptions(o HostOSPlanOptions) HostOSPlanOptions {
	o.Canary, o.Tolerances = h.Canary, h.Tolerances
	if o.PerSubnet <= 0 {
		o.PerSubnet = h.PerSubnet
	}
	if o.UnassignedBatch <= 0 {
		o.UnassignedBatch = h.UnassignedBatch
	}
	return o
}

// DefaultPolicy is DFINITY's practice for GuestOS rollouts: one canary
// application subnet first, application subnets before the signing pair
// and system subnets,
// three subnets per batch two hours apart, the signing subnet uzr34 and its
// backup pzp6e alone and on different days, batches Monday to Thursday
// between 07:00 and 15:00 UTC, the NNS subnet alone and last in the
// following week, then the unassigned nodes and the API boundary nodes.
func DefaultPolicy() Policy {
	return Policy{
		Name: PolicyDFINITY, TimeZone: "UTC",
		Days:  []string{"Monday", "Tuesday", "Wednesday", "Thursday"},
		Hours: "07:00-15:00", BatchSize: DefaultBatchSize, Interval: DefaultInterval.String(),
		CanaryCount: 1, Alone: []string{SigningSubnet, SigningBackup},
		SeparateDays:     [][]string{{SigningSubnet, SigningBackup}},
		ApplicationFirst: true, NNSNextWeek: true, APIBoundaryNodes: true,
		HostOS: DefaultHostOSPolicy(),
	}
}

// ParsePolicy reads a policy YAML over DefaultPolicy: keys it sets replace
// the defaults, unknown keys are errors.
func ParsePolicy(data []byte) (Policy, error) {
	p := DefaultPolicy()
	p.Name = "custom"
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) {
		return Policy{}, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	if _, err := p.calendar(); err != nil {
		return Policy{}, err
	}
	if err := p.HostOS.check(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// LoadPolicy returns a built-in policy by name (PolicyDFINITY,
// PolicyContinuous) or reads a policy file.
func LoadPolicy(nameOrPath string) (Policy, bool, error) {
	switch nameOrPath {
	case "", PolicyDFINITY:
		return DefaultPolicy(), true, nil
	case PolicyContinuous:
		return Policy{Name: PolicyContinuous, APIBoundaryNodes: true, HostOS: DefaultHostOSPolicy()}, false, nil
	}
	b, err := readBounded(nameOrPath)
	if err != nil {
		return Policy{}, false, fmt.Errorf("%w: read %s: %v; name %s, %s or a policy YAML file", ErrPolicy, nameOrPath, err, PolicyDFINITY, PolicyContinuous)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return Policy{}, false, fmt.Errorf("%s: %w", nameOrPath, err)
	}
	return p, true, nil
}

// calendar is when batches may start under a policy.
type calendar struct {
	loc      *time.Location
	days     [7]bool // by time.Weekday
	from, to int     // minutes after midnight, both included
	step     time.Duration
}

func (p Policy) calendar() (calendar, error) {
	c := calendar{}
	var err error
	if c.loc, err = time.LoadLocation(p.TimeZone); err != nil {
		return c, fmt.Errorf("%w: time_zone %q: %v; use an IANA name such as UTC or Europe/Zurich", ErrPolicy, p.TimeZone, err)
	}
	for _, d := range p.Days {
		i, ok := dayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return c, fmt.Errorf("%w: days: %q is not a day name (Monday … Sunday)", ErrPolicy, d)
		}
		c.days[(i+1)%7] = true
	}
	if len(p.Days) == 0 {
		return c, fmt.Errorf("%w: days: empty; list the working days batches may start on", ErrPolicy)
	}
	from, to, ok := strings.Cut(p.Hours, "-")
	var e1, e2 error
	c.from, e1 = minutesOf(from)
	c.to, e2 = minutesOf(to)
	if !ok || e1 != nil || e2 != nil || c.from > c.to {
		return c, fmt.Errorf("%w: hours: %q is not a window such as 07:00-15:00", ErrPolicy, p.Hours)
	}
	if c.step, err = time.ParseDuration(p.Interval); err != nil || c.step <= 0 {
		return c, fmt.Errorf("%w: interval: %q is not a positive duration such as 2h", ErrPolicy, p.Interval)
	}
	if p.BatchSize < 1 {
		return c, fmt.Errorf("%w: batch_size: must be at least 1", ErrPolicy)
	}
	return c, nil
}

func minutesOf(hm string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(hm), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("bad time %q", hm)
	}
	return hh*60 + mm, nil
}

// first is the earliest allowed start at or after t, on the minute.
func (c calendar) first(t time.Time) time.Time {
	if r := t.Truncate(time.Minute); r.Before(t) {
		t = r.Add(time.Minute)
	}
	l := t.In(c.loc)
	for i := 0; i < 14; i++ {
		day := time.Date(l.Year(), l.Month(), l.Day()+i, 0, 0, 0, 0, c.loc)
		if !c.days[day.Weekday()] {
			continue
		}
		open := time.Date(day.Year(), day.Month(), day.Day(), 0, c.from, 0, 0, c.loc)
		closing := time.Date(day.Year(), day.Month(), day.Day(), 0, c.to, 0, 0, c.loc)
		switch {
		case i > 0 || l.Before(open):
			return open.UTC()
		case !l.After(closing):
			return l.UTC()
		}
	}
	return t.UTC() // unreachable with at least one working day
}

// next is the first allowed start one interval after t.
func (c calendar) next(t time.Time) time.Time { return c.first(t.Add(c.step)) }

// sameDay reports whether a and b fall on the same date in the calendar's
// time zone.
func (c calendar) sameDay(a, b time.Time) bool {
	ay, am, ad := a.In(c.loc).Date()
	by, bm, bd := b.In(c.loc).Date()
	return ay == by && am == bm && ad == bd
}

// nextWeek is the first allowed start in the week after t's week (weeks
// start on Monday in the calendar's time zone).
func (c calendar) nextWeek(t time.Time) time.Time {
	l := t.In(c.loc)
	wd := (int(l.Weekday()) + 6) % 7
	monday := time.Date(l.Year(), l.Month(), l.Day()-wd+7, 0, 0, 0, 0, c.loc)
	return c.first(monday)
}

// PolicyPlan plans a rollout of every subnet in reg under policy p, the
// first batch at the first allowed time at or after o.Start. o.Version,
// o.Bake and o.NNSSubnet are used; BatchSize and Interval come from p.
func PolicyPlan(reg *governance.Registry, p Policy, o PlanOptions) (*Plan, error) {
	o.BatchSize, o.Interval = p.BatchSize, 0
	o = o.withDefaults()
	cal, err := p.calendar()
	if err != nil {
		return nil, err
	}
	if _, ok := reg.SubnetByID(o.NNSSubnet); !ok {
		return nil, fmt.Errorf("build plan: NNS subnet %s is not in the registry", o.NNSSubnet)
	}
	pl := &planner{p: p, cal: cal, reg: reg, nns: o.NNSSubnet, placed: map[string]time.Time{}}
	if err := pl.resolve(); err != nil {
		return nil, err
	}
	plan := &Plan{Version: o.Version, Bake: Duration(o.Bake), NNSSubnet: o.NNSSubnet, TimeZone: p.TimeZone, Policy: p.Name}
	if o.NNSSubnet == NNSSubnet {
		plan.NNSSubnet = ""
	}
	slot := cal.first(o.Start)
	if len(pl.canaries) > 0 {
		plan.Batches = append(plan.Batches, Batch{Batch: 1, Start: slot, Subnets: pl.canaries})
		pl.place(pl.canaries, slot)
		slot = cal.next(slot)
	}
	if slot, err = pl.fill(plan, slot); err != nil {
		return nil, err
	}
	nnsAt := slot
	if p.NNSNextWeek && len(plan.Batches) > 0 {
		if w := cal.nextWeek(plan.Batches[0].Start); w.After(nnsAt) {
			nnsAt = w
		}
	}
	plan.Batches = append(plan.Batches, Batch{Batch: len(plan.Batches) + 1, Start: nnsAt, Subnets: []string{o.NNSSubnet}})
	plan.UnassignedNodes = cal.next(nnsAt)
	if p.APIBoundaryNodes && len(reg.APIBoundaryNodes) > 0 {
		plan.APIBoundaryNodes = &APIBoundaryStage{Start: cal.next(plan.UnassignedNodes)}
	}
	if len(plan.Batches) > MaxBatches {
		return nil, fmt.Errorf("build plan: %d batches, more than %d: raise the policy's batch_size", len(plan.Batches), MaxBatches)
	}
	return plan, nil
}

// planner is PolicyPlan's state.
type planner struct {
	p        Policy
	cal      calendar
	reg      *governance.Registry
	nns      string
	canaries []string
	queue    []string
	alone    map[string]bool
	groups   [][]string
	placed   map[string]time.Time
}

// resolve turns the policy's prefixes into registry ids and orders the
// queue: canaries apart, then application subnets, then the subnets that
// go alone (the signing subnet and its backup: not early, when the
// application subnets have proven the release), then system subnets
// (registry order within each) when ApplicationFirst, else registry order.
func (pl *planner) resolve() error {
	ids := func(key string, in []string) ([]string, error) {
		var out []string
		for _, s := range in {
			id, msg := resolveSubnet(pl.reg, s)
			if msg != "" {
				if key == "canaries" {
					return nil, fmt.Errorf("%w: %s: %s", ErrPolicy, key, msg)
				}
				continue // a named subnet this network does not have
			}
			out = append(out, id)
		}
		return out, nil
	}
	aloneIDs, _ := ids("alone", pl.p.Alone)
	pl.alone = map[string]bool{}
	for _, id := range aloneIDs {
		pl.alone[id] = true
	}
	special := map[string]bool{pl.nns: true}
	for k := range pl.alone {
		special[k] = true
	}
	for _, g := range pl.p.SeparateDays {
		gi, _ := ids("separate_days", g)
		pl.groups = append(pl.groups, gi)
		for _, id := range gi {
			special[id] = true
		}
	}
	var err error
	if pl.canaries, err = ids("canaries", pl.p.Canaries); err != nil {
		return err
	}
	if len(pl.p.Canaries) == 0 {
		for _, s := range pl.reg.Subnets {
			if len(pl.canaries) < pl.p.CanaryCount && s.Type == "application" && !special[s.ID] {
				pl.canaries = append(pl.canaries, s.ID)
			}
		}
	}
	var apps, alone, systems []string
	for _, s := range pl.reg.Subnets {
		switch {
		case s.ID == pl.nns || slices.Contains(pl.canaries, s.ID):
		case pl.p.ApplicationFirst && pl.alone[s.ID]:
			alone = append(alone, s.ID)
		case pl.p.ApplicationFirst && s.Type == "system":
			systems = append(systems, s.ID)
		default:
			apps = append(apps, s.ID)
		}
	}
	pl.queue = append(append(apps, alone...), systems...)
	return nil
}

func (pl *planner) place(ids []string, at time.Time) {
	for _, id := range ids {
		pl.placed[id] = at
	}
}

// blocked reports whether id may not start at slot: a subnet it must be
// on another day from starts that day, or the signing twin is within
// DefaultSigningGap.
func (pl *planner) blocked(id string, slot time.Time) bool {
	for _, g := range pl.groups {
		if !slices.Contains(g, id) {
			continue
		}
		for _, other := range g {
			if at, ok := pl.placed[other]; ok && other != id && pl.cal.sameDay(at, slot) {
				return true
			}
		}
	}
	twin := map[string]string{SigningSubnet: SigningBackup, SigningBackup: SigningSubnet}[id]
	if at, ok := pl.placed[twin]; ok && twin != "" {
		gap := slot.Sub(at)
		return gap < DefaultSigningGap && gap > -DefaultSigningGap
	}
	return false
}

// maxSlots bounds the slots fill looks at (a policy whose constraints can
// never be met must not loop).
const maxSlots = 2000

// fill puts the queue into batches from slot on and returns the slot
// after the last batch.
func (pl *planner) fill(plan *Plan, slot time.Time) (time.Time, error) {
	queue := pl.queue
	for n := 0; len(queue) > 0; n++ {
		if n > maxSlots {
			return slot, fmt.Errorf("%w: subnets %s can never start under this policy; check days, hours and separate_days", ErrPolicy, strings.Join(queue, ", "))
		}
		var b []string
		var rest []string
		full := false
		for _, id := range queue {
			switch {
			case full || pl.blocked(id, slot):
				rest = append(rest, id)
			case pl.alone[id] && len(b) > 0:
				rest = append(rest, id)
			case pl.alone[id]:
				b, full = []string{id}, true
				pl.place(b, slot)
			default:
				b = append(b, id)
				full = len(b) == pl.p.BatchSize
				pl.place([]string{id}, slot) // its group's others now wait for another day
			}
		}
		if len(b) > 0 {
			plan.Batches = append(plan.Batches, Batch{Batch: len(plan.Batches) + 1, Start: slot, Subnets: b})
		}
		queue = rest
		slot = pl.cal.next(slot)
	}
	return slot, nil
}

// CalendarEntry is one line of a plan's calendar.
type CalendarEntry struct {
	// Batch is the batch number; 0 for the unassigned nodes and API
	// boundary node stages.
	Batch int `json:"batch,omitempty"`
	// Start is the planned start in the plan's time zone.
	Start time.Time `json:"start"`
	// What names the targets, e.g. "3 subnets: abcde, …" or "NNS subnet".
	What string `json:"what"`
}

// Calendar lists when each batch and stage of p starts, in p's time zone
// (UTC when it names none).
func Calendar(p *Plan) []CalendarEntry {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" {
		loc = time.UTC
	}
	var out []CalendarEntry
	for _, b := range p.Batches {
		what := fmt.Sprintf("%d subnet(s): %s", len(b.Subnets), shortList(b.Subnets))
		if len(b.Subnets) == 1 && b.Subnets[0] == p.nns() {
			what = "NNS subnet " + short(p.nns()) + " (alone, last)"
		}
		out = append(out, CalendarEntry{Batch: b.Batch, Start: b.Start.In(loc), What: what})
	}
	if !p.UnassignedNodes.IsZero() {
		out = append(out, CalendarEntry{Start: p.UnassignedNodes.In(loc), What: "unassigned nodes"})
	}
	if s := p.APIBoundaryNodes; s != nil {
		what := "every API boundary node"
		if len(s.Nodes) > 0 {
			what = fmt.Sprintf("%d API boundary node(s)", len(s.Nodes))
		}
		out = append(out, CalendarEntry{Start: s.Start.In(loc), What: what})
	}
	return out
}

func shortList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = short(id)
	}
	return strings.Join(out, ", ")
}
