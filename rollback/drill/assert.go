package drill

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/rollback"
)

func (d *drill) check(name string, ok bool, format string, args ...any) {
	d.rep.Assertions = append(d.rep.Assertions, Assertion{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func (d *drill) failedAssertions() []Assertion {
	var out []Assertion
	for _, a := range d.rep.Assertions {
		if !a.OK {
			out = append(out, a)
		}
	}
	return out
}

// assertAll checks the end state. A check that cannot read the network
// fails with the read error as its detail.
func (d *drill) assertAll(ctx context.Context) {
	d.assertDetection()
	d.assertRecovery(ctx)
	if d.s.Kind == KindHostOS || d.s.Kind == KindCanister {
		d.assertKind(ctx)
		return
	}
	if d.rep.Plan == nil {
		return
	}
	if w := d.s.Expect.RollbackWithin.D(); w > 0 {
		d.check("rollback_within", d.rep.TimeToRollBack <= w, "rolled back in %s (bound %s)", fmtVirtual(d.rep.TimeToRollBack), fmtVirtual(w))
	}
	d.assertReelect()
	d.assertReelectedIdentical(ctx)
	a := d.s.Assert
	if on(a.AllHealthy) {
		d.assertHealthy(ctx)
	}
	if d.s.Fault.Target == FaultAPIBoundaryNodes {
		d.assertAPIBoundaryRestored(ctx)
	}
	if on(a.NoUnelectedInUse) {
		d.assertElectedInUse(ctx)
	}
	if on(a.QuietPeriodNotStarted) || on(a.NothingDisclosed) {
		d.assertLedger(a)
	}
	if on(a.RolloutHalted) {
		_, err := d.track.Advance(ctx)
		d.check("rollout_halted", errors.Is(err, rollout.ErrHalted), "rollout advance after the rollback: %v", err)
	}
	if on(a.TextsLeakNothing) && d.s.Patch.Mode == proposals.ModeSecurity {
		d.assertTexts(ctx)
	}
}

func (d *drill) assertDetection() {
	det := d.rep.Detection
	if det == nil {
		d.check("detected", false, "the rollout never failed a gate on subnet %s", d.rep.FaultSubnet)
		return
	}
	if d.s.Fault.Target == FaultAPIBoundaryNodes {
		d.assertAPIBoundaryDetection(det)
	} else {
		d.check("detected", det.Subnet == d.rep.FaultSubnet, "gate failed on %s (fault on %s)", det.Subnet, d.rep.FaultSubnet)
	}
	if w := d.s.Expect.DetectWithin.D(); w > 0 {
		d.check("detect_within", !det.StalledAt.IsZero() && det.TimeToDetect <= w, "detected %s after the stall (bound %s)", fmtVirtual(det.TimeToDetect), fmtVirtual(w))
	}
}

func (d *drill) assertReelect() {
	var got, want []string
	for _, s := range d.rep.Plan.Steps {
		if s.Kind == rollback.StepReelect {
			got = append(got, s.Version)
		}
	}
	for _, v := range d.s.Expect.Reelect {
		want = append(want, Commit(v))
	}
	slices.Sort(got)
	slices.Sort(want)
	d.check("reelect", slices.Equal(got, want), "re-elected [%s], expected [%s]", shortList(got), shortList(want))
}

// assertReelectedIdentical: every re-elected version's registry record,
// read back from the registry history, carries the package hash, URLs and
// launch measurements of its first election.
func (d *drill) assertReelectedIdentical(ctx context.Context) {
	var versions []string
	for _, s := range d.rep.Plan.Steps {
		if s.Kind == rollback.StepReelect {
			versions = append(versions, s.Version)
		}
	}
	if len(versions) == 0 {
		return
	}
	h, err := d.history(ctx)
	if err != nil {
		d.check("reelected_identical", false, "read the registry history: %v", err)
		return
	}
	var bad []string
	for _, v := range versions {
		rs, err := h.Releases(v)
		switch {
		case err != nil:
			bad = append(bad, err.Error())
		case len(rs) < 2:
			bad = append(bad, fmt.Sprintf("%s has %d election record(s) in the history, not a first election and a re-election", short(v), len(rs)))
		case !reflect.DeepEqual(rs[0], rs[len(rs)-1]):
			bad = append(bad, fmt.Sprintf("%s re-elected with sha256 %s, %d URL(s), measurements %v; first elected with %s, %d URL(s), measurements %v",
				short(v), rs[len(rs)-1].SHA256, len(rs[len(rs)-1].URLs), rs[len(rs)-1].Measurements != nil, rs[0].SHA256, len(rs[0].URLs), rs[0].Measurements != nil))
		}
	}
	d.check("reelected_identical", len(bad) == 0, "%d re-elected version(s) match their first election (sha256, URLs, launch measurements)%s", len(versions), listed(bad))
}

// history reads the registry's whole history through the drill's client.
func (d *drill) history(ctx context.Context) (*rollback.History, error) {
	return rollback.ReadHistory(ctx, d.client)
}

// assertHealthy: every subnet finalizes on an elected version other than
// the patch, and its replicas run what its registry record names.
func (d *drill) assertHealthy(ctx context.Context) {
	subs, err := d.env.admin.Subnets(ctx)
	if err != nil {
		d.check("all_healthy", false, "read subnet states: %v", err)
		return
	}
	reg, err := d.client.Registry(ctx)
	if err != nil {
		d.check("all_healthy", false, "read the registry: %v", err)
		return
	}
	var bad []string
	for _, s := range subs {
		_, elected := reg.GuestOSByID(s.RunningVersion)
		if s.Stalled || s.RunningVersion == d.patch || s.RunningVersion != s.RegistryVersion || !elected {
			bad = append(bad, fmt.Sprintf("%s runs %s (registry %s, stalled %v, elected %v)", shortSubnet(s.ID), short(s.RunningVersion), short(s.RegistryVersion), s.Stalled, elected))
		}
	}
	if reg.UnassignedVersion == d.patch {
		bad = append(bad, "the unassigned nodes still run the patch")
	}
	d.check("all_healthy", len(bad) == 0, "%d subnet(s) finalize on an elected pre-patch version%s", len(subs)-len(bad), listed(bad))
}

func listed(bad []string) string {
	if len(bad) == 0 {
		return ""
	}
	return "; not: " + strings.Join(bad, "; ")
}

// assertElectedInUse replays the registry history: no GuestOS version was
// unelected while a subnet, the unassigned nodes or an API boundary node
// used it.
func (d *drill) assertElectedInUse(ctx context.Context) {
	h, err := d.history(ctx)
	if err != nil {
		d.check("no_unelected_in_use", false, "%v", err)
		return
	}
	var bad []string
	un, _ := h.UnassignedVersions()
	for v, at := range h.Unelections() {
		for _, r := range at {
			for _, id := range h.SubnetIDs() {
				vs, _ := h.SubnetVersions(id)
				if rollback.VersionAt(vs, r) == v {
					bad = append(bad, fmt.Sprintf("%s unelected at registry version %d while %s ran it", short(v), r, shortSubnet(id)))
				}
			}
			if rollback.VersionAt(un, r) == v {
				bad = append(bad, fmt.Sprintf("%s unelected at registry version %d while the unassigned nodes ran it", short(v), r))
			}
			for _, id := range h.APIBoundaryIDs() {
				vs, _ := h.APIBoundaryVersions(id)
				if rollback.VersionAt(vs, r) == v {
					bad = append(bad, fmt.Sprintf("%s unelected at registry version %d while API boundary node %s ran it", short(v), r, shortSubnet(id)))
				}
			}
		}
	}
	d.check("no_unelected_in_use", len(bad) == 0, "%d unelection(s) checked against %d registry versions%s", len(h.Unelections()), h.Latest, listed(bad))
}

func (d *drill) assertLedger(a Asserts) {
	l, err := d.track.Store.Read()
	if err != nil {
		d.check("ledger", false, "read the release ledger: %v", err)
		return
	}
	if on(a.QuietPeriodNotStarted) {
		d.check("quiet_period_not_started", l.QuietPeriod.Start.IsZero(), "quiet period start: %s", fmtTime(l.QuietPeriod.Start))
	}
	if on(a.NothingDisclosed) {
		d.check("nothing_disclosed", l.Disclosure == nil, "disclosure: %v", l.Disclosure != nil)
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "not started"
	}
	return t.Format(time.RFC3339)
}

// assertTexts reads every rollback proposal back from governance: its
// title and summary name neither the patch's commit nor a deny-listed word.
func (d *drill) assertTexts(ctx context.Context) {
	pol := proposals.DefaultPolicy()
	var bad []string
	n := 0
	for _, p := range d.kinds {
		if p.Kind != "rollback" {
			continue
		}
		n++
		got, err := d.client.GetProposal(ctx, p.ID)
		if err != nil {
			bad = append(bad, fmt.Sprintf("proposal %d: %v", p.ID, err))
			continue
		}
		text := strings.ToLower(got.Title + "\n" + got.Summary)
		if strings.Contains(text, d.patch) || strings.Contains(text, short(d.patch)) {
			bad = append(bad, fmt.Sprintf("proposal %d names the patch", p.ID))
		}
		for _, w := range pol.DenyWords {
			if containsWord(text, strings.ToLower(w)) {
				bad = append(bad, fmt.Sprintf("proposal %d says %q", p.ID, w))
			}
		}
	}
	d.check("texts_leak_nothing", len(bad) == 0 && n > 0, "%d rollback proposal text(s) checked%s", n, listed(bad))
}

// containsWord reports whether w occurs in text with no letter on either side.
func containsWord(text, w string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		at := i + j
		before := at == 0 || !isLetter(text[at-1])
		end := at + len(w)
		after := end >= len(text) || !isLetter(text[end])
		if before && after {
			return true
		}
		i = at + 1
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// finish fills in the proposals' final states and the totals.
func (d *drill) finish(ctx context.Context) {
	for _, p := range d.kinds {
		if got, err := d.client.GetProposal(ctx, p.ID); err == nil {
			p.Status = got.Status
			if p.Title == "" {
				p.Title = got.Title
			}
		}
		d.rep.Proposals = append(d.rep.Proposals, p)
	}
	slices.SortFunc(d.rep.Proposals, func(a, b Proposal) int { return int(a.ID) - int(b.ID) })
	d.rep.VirtualTotal, d.rep.WallTotal = d.now.Sub(d.virt0), time.Since(d.wall0)
	d.rep.Passed = len(d.failedAssertions()) == 0
}
