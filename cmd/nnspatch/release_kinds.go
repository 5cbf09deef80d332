package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/rollback"
)

// The HostOS and NNS canister release kinds at the CLI edge: `release new
// --kind`, and what `rollout plan|status|advance`, `release status|submit`
// and `rollback plan|submit` do for them. The GuestOS paths are unchanged.

// releaseKindOf reads the kind of the release ref names.
func (e *releaseEnv) releaseKindOf(ref string) (string, error) {
	s, err := e.store(ref)
	if err != nil {
		return "", err
	}
	l, err := s.Read()
	if err != nil {
		return "", err
	}
	return l.ReleaseKind(), nil
}

// checkKind refuses an unknown --kind.
func checkKind(kind string) error {
	if !slices.Contains(rollout.ReleaseKinds, kind) {
		return FlagErrorf("--kind must be one of %s, not %q", strings.Join(rollout.ReleaseKinds, ", "), kind)
	}
	return nil
}

// releaseNewHostOSRun creates a HostOS release: the election draft is a
// ReviseElectedHostosVersions built from the same flags.
func releaseNewHostOSRun(ctx context.Context, o *releaseNewOptions) error {
	eo, err := o.electOptions(ctx)
	if err != nil {
		return err
	}
	eo.Measurements, eo.MeasurementsWaiver = nil, ""
	d, err := proposals.NewElectHostOS(eo)
	if err != nil {
		return fmt.Errorf("draft elect-hostos: %w", err)
	}
	if !o.NoForumURL {
		if err := proposals.RequireForumURL(d); err != nil {
			return fmt.Errorf("release new: %w", err)
		}
	}
	if err := o.validateNew(d); err != nil {
		return err
	}
	s, err := o.storeFor()
	if err != nil {
		return err
	}
	l, err := rollout.NewHostOSRelease(ctx, s, d, o.env.actor(), o.env.now(ctx), rollout.WithQuietPeriodDays(o.QuietDays))
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Created %s HostOS release %s in %s; next: nnspatch release submit %s\n", l.Mode, l.Version, s.Dir, s.Dir)
	return o.printNew(s, l)
}

// validateNew prints every problem of d and refuses errors.
func (o *releaseNewOptions) validateNew(d proposals.Draft) error {
	policy, err := o.Policy()
	if err != nil {
		return err
	}
	probs := proposals.ValidateWith(d, policy)
	for _, p := range probs {
		fmt.Fprintln(o.IO.ErrOut, proposals.Sanitize(p.String()))
	}
	if proposals.HasErrors(probs) {
		return &DraftInvalidError{File: rollout.ElectionDraftFile, Errors: countErrors(probs), NotWritten: true}
	}
	if o.QuietDays <= 0 {
		return FlagErrorf("--quiet-days must be at least 1, got %d", o.QuietDays)
	}
	return nil
}

func (o *releaseNewOptions) printNew(s rollout.Store, l *rollout.Ledger) error {
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.Release{Envelope: jsonout.NewEnvelope(), Dir: s.Dir, Ledger: l})
	}
	_, err := fmt.Fprintln(o.IO.Out, s.Dir)
	return err
}

// canisterNewOptions are the flags of `release new --kind nns-canister`.
type canisterNewOptions struct {
	env       *releaseEnv
	Upgrades  []string
	Version   string
	Security  bool
	Dir       string
	QuietDays int
}

// releaseNewCanisterRun creates an NNS canister release from InstallCode
// drafts (`nnspatch draft upgrade-canister`), in the order given.
func releaseNewCanisterRun(ctx context.Context, o *canisterNewOptions) error {
	if len(o.Upgrades) == 0 {
		return FlagErrorf("an NNS canister release needs --upgrade FILE (a draft from `nnspatch draft upgrade-canister`), once per canister")
	}
	if o.QuietDays <= 0 {
		return FlagErrorf("--quiet-days must be at least 1, got %d", o.QuietDays)
	}
	mode := proposals.ModeRegular
	var drafts []proposals.Draft
	for _, path := range o.Upgrades {
		d, err := proposals.LoadDraft(path)
		if err != nil {
			return err
		}
		if d.Kind != proposals.KindUpgradeCanister {
			return FlagErrorf("--upgrade %s: the draft is %s, not upgrade-canister", path, d.Kind)
		}
		if d.Mode == proposals.ModeSecurity {
			mode = proposals.ModeSecurity
		}
		drafts = append(drafts, d)
	}
	if o.Security {
		mode = proposals.ModeSecurity
	}
	version := o.Version
	if version == "" {
		version = drafts[0].UpgradeCanister.WasmHash()
	}
	s := rollout.Store{Dir: o.Dir}
	if s.Dir == "" {
		dir, err := o.env.releasesDir()
		if err != nil {
			return err
		}
		s.Dir = filepath.Join(dir, version)
	}
	l, err := rollout.NewCanisterRelease(ctx, s, version, mode, drafts, o.env.actor(), o.env.now(ctx), rollout.WithQuietPeriodDays(o.QuietDays))
	if err != nil {
		return err
	}
	fmt.Fprintf(o.env.IO.ErrOut, "Created %s NNS canister release %s (%d canisters) in %s; next: nnspatch rollout advance %s\n", l.Mode, l.Version, len(l.Canisters.Upgrades), s.Dir, s.Dir)
	if o.env.JSON() {
		return jsonout.Write(o.env.IO.Out, jsonout.Release{Envelope: jsonout.NewEnvelope(), Dir: s.Dir, Ledger: l})
	}
	_, err = fmt.Fprintln(o.env.IO.Out, s.Dir)
	return err
}

// kindPlanRun plans a HostOS release's stages (an NNS canister release's
// order is fixed at `release new`: it is printed).
func kindPlanRun(ctx context.Context, o *rolloutPlanOptions, t *rollout.Tracker, l *rollout.Ledger) error {
	if l.ReleaseKind() == rollout.ReleaseCanister {
		return writeKindDoc(o.releaseRefOptions, "canisters", l.Canisters, func(w io.Writer) {
			for i, u := range l.Canisters.Upgrades {
				fmt.Fprintf(w, "%d. %s (%s) wasm sha256 %s\n", i+1, u.Name, u.Canister, u.WasmSHA256)
			}
		})
	}
	req, err := o.request()
	if err != nil {
		return err
	}
	planned, err := t.PlanRelease(ctx, req)
	if err != nil {
		return err
	}
	p := planned.HostOS
	fmt.Fprintf(o.IO.ErrOut, "Planned %d HostOS nodes in %d stages for %s; next: nnspatch rollout advance %s\n", p.Nodes(), len(p.Stages), o.Ref, o.Ref)
	return writeKindDoc(o.releaseRefOptions, "plan", p, func(w io.Writer) { writeHostOSPlan(w, p) })
}

func writeHostOSPlan(w io.Writer, p *rollout.HostOSPlan) {
	fmt.Fprintf(w, "HostOS %s  bake %s  %d nodes\n", p.Version, time.Duration(p.Bake), p.Nodes())
	for _, s := range p.Stages {
		fmt.Fprintf(w, "Stage %s (tolerance %.0f%%)\n", s.Name, s.Tolerance*100)
		for _, b := range s.Batches {
			n := fmt.Sprintf("%d nodes", len(b.Nodes))
			if b.Rest {
				n = "every planned node not yet on the version"
			}
			fmt.Fprintf(w, "  batch %-3d %s  %s\n", b.Batch, b.Start.Format("2006-01-02 15:04"), n)
		}
	}
}

// writeKindDoc prints v as JSON under key, or as text.
func writeKindDoc(o *releaseRefOptions, key string, v any, text func(io.Writer)) error {
	if o.JSON() {
		return jsonout.Write(o.IO.Out, map[string]any{"schema_version": jsonout.NewEnvelope().SchemaVersion, key: v})
	}
	text(o.IO.Out)
	return nil
}

// kindStatusReport shows a HostOS or NNS canister release (exit 9 when it
// failed, was rolled back or is halted).
func kindStatusReport(o *releaseRefOptions, v *rollout.View) error {
	err := writeKindDoc(o, "status", v.Doc(), func(w io.Writer) {
		if v.HostOS != nil {
			writeHostOSStatus(w, v.HostOS)
		} else {
			writeCanisterStatus(w, v.Canister)
		}
	})
	if err != nil {
		return err
	}
	return statusExit(&rollout.Status{State: v.Summary().State})
}

func writeHostOSStatus(w io.Writer, st *rollout.HostOSStatus) {
	fmt.Fprintf(w, "HostOS release %s (%s)  state: %s  at %s\n", st.Version, st.Mode, st.State, st.Now.Format("2006-01-02 15:04 MST"))
	writeElection(w, st.Election)
	fmt.Fprintf(w, "Nodes: %d of %d run the version", st.OnVersion, st.Nodes)
	if len(st.Down) > 0 {
		fmt.Fprintf(w, ", %d down", len(st.Down))
	}
	fmt.Fprintln(w)
	for _, s := range st.Stages {
		fmt.Fprintf(w, "Stage %-10s %s %-21s %d nodes, %d failed (tolerance %.0f%%)\n", s.Name, s.State.Symbol(), s.State, s.Nodes, s.Failed, s.Tolerance*100)
		for _, b := range s.Batches {
			p := ""
			if b.Proposal.ID != 0 {
				p = fmt.Sprintf(" [proposal %d]", b.Proposal.ID)
			}
			fmt.Fprintf(w, "  batch %-3d %s  %s %-21s %d nodes%s\n", b.Batch, b.Start.Format("2006-01-02 15:04"), b.State.Symbol(), b.State, b.Nodes, p)
		}
	}
	writeKindTail(w, st.Blockers, st.Quiet, st.Disclosure)
}

func writeCanisterStatus(w io.Writer, st *rollout.CanisterStatus) {
	fmt.Fprintf(w, "NNS canister release %s (%s)  state: %s  at %s\n", st.Version, st.Mode, st.State, st.Now.Format("2006-01-02 15:04 MST"))
	for _, c := range st.Canisters {
		p := ""
		if c.Proposal.ID != 0 {
			p = fmt.Sprintf(" [proposal %d]", c.Proposal.ID)
		}
		fmt.Fprintf(w, "  %s %-14s %-21s wasm %s, on chain %s%s\n", c.State.Symbol(), c.Name, c.State, short16(c.WasmSHA256), short16(c.ModuleHash), p)
	}
	writeKindTail(w, st.Blockers, st.Quiet, st.Disclosure)
}

func short16(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	if h == "" {
		return "(none)"
	}
	return h
}

func writeKindTail(w io.Writer, blockers []string, q rollout.QuietStatus, d *rollout.Disclosure) {
	for _, b := range blockers {
		fmt.Fprintf(w, "Blocked: %s\n", proposals.Sanitize(b))
	}
	fmt.Fprintf(w, "Quiet: %s\n", q)
	if d != nil {
		fmt.Fprintf(w, "Disclosed: %s at %s\n", proposals.Sanitize(d.SourceURL), d.At.Format("2006-01-02 15:04 MST"))
	}
}

// writeAdvanced writes an advance's submissions and status as JSON: the
// GuestOS document (jsonout.Submitted), or for the other kinds the same keys
// around the kind's own status.
func writeAdvanced(o *releaseRefOptions, adv *rollout.Advanced) error {
	if st := adv.View.GuestOS; st != nil {
		return jsonout.Write(o.IO.Out, jsonout.Submitted{Envelope: jsonout.NewEnvelope(), Submitted: adv.Submitted, Status: st})
	}
	return jsonout.Write(o.IO.Out, map[string]any{"schema_version": jsonout.NewEnvelope().SchemaVersion, "submitted": adv.Submitted, "status": adv.View.Doc()})
}

// kindRollbackPlan plans the rollback of a HostOS release (each node back
// to its previous HostOS) or an NNS canister release (each canister back to
// the previous wasm given with --wasm, checked against the module hash on
// chain before the upgrade).
func (s *rollbackSession) kindRollbackPlan(ctx context.Context, o *rollbackOptions) (*rollback.Plan, error) {
	now, err := s.now(ctx)
	if err != nil {
		return nil, err
	}
	problem := o.Problem
	if s.ledger.ReleaseKind() == rollout.ReleaseCanister {
		if problem == "" {
			problem = "the canister upgrade is rolled back"
		}
		var prev []rollback.CanisterRollback
		for _, w := range o.Wasm {
			can, file, ok := strings.Cut(w, "=")
			if !ok || can == "" || file == "" {
				return nil, FlagErrorf("--wasm takes CANISTER=FILE (canister id or name, previous wasm module), not %q", w)
			}
			abs, err := filepath.Abs(file)
			if err != nil {
				return nil, err
			}
			prev = append(prev, rollback.CanisterRollback{Canister: can, WasmPath: abs})
		}
		return rollback.BuildCanister(s.ledger, prev, problem, now)
	}
	return rollback.PlanHostOSRelease(ctx, s.tracker, problem)
}
