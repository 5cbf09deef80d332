package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
)

// RolloutUpgradingNodes is the state of a HostOS rollout (or an NNS
// canister release) between its election and 100%.
const RolloutUpgradingNodes RolloutState = "upgrading_nodes"

// RolloutUpgradingCanisters is an NNS canister release whose upgrades are
// not all executed yet.
const RolloutUpgradingCanisters RolloutState = "upgrading_canisters"

// Release kinds (Ledger.Kind): what a release patches.
const (
	// ReleaseGuestOS patches the replica software on subnets, the
	// unassigned nodes (the default: an empty Kind reads as this).
	ReleaseGuestOS = "guestos"
	// ReleaseHostOS patches the host OS of nodes, stage by stage.
	ReleaseHostOS = "hostos"
	// ReleaseCanister patches one or more NNS canisters by InstallCode.
	ReleaseCanister = "nns-canister"
)

// ReleaseKinds lists the kinds `release new --kind` accepts.
var ReleaseKinds = []string{ReleaseGuestOS, ReleaseHostOS, ReleaseCanister}

// ErrReleaseKind reports a command for one kind of release used on
// another (e.g. the GuestOS subnet plan on a HostOS release).
var ErrReleaseKind = errors.New("wrong release kind")

// KindError names the release's kind and what the command needs.
type KindError struct {
	Kind string
	Want string
	What string
}

// Error implements error.
func (e *KindError) Error() string {
	return fmt.Sprintf("%s: the release is a %s release, not a %s release", e.What, e.Kind, e.Want)
}

// Is reports whether target is ErrReleaseKind.
func (e *KindError) Is(target error) bool { return target == ErrReleaseKind }

// ReleaseKind returns the release's kind (ReleaseGuestOS when unset).
func (l *Ledger) ReleaseKind() string {
	if l.Kind == "" {
		return ReleaseGuestOS
	}
	return l.Kind
}

// requireKind refuses a ledger of another kind.
func requireKind(l *Ledger, want, what string) error {
	if k := l.ReleaseKind(); k != want {
		return &KindError{Kind: k, Want: want, What: what}
	}
	return nil
}

// kindQuiet keeps the quiet period of a HostOS or canister release: it
// starts at completedAt (the execution of the proposal that made 100% of
// the targets run the patch) and is void, audited, when a target leaves
// the patch. It reports whether the ledger changed.
func kindQuiet(l *Ledger, now time.Time, actor string, complete bool, completedAt time.Time, unpatched []string) (QuietStatus, bool) {
	changed := false
	switch {
	case complete && l.QuietPeriod.Start.IsZero():
		l.QuietPeriod.Start = completedAt.UTC()
		l.Record(now, actor, "quiet", fmt.Sprintf("100%% of the targets run %s since %s: quiet period of %d days started", shortVersion(l.Version), completedAt.UTC().Format(time.RFC3339), quietDays(l)), 0)
		changed = true
	case !complete && !l.QuietPeriod.Start.IsZero():
		l.Record(now, actor, "quiet", "quiet period void: "+strings.Join(unpatched, ", ")+" no longer run the patch", 0)
		l.QuietPeriod.Start = time.Time{}
		changed = true
	}
	q := quietStatus(l.QuietPeriod, now)
	q.Unpatched = unpatched
	return q, changed
}

// discloseKind records the disclosure of a HostOS or canister release:
// only once 100% of its targets ran the patch for the quiet period (as
// Look sees it), unless forced with a reason.
func (t *Tracker) discloseKind(ctx context.Context, sourceURL string, force bool, reason string) (*Disclosure, error) {
	if force && reason == "" {
		return nil, fmt.Errorf("disclose: %w to force a disclosure", ErrNoReason)
	}
	v, err := t.Look(ctx)
	if err != nil {
		return nil, err
	}
	q := v.Summary().Quiet
	var d *Disclosure
	err = t.update(ctx, func(l *Ledger, now time.Time) error {
		if l.Disclosure != nil {
			return fmt.Errorf("disclose: already disclosed at %s (%s)", l.Disclosure.At.Format(time.RFC3339), l.Disclosure.SourceURL)
		}
		var refused error
		switch {
		case len(q.Unpatched) > 0:
			refused = &DiscloseRefusedError{Unpatched: q.Unpatched, Need: l.QuietPeriod.Length()}
		case !q.Over:
			refused = &DiscloseRefusedError{Held: now.Sub(q.Start), Need: l.QuietPeriod.Length()}
		}
		if refused != nil && !force {
			return refused
		}
		note := ""
		if refused != nil {
			note = "disclosed before 100% patched held for the quiet period (override; " + refused.Error() + "): " + reason
		}
		d = t.recordDisclosure(l, now, sourceURL, note, reason)
		return nil
	})
	return d, err
}

// proposalNow reads a recorded proposal's status from governance, noting
// its facts; a proposal governance forgot falls back to the facts.
func (t *Tracker) proposalNow(ctx context.Context, l *Ledger, r ProposalRecord, now time.Time) (ProposalView, error) {
	if r.ID == 0 {
		return ProposalView{}, nil
	}
	p, err := t.Gov.GetProposal(ctx, r.ID)
	if errors.Is(err, governance.ErrProposalNotFound) {
		l.markGone(r.ID, now)
		return r.view(), nil
	}
	if err != nil {
		return ProposalView{}, err
	}
	f := factsOf(r.Kind, r.Subnet, l.Version, p)
	f.PayloadSHA256 = r.PayloadSHA256
	l.NoteProposal(f)
	return ProposalView{ID: p.ID, Status: p.Status, FailureReason: p.FailureReason, Executed: p.Executed}, nil
}

// electionView is the election's status as the HostOS and canister
// releases show it.
func (t *Tracker) electionView(ctx context.Context, l *Ledger, now time.Time) (ElectionStatus, error) {
	e, ok := l.Election()
	if !ok {
		return ElectionStatus{Status: "not submitted", Next: "nnspatch release submit"}, nil
	}
	if e.ID == 0 {
		return ElectionStatus{Status: "submitting", Next: "nnspatch release submit (reconciles the intent)"}, nil
	}
	v, err := t.proposalNow(ctx, l, e, now)
	if err != nil {
		return ElectionStatus{}, err
	}
	return ElectionStatus{Proposal: e.ID, Status: v.Status.String(), FailureReason: v.FailureReason}, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// kindOf reads the release's kind from its ledger.
func (t *Tracker) kindOf() (string, error) {
	l, err := t.Store.Read()
	if err != nil {
		return "", err
	}
	return l.ReleaseKind(), nil
}
