package rollout

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/proposals"
)

// The kind-neutral entry points: Tracker.Look, Tracker.AdvanceRelease and
// Tracker.PlanRelease read, advance and plan a release of any kind through
// one registry of release kinds (releaseKinds), so the CLI and the TUI
// dispatch on the kind in one place: here.

// releaseKind is one kind of release: how it is looked at, advanced and
// planned. The GuestOS, HostOS and NNS canister kinds wrap Status/Advance/
// PlanRequest.GuestOSPlan, HostOSStatus/AdvanceHostOS/SaveHostOSPlan and CanisterStatus/
// AdvanceCanisters.
type releaseKind interface {
	// look derives the release's view from l (the caller holds the lock
	// and saves l).
	look(ctx context.Context, t *Tracker, l *Ledger) (*View, error)
	// advance submits the release's next step.
	advance(ctx context.Context, t *Tracker) (*Advanced, error)
	// plan plans the release from the live registry with the defaults.
	plan(ctx context.Context, t *Tracker, r PlanRequest) (*Planned, error)
}

// releaseKinds is the registry of release kinds, by Ledger.Kind.
var releaseKinds = map[string]releaseKind{
	ReleaseGuestOS:  guestOSKind{},
	ReleaseHostOS:   hostOSKind{},
	ReleaseCanister: canisterKind{},
}

// kindFor returns the release kind of l; an unknown kind (a ledger written
// by a newer nnspatch) is an ErrReleaseKind.
func kindFor(kind string) (releaseKind, error) {
	if k, ok := releaseKinds[kind]; ok {
		return k, nil
	}
	return nil, &KindError{Kind: kind, Want: strings.Join(ReleaseKinds, ", "), What: "release kind unknown to this nnspatch"}
}

// View is a release of any kind as of one observation: exactly one of
// GuestOS, HostOS and Canister is set, by Kind. Its methods (Glance,
// PreviewAdvance, Summary, DisclosureDue) say the same for every kind.
type View struct {
	Kind     string          `json:"kind"`
	GuestOS  *Status         `json:"guestos,omitempty"`
	HostOS   *HostOSStatus   `json:"hostos,omitempty"`
	Canister *CanisterStatus `json:"nns_canister,omitempty"`
}

// kindStatus is what every kind's status says.
type kindStatus interface {
	Glance() Glance
	PreviewAdvance() AdvancePreview
	DisclosureDue() (time.Time, bool)
	summary() Summary
}

// Summary are the facts every kind's status has.
type Summary struct {
	Kind    string
	Version string
	Mode    proposals.Mode
	Now     time.Time
	State   RolloutState
	// Election is the election's state; HasElection is false for an NNS
	// canister release (its InstallCode proposals are its only proposals).
	Election    ElectionStatus
	HasElection bool
	Quiet       QuietStatus
	Disclosure  *Disclosure
	Halted      *Halt
	Abandoned   *Abandonment
	Blockers    []string
}

// Doc is the held status (for --json: the kind's own status document).
func (v *View) Doc() any {
	switch {
	case v.HostOS != nil:
		return v.HostOS
	case v.Canister != nil:
		return v.Canister
	}
	return v.GuestOS
}

func (v *View) status() kindStatus {
	switch {
	case v.HostOS != nil:
		return v.HostOS
	case v.Canister != nil:
		return v.Canister
	case v.GuestOS != nil:
		return v.GuestOS
	}
	return &Status{}
}

// Glance is the release's glance, whatever its kind.
func (v *View) Glance() Glance { return v.status().Glance() }

// PreviewAdvance says what AdvanceRelease would submit now.
func (v *View) PreviewAdvance() AdvancePreview { return v.status().PreviewAdvance() }

// DisclosureDue returns when the source is due to be disclosed.
func (v *View) DisclosureDue() (time.Time, bool) { return v.status().DisclosureDue() }

// Summary returns the facts every kind has.
func (v *View) Summary() Summary { return v.status().summary() }

// Look observes the release, whatever its kind, and derives its view
// (recording what it learned in the ledger, as Status, HostOSStatus and
// CanisterStatus do): what `nnspatch release status` and the TUI's Releases
// page read.
func (t *Tracker) Look(ctx context.Context) (*View, error) {
	lk, _, v, err := lockedLook(ctx, t.Store, func(ctx context.Context, l *Ledger) (*View, error) {
		k, err := kindFor(l.ReleaseKind())
		if err != nil {
			return nil, err
		}
		return k.look(ctx, t, l)
	})
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	return v, nil
}

// Advanced is what AdvanceRelease submitted, whatever the kind, and the
// view it saw.
type Advanced struct {
	// Submitted are the proposals submitted (none when it waits).
	Submitted []Submitted `json:"submitted"`
	// View is the release as the advance saw it (nil when it could not be
	// read).
	View *View `json:"-"`
}

// AdvanceRelease submits the next step of the release, whatever its kind:
// the next GuestOS batch (Advance), HostOS batch (AdvanceHostOS) or NNS
// canister upgrade (AdvanceCanisters). Nothing to do is a *WaitError; the
// result is non-nil whenever the release could be observed.
func (t *Tracker) AdvanceRelease(ctx context.Context) (*Advanced, error) {
	kind, err := t.kindOf()
	if err != nil {
		return nil, err
	}
	k, err := kindFor(kind)
	if err != nil {
		return nil, err
	}
	return k.advance(ctx, t)
}

// Planned is what PlanRelease stored: one of Plan (GuestOS), HostOS, or
// for an NNS canister release the fixed upgrade order (nothing stored).
type Planned struct {
	Kind      string
	Plan      *Plan
	HostOS    *HostOSPlan
	Canisters *CanisterRelease
	// Stored reports whether a plan was stored in the ledger.
	Stored bool
}

// Describe says in one line what the plan holds.
func (p *Planned) Describe() string {
	switch {
	case p.Plan != nil:
		return fmt.Sprintf("%d batches", len(p.Plan.Batches))
	case p.HostOS != nil:
		return fmt.Sprintf("%d HostOS nodes in %d stages", p.HostOS.Nodes(), len(p.HostOS.Stages))
	case p.Canisters != nil:
		return fmt.Sprintf("no plan needed: %d canister upgrade(s) in the order given at `release new`", len(p.Canisters.Upgrades))
	}
	return "no plan"
}

// PlanRelease plans the release from the live registry as r asks (the
// CLI's flags over the config, the TUI's config), whatever its kind:
// r.GuestOSPlan then SavePlan (GuestOS), SaveHostOSPlan (HostOS);
// an NNS canister release needs no plan (its order is fixed at `release
// new`) and gets its upgrades back, nothing stored.
func (t *Tracker) PlanRelease(ctx context.Context, r PlanRequest) (*Planned, error) {
	kind, err := t.kindOf()
	if err != nil {
		return nil, err
	}
	k, err := kindFor(kind)
	if err != nil {
		return nil, err
	}
	return k.plan(ctx, t, r)
}

// viewOf wraps a kind's status in its View.
func viewOf(st kindStatus) *View {
	switch s := st.(type) {
	case *Status:
		return &View{Kind: ReleaseGuestOS, GuestOS: s}
	case *HostOSStatus:
		return &View{Kind: ReleaseHostOS, HostOS: s}
	case *CanisterStatus:
		return &View{Kind: ReleaseCanister, Canister: s}
	}
	return nil
}

// lookWith derives a View with a kind's status function.
func lookWith[S kindStatus](ctx context.Context, l *Ledger, status func(context.Context, *Ledger) (S, error)) (*View, error) {
	st, err := status(ctx, l)
	if err != nil {
		return nil, err
	}
	return viewOf(st), nil
}

// advanceResult is a kind's advance result: what it submitted and the
// status it saw; ok is false for a nil result (nothing observed).
type advanceResult interface {
	parts() (submitted []Submitted, st kindStatus, ok bool)
}

// advanced turns a kind's advance result into Advanced; nil when the
// release could not be observed.
func advanced(res advanceResult, err error) (*Advanced, error) {
	sub, st, ok := res.parts()
	if !ok {
		return nil, err
	}
	return &Advanced{Submitted: sub, View: viewOf(st)}, err
}

func (r *AdvanceResult) parts() ([]Submitted, kindStatus, bool) {
	if r == nil {
		return nil, nil, false
	}
	return r.Submitted, r.Status, true
}

func (r *HostOSAdvanceResult) parts() ([]Submitted, kindStatus, bool) {
	if r == nil {
		return nil, nil, false
	}
	return r.Submitted, r.Status, true
}

func (r *CanisterAdvanceResult) parts() ([]Submitted, kindStatus, bool) {
	if r == nil {
		return nil, nil, false
	}
	return r.Submitted, r.Status, true
}

// guestOSKind is the GuestOS release kind.
type guestOSKind struct{}

func (guestOSKind) look(ctx context.Context, t *Tracker, l *Ledger) (*View, error) {
	return lookWith(ctx, l, t.status)
}

func (guestOSKind) advance(ctx context.Context, t *Tracker) (*Advanced, error) {
	return advanced(t.Advance(ctx))
}

func (guestOSKind) plan(ctx context.Context, t *Tracker, r PlanRequest) (*Planned, error) {
	l, err := t.Store.Read()
	if err != nil {
		return nil, err
	}
	p, err := r.GuestOSPlan(ctx, t, l.Version)
	if err != nil {
		return nil, err
	}
	if p, err = t.SavePlan(ctx, p); err != nil {
		return nil, err
	}
	return &Planned{Kind: ReleaseGuestOS, Plan: p, Stored: true}, nil
}

// hostOSKind is the HostOS release kind.
type hostOSKind struct{}

func (hostOSKind) look(ctx context.Context, t *Tracker, l *Ledger) (*View, error) {
	return lookWith(ctx, l, t.hostOSStatus)
}

func (hostOSKind) advance(ctx context.Context, t *Tracker) (*Advanced, error) {
	return advanced(t.AdvanceHostOS(ctx))
}

func (hostOSKind) plan(ctx context.Context, t *Tracker, r PlanRequest) (*Planned, error) {
	o, err := r.hostOSOptions(ctx, t)
	if err != nil {
		return nil, err
	}
	p, err := t.SaveHostOSPlan(ctx, o)
	if err != nil {
		return nil, err
	}
	return &Planned{Kind: ReleaseHostOS, HostOS: p, Stored: true}, nil
}

// canisterKind is the NNS canister release kind.
type canisterKind struct{}

func (canisterKind) look(ctx context.Context, t *Tracker, l *Ledger) (*View, error) {
	return lookWith(ctx, l, t.canisterStatus)
}

func (canisterKind) advance(ctx context.Context, t *Tracker) (*Advanced, error) {
	return advanced(t.AdvanceCanisters(ctx))
}

func (canisterKind) plan(ctx context.Context, t *Tracker, _ PlanRequest) (*Planned, error) {
	l, err := t.Store.Read()
	if err != nil {
		return nil, err
	}
	if err := requireKind(l, ReleaseCanister, "NNS canister plan"); err != nil {
		return nil, err
	}
	return &Planned{Kind: ReleaseCanister, Canisters: l.Canisters}, nil
}

// summary implements kindStatus.
func (st *Status) summary() Summary {
	return Summary{Kind: ReleaseGuestOS, Version: st.Version, Mode: st.Mode, Now: st.Now, State: st.State, Election: st.Election, HasElection: true,
		Quiet: st.Quiet, Disclosure: st.Disclosure, Halted: st.Halted, Abandoned: st.Abandoned, Blockers: st.Blockers}
}

// summary implements kindStatus.
func (st *HostOSStatus) summary() Summary {
	return Summary{Kind: ReleaseHostOS, Version: st.Version, Mode: st.Mode, Now: st.Now, State: st.State, Election: st.Election, HasElection: true,
		Quiet: st.Quiet, Disclosure: st.Disclosure, Halted: st.Halted, Blockers: st.Blockers}
}

// summary implements kindStatus.
func (st *CanisterStatus) summary() Summary {
	return Summary{Kind: ReleaseCanister, Version: st.Version, Mode: st.Mode, Now: st.Now, State: st.State,
		Quiet: st.Quiet, Disclosure: st.Disclosure, Halted: st.Halted, Blockers: st.Blockers}
}

// disclosureDue is the end of a running, not void quiet period while
// nothing was disclosed.
func disclosureDue(q QuietStatus, d *Disclosure) (time.Time, bool) {
	if d != nil || !q.Started || q.Void {
		return time.Time{}, false
	}
	return q.End, true
}

// DisclosureDue returns when the source is due to be disclosed.
func (st *HostOSStatus) DisclosureDue() (time.Time, bool) {
	return disclosureDue(st.Quiet, st.Disclosure)
}

// DisclosureDue returns when the source is due to be disclosed.
func (st *CanisterStatus) DisclosureDue() (time.Time, bool) {
	return disclosureDue(st.Quiet, st.Disclosure)
}
