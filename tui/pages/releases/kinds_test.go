package releases

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/internal/tuitest"
)

// kindEpoch is where the local network's clock stands still in these
// tests: fixed, so the rendered times are, and in the future, since the
// agent refuses certificates older than the real time (a later one is
// accepted, as after the network's clock was advanced).
var kindEpoch = time.Date(2099, 11, 20, 12, 0, 0, 0, time.UTC)

// kindNet starts a local network whose clock starts at kindEpoch and
// moves only when the test advances it.
func kindNet(t *testing.T) (*localnet.Network, *governance.Client) {
	t.Helper()
	return governancetest.Start(t, localnettest.WithConfig(func(c *localnet.Config) {
		c.RealClock = func() time.Time { return kindEpoch }
	}))
}

// kindTracker is the tracker of the release in dir on n, as `nnspatch tui`
// builds it: the network's clock and node health from its /metrics.
func kindTracker(n *localnet.Network, c *governance.Client, dir string) *rollout.Tracker {
	return rollouttest.Tracker(n, c, rollout.Store{Dir: dir}, rollouttest.Metrics(n))
}

// kindPage is the page over one real release at 80x24, observed once.
func kindPage(t *testing.T, name string, tr *rollout.Tracker) *Page {
	t.Helper()
	p := New(tuitest.Common(), []Release{{Name: name, Tracker: tr, Neuron: 80}})
	p.SetSize(80, 24)
	run(p, p.Init())
	if p.Status() == nil {
		t.Fatalf("the page observed nothing:\n%s", p.View())
	}
	return p
}

// statusText is the text of the one status or error message in msgs.
func statusText(t *testing.T, msgs []tea.Msg) string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		switch m := m.(type) {
		case common.StatusMsg:
			out = append(out, string(m))
		case common.ErrorMsg:
			out = append(out, "error: "+m.Op+": "+m.Err.Error())
		}
	}
	return strings.Join(out, " | ")
}

// wantIn fails unless out holds every one of want.
func wantIn(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// goldenSizes renders the page at 80x24 and at a wider size.
func goldenSizes(t *testing.T, p *Page) {
	t.Helper()
	for _, sz := range [][2]int{{80, 24}, {132, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			p.SetSize(sz[0], sz[1])
			out := p.View()
			for i, l := range strings.Split(out, "\n") {
				if w := common.Width(l); w > sz[0] {
					t.Errorf("row %d is %d cells wide, over %d: %q", i, w, sz[0], l)
				}
			}
			tuitest.Golden(t, out)
		})
	}
}

// TestHostOSRelease drives a real HostOS release on the local network from
// the page: the header before the plan, P plans the stages (the library's
// SaveHostOSPlan), a's confirmation names the proposal kind, stage, batch
// and node count the library previews, y submits it, halt and resume are
// recorded, an early disclosure is refused by the library; the stages,
// batches and tolerance are rendered from the state that results.
func TestHostOSRelease(t *testing.T) {
	n, c := kindNet(t)
	ctx := context.Background()
	tr := kindTracker(n, c, filepath.Join(t.TempDir(), "hostos"))
	rollouttest.ElectHostOS(t, tr)
	p := kindPage(t, "hostos-patch", tr)
	wantIn(t, "before the plan", p.View(), "HostOS 7b2c9d4e5f60… · security", "Next     [P] now: plan the HostOS stages", "no plan yet")

	press(p, "P")
	wantIn(t, "plan confirmation", flat(p.View()), "Plan the HostOS rollout of hostos-patch", "canary → main → unassigned → stragglers", "Nothing is submitted")
	msg := statusText(t, press(p, "y"))
	l, err := tr.Store.Read()
	if err != nil || l.HostOS == nil {
		t.Fatalf("no plan stored (%v): %s", err, msg)
	}
	wantIn(t, "plan message", msg, fmt.Sprintf("planned hostos-patch: %d HostOS nodes in %d stages stored in the ledger", l.HostOS.Nodes(), len(l.HostOS.Stages)))

	canary := l.HostOS.Stages[0].Batches[0].Nodes
	press(p, "a")
	wantIn(t, "advance confirmation", flat(p.View()), "Advance hostos-patch: submit 1 DeployHostosToSomeNodes proposal: HostOS stage canary, batch 1, 1 node(s), with neuron 80?")
	msg = statusText(t, press(p, "y"))
	if l, err = tr.Store.Read(); err != nil {
		t.Fatal(err)
	}
	recs := l.ProposalsFor(rollout.KindHostOSDeploy, "hostos batch 1")
	if len(recs) != 1 || recs[0].ID == 0 {
		t.Fatalf("no deploy of batch 1 in the ledger: %+v (%s)", recs, msg)
	}
	wantIn(t, "advance message", msg, fmt.Sprintf("submitted #%d (hostos_deploy hostos batch 1)", recs[0].ID))
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := reg.Nodes[canary[0]].HostOSVersion; v != rollouttest.HostOSVersion {
		t.Fatalf("canary node %s runs HostOS %q after the deploy executed; want %s", canary[0], v, rollouttest.HostOSVersion)
	}

	press(p, "H")
	typeText(p, "canary under watch")
	enter(p)
	wantIn(t, "halt", statusText(t, press(p, "y")), "halted in this release directory; next: resume")
	press(p, "R")
	typeText(p, "canary healthy")
	enter(p)
	wantIn(t, "resume", statusText(t, press(p, "y")), "resumed; next:")
	press(p, "D")
	typeText(p, "https://github.com/dfinity/ic/tree/x")
	enter(p)
	wantIn(t, "early disclosure", statusText(t, press(p, "y")), "error: disclose hostos-patch")

	if _, err := n.Advance(40 * time.Minute); err != nil {
		t.Fatal(err)
	}
	run(p, p.Refresh())
	wantIn(t, "after the bake", p.View(), "Patched  1 of", "Stage    canary · batch 2 of", "✓ batch 1", "#"+fmt.Sprint(recs[0].ID))
	goldenSizes(t, p)
}

// TestCanisterRelease drives a real NNS canister release on the local
// network from the page: P says no plan is needed, a's confirmation names
// the InstallCode proposal of root with its wasm hash, y submits it; once
// executed, root shows its expected and installed module hash matching and
// lifeline its differing, whole, at 80 columns too.
func TestCanisterRelease(t *testing.T) {
	n, c := kindNet(t)
	tr := rollouttest.Tracker(n, c, rollout.Store{Dir: filepath.Join(t.TempDir(), "canisters")}, nil)
	rollouttest.CanisterRelease(t, tr, "nns-2026-11",
		rollouttest.CanisterDraft(t, proposals.RootCanisterID, rollouttest.PatchedWasm("root")),
		rollouttest.CanisterDraft(t, proposals.LifelineCanisterID, rollouttest.PatchedWasm("lifeline")))
	p := kindPage(t, "nns-2026-11", tr)
	wantIn(t, "before the advance", p.View(), "NNS canisters nns-2026-11 · security", "Patched  0 of 2 canisters", "Canister 1 of 2 · root", "Next     [a] now: advance: propose the upgrade of root")
	if msg := statusText(t, press(p, "P")); !strings.Contains(msg, "no plan needed") || p.Capturing() {
		t.Errorf("plan of a canister release: %q capturing=%v", msg, p.Capturing())
	}
	wasm := p.Status().Canister.Canisters[0].WasmSHA256
	press(p, "a")
	wantIn(t, "advance confirmation", flat(p.View()), "submit 1 InstallCode proposal: upgrade NNS canister root ("+proposals.RootCanisterID+")", wasm)
	msg := statusText(t, press(p, "y"))
	wantIn(t, "advance message", msg, "(install_code root)")
	// InstallCode proposals are decided at their deadline: a day at a time.
	for i := 0; i < 10 && p.Status().Canister.Canisters[0].State != rollout.StateComplete; i++ {
		if _, err := n.Advance(24 * time.Hour); err != nil {
			t.Fatal(err)
		}
		run(p, p.Refresh())
	}
	root := p.Status().Canister.Canisters[0]
	if root.State != rollout.StateComplete || root.ModuleHash != wasm {
		t.Fatalf("root after its InstallCode executed: %s with module %s; want complete on %s", root.State, root.ModuleHash, wasm)
	}
	wantIn(t, "after the upgrade", p.View(), "Patched  1 of 2 canisters", "Canister 2 of 2 · lifeline", "✓ matches", "✗ differs")
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if m, ok := cmd().(common.OpenProposalMsg); !ok || m.ID != root.Proposal.ID {
		t.Errorf("enter opens %+v; want root's proposal %d", m, root.Proposal.ID)
	}
	goldenSizes(t, p)
}

// TestHostOSReleaseOverTolerance: the canary node goes down on the new
// HostOS (a fault on the local network); after the page's advance and the
// bake the header says roll back or halt with the Rollback page's key,
// alerts on the node, and the canary stage is marked over its tolerance
// with the node listed as down; a further advance submits nothing.
func TestHostOSReleaseOverTolerance(t *testing.T) {
	n, c := kindNet(t)
	ctx := context.Background()
	tr := kindTracker(n, c, filepath.Join(t.TempDir(), "hostos"))
	rollouttest.ElectHostOS(t, tr)
	if _, err := tr.PlanRelease(ctx, rollout.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	canary := rollouttest.FaultCanary(t, n, tr)
	p := kindPage(t, "hostos-patch", tr)
	press(p, "a")
	press(p, "y")
	if _, err := n.Advance(40 * time.Minute); err != nil {
		t.Fatal(err)
	}
	run(p, p.Refresh())
	p.SetSize(132, 40)
	wantIn(t, "over tolerance", p.View(), "✗ failed", "Next     [5,p] now: roll back or halt: rollout stopped: HostOS stage canary",
		"Alert    node "+canary[:5], "closed: 1 of 6 node(s) failed, over the stage's tolerance of 0%", "✗ over tolerance", "✗ down "+canary[:5])
	if msg := statusText(t, press(p, "a")); !strings.Contains(msg, "nothing to advance yet: rollout stopped: HostOS stage canary") || p.Capturing() {
		t.Errorf("advance over tolerance: %q", msg)
	}
}
