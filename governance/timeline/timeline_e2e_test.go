package timeline_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
)

// net drives the embedded local network's registry with the same NNS
// function payloads governance executes, then reads the registry log back
// over the IC HTTP interface.
type net struct {
	t   testing.TB
	ln  *localnet.Network
	c   *governance.Client
	now time.Time
}

func start(t testing.TB) *net {
	t.Helper()
	ln, c := governancetest.Start(t)
	return &net{t: t, ln: ln, c: c, now: ln.Now()}
}

// exec executes one payload one hour after the previous one.
func (n *net) exec(p proposals.FunctionPayload) {
	n.t.Helper()
	b, err := proposals.EncodePayload(p)
	if err != nil {
		n.t.Fatal(err)
	}
	n.now = n.now.Add(time.Hour)
	if err := n.ln.Registry().ExecuteNnsFunction(int32(p.NnsFunction()), b, n.now); err != nil {
		n.t.Fatalf("%s: %v", p.ActionName(), err)
	}
}

// version derives a 40-hex version id from a short name.
func version(name string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(name)))[:40] }

func (n *net) elect(v string) {
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte("pkg"+v)))
	n.exec(proposals.ReviseElectedGuestosVersions{ReplicaVersionToElect: &v, ReleasePackageSHA256Hex: &sum,
		ReleasePackageURLs: []string{"https://download.dfinity.systems/ic/" + v + "/guest-os/update-img/update-img.tar.zst"}})
}

func (n *net) deploySubnet(id principal.Principal, v string) {
	n.exec(proposals.DeployGuestosToAllSubnetNodes{SubnetID: id, ReplicaVersionID: v})
}

// deployAll deploys v to every subnet, the unassigned nodes and the API
// boundary nodes except the first skipBNs of them.
func (n *net) deployAll(v string, skipBNs int) {
	for _, s := range n.ln.Registry().Subnets() {
		n.deploySubnet(s.ID, v)
	}
	n.exec(proposals.DeployGuestosToAllUnassignedNodes{ElectedReplicaVersion: v})
	var bns []principal.Principal
	for _, b := range n.ln.Registry().APIBoundaryNodes()[skipBNs:] {
		bns = append(bns, b.ID)
	}
	n.exec(proposals.DeployGuestosToSomeAPIBoundaryNodes{NodeIDs: bns, Version: v})
}

func (n *net) timeline() *timeline.Timeline {
	n.t.Helper()
	log, err := n.c.RegistryLog(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	tl, err := timeline.Build(log)
	if err != nil {
		n.t.Fatal(err)
	}
	return tl
}

func (n *net) firstSubnet() timeline.TargetID {
	return timeline.TargetID{Kind: timeline.KindSubnet, ID: n.ln.Registry().Subnets()[0].ID.Encode()}
}

// Every GuestOS target of the network is in the timeline: each subnet, the
// unassigned nodes and each API boundary node.
func TestTimelineCoversEveryTarget(t *testing.T) {
	n := start(t)
	tl := n.timeline()
	kinds := map[timeline.Kind]int{}
	for _, tg := range tl.Current() {
		kinds[tg.Kind]++
		if len(tg.Runs) == 0 {
			t.Errorf("%s has no runs", tg.TargetID)
		}
	}
	want := map[timeline.Kind]int{timeline.KindSubnet: len(n.ln.Registry().Subnets()), timeline.KindUnassigned: 1,
		timeline.KindAPIBoundary: len(n.ln.Registry().APIBoundaryNodes())}
	for k, w := range want {
		if kinds[k] != w || w == 0 {
			t.Errorf("%d %s targets, want %d (>0)", kinds[k], k, w)
		}
	}
}

// Two consecutive releases, the second deployed everywhere over the first:
// the first is superseded on every target, never rolled back.
func TestNewerReleaseSupersedes(t *testing.T) {
	n := start(t)
	first, second := version("first"), version("second")
	n.elect(first)
	n.deployAll(first, 0)
	n.elect(second)
	n.deployAll(second, 0)
	tl := n.timeline()
	if !tl.Newer(second, first) || tl.Newer(first, second) {
		t.Fatalf("election order: Newer(second, first)=%v", tl.Newer(second, first))
	}
	for _, tg := range tl.Current() {
		if got := tl.Outcome(tg, first); got != timeline.OutcomeSuperseded {
			t.Errorf("%s: first release %s, want superseded", tg.TargetID, got)
		}
		if got := tl.Outcome(tg, second); got != timeline.OutcomeOn {
			t.Errorf("%s: second release %s, want on_release", tg.TargetID, got)
		}
	}
	if _, ok := tl.QuietPeriod(first).Holding(); !ok {
		t.Error("first release not 100% patched although every target runs a newer version")
	}
	if bad := tl.RolledBackFrom(); len(bad) != 0 {
		t.Errorf("rolled back from %v; nothing was rolled back", bad)
	}
}

// aaaa -> bbbb (stalled) -> rolled back to aaaa -> cccc (stalled): the last
// good version for cccc is aaaa, never bbbb.
func TestLastGoodSkipsVersionRolledBackFrom(t *testing.T) {
	n := start(t)
	a, b, c := version("aaaa"), version("bbbb"), version("cccc")
	for _, v := range []string{a, b, c} {
		n.elect(v)
	}
	sub := n.ln.Registry().Subnets()[0].ID
	for _, v := range []string{a, b, a, c} {
		n.deploySubnet(sub, v)
	}
	tl := n.timeline()
	lg, err := tl.LastGood(n.firstSubnet(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lg.Version != a {
		t.Fatalf("last good %s, want aaaa %s (%s)", lg.Version, a, lg.Why)
	}
	if _, skipped := lg.Skipped[b]; !skipped {
		t.Errorf("bbbb not named as passed over: %v", lg.Skipped)
	}
	// Marking aaaa bad (e.g. --exclude) leaves the seed version.
	lg, err = tl.LastGood(n.firstSubnet(), c, map[string]timeline.BadReason{a: "excluded"})
	if err != nil {
		t.Fatal(err)
	}
	if lg.Version == a || lg.Version == b || lg.Version == c {
		t.Errorf("last good %s with aaaa excluded", lg.Version)
	}
}

// An API boundary node left on the old version keeps the release from 100%.
func TestAPIBoundaryNodeBlocksFullPatch(t *testing.T) {
	n := start(t)
	v := version("patch")
	n.elect(v)
	n.deployAll(v, 1)
	q := n.timeline().QuietPeriod(v)
	if _, ok := q.Holding(); ok {
		t.Fatal("100% patched with an API boundary node on the old version")
	}
	left := n.ln.Registry().APIBoundaryNodes()[0].ID.Encode()
	if len(q.Unpatched) != 1 || q.Unpatched[0] != (timeline.TargetID{Kind: timeline.KindAPIBoundary, ID: left}) {
		t.Errorf("unpatched %v, want only API boundary node %s", q.Unpatched, left)
	}
}

// A rollback during the quiet period voids it; deploying the patch again
// restarts it from the new moment.
func TestRollbackVoidsQuietPeriod(t *testing.T) {
	n := start(t)
	sub := n.ln.Registry().Subnets()[0]
	old, _ := n.ln.Registry().SubnetVersion(sub.ID)
	v := version("patch")
	n.elect(v)
	n.deployAll(v, 0)
	first, ok := n.timeline().QuietPeriod(v).Holding()
	if !ok {
		t.Fatal("not 100% after deploying everywhere")
	}
	n.deploySubnet(sub.ID, old)
	q := n.timeline().QuietPeriod(v)
	if _, ok := q.Holding(); ok {
		t.Fatal("quiet period holds after a rollback to the unpatched version")
	}
	rolled, _ := n.timeline().Target(n.firstSubnet())
	if got := n.timeline().Outcome(rolled, v); got != timeline.OutcomeRolledBack {
		t.Errorf("subnet back on the old version reads %s, want rolled_back", got)
	}
	if vo := q.Voided(); len(vo) != 1 || vo[0].Start != first.Start || len(vo[0].Broken) != 1 || vo[0].Broken[0] != n.firstSubnet() {
		t.Errorf("voided %+v, want the first period broken by %s", vo, n.firstSubnet())
	}
	n.deploySubnet(sub.ID, v)
	again, ok := n.timeline().QuietPeriod(v).Holding()
	if !ok || !again.StartTime.After(first.StartTime) {
		t.Errorf("restarted %+v (ok %v); want a new start after %v", again, ok, first.StartTime)
	}
}
