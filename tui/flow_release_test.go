package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
	rb "github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/tui/pages/releases"
	rollbackpage "github.com/nnspatch/nnspatch/tui/pages/rollback"
)

// flowPatch is the security patch the release flows elect.
const flowPatch = "9d8c7b6a5f4e3d2c1b0a99887766554433221100"

// releaseFlow is a local network with an elected security patch whose
// staged rollout is planned (two subnets a batch, 15 minutes of bake).
type releaseFlow struct {
	n      *localnet.Network
	c      *governance.Client
	tr     *rollout.Tracker
	plan   *rollout.Plan
	before *governance.Registry
}

func newReleaseFlow(t *testing.T) *releaseFlow {
	t.Helper()
	n, c := governancetest.Start(t)
	ctx := context.Background()
	f := &releaseFlow{n: n, c: c}
	// Not t.TempDir: a refresh still under way when the program quits may
	// write the ledger while the directory is removed.
	root, err := os.MkdirTemp("", "nnspatch-tui-flow-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	f.tr = rollouttest.Tracker(n, c, rollout.Store{Dir: filepath.Join(root, flowPatch)}, rollouttest.Metrics(n))
	dr, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: flowPatch,
		SHA256: strings.Repeat("ab", 32), MeasurementsWaiver: "test build without SEV measurements"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rollout.NewRelease(ctx, f.tr.Store, dr, f.tr.Actor, n.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	if f.before, err = c.Registry(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := rollout.BuildPlan(f.before, rollout.PlanOptions{Version: flowPatch, Start: n.Now(), BatchSize: 2, Bake: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if f.plan, err = f.tr.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	return f
}

// now is the network's (virtual) clock.
func (f *releaseFlow) now(context.Context) (time.Time, error) { return f.n.Now(), nil }

// app is the terminal app over the flow's release, refreshing every
// refresh on the network's clock.
func (f *releaseFlow) app(refresh time.Duration) *App {
	name := filepath.Base(f.tr.Store.Dir)
	return New(Deps{Gov: f.c, Network: "local", Neuron: devNeuron, Neurons: []uint64{devNeuron}, Refresh: refresh, NetworkNow: f.now,
		Releases: []releases.Release{{Name: name, Tracker: f.tr, Neuron: devNeuron}},
		Rollbacks: []rollbackpage.Release{{Name: name, Source: &rollbackpage.ReleaseSource{Tracker: f.tr, Client: f.c,
			Neuron: devNeuron}}}})
}

func (f *releaseFlow) registry(t *testing.T) *governance.Registry {
	t.Helper()
	reg, err := f.c.Registry(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestFlowAdvanceRollout opens the Releases page, advances the rollout
// with a confirmation, and finds batch 1's subnets upgraded on the network.
func TestFlowAdvanceRollout(t *testing.T) {
	f := newReleaseFlow(t)
	tm := teatest.NewTestModel(t, f.app(-1), teatest.WithInitialTermSize(80, 24))
	tm.Type("4")
	waitFor(t, tm, "Version "+flowPatch[:12], "batch 1")
	tm.Type("a")
	waitFor(t, tm, "y confirm · n cancel")
	tm.Type("y")
	waitFor(t, tm, "submitted #")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	reg := f.registry(t)
	for _, id := range f.plan.Batches[0].Subnets {
		if s, ok := reg.SubnetByID(id); !ok || s.GuestOSVersion != flowPatch {
			t.Errorf("batch 1 subnet %s runs %q after the advance, want %s", id, s.GuestOSVersion, flowPatch)
		}
	}
	for _, id := range f.plan.Batches[1].Subnets {
		if s, _ := reg.SubnetByID(id); s.GuestOSVersion == flowPatch {
			t.Errorf("batch 2 subnet %s was upgraded too", id)
		}
	}
}

// TestFlowRollback faults the patch so batch 1's first subnet stalls,
// then plans the rollback on the Rollback page, submits it after the
// confirmation and follows it until done and until the stalled subnet
// finalizes again on its old version; the rollout is halted.
func TestFlowRollback(t *testing.T) {
	f := newReleaseFlow(t)
	ctx := context.Background()
	failing := f.plan.Batches[0].Subnets[0]
	was, _ := f.before.SubnetByID(failing)
	if err := f.n.SetFault(localnet.Fault{Version: flowPatch, Subnets: []string{failing}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tr.Advance(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.Advance(20 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tr.Status(ctx); err != nil { // the gate observes the stall
		t.Fatal(err)
	}

	tm := teatest.NewTestModel(t, f.app(300*time.Millisecond), teatest.WithInitialTermSize(80, 24))
	tm.Type("5")
	waitFor(t, tm, "No rollback under way")
	tm.Type("p")
	waitFor(t, tm, "1. halt the rollout", failing[:11]+"…     "+flowPatch[:8]+"… → "+was.GuestOSVersion[:8]+"… failing")
	tm.Type("s")
	waitFor(t, tm, "y confirm · n cancel")
	tm.Type("y")
	// The executor judges a subnet's step by the replicas (the tracker's
	// health source, as the CLI's does): until the subnet switches back at
	// its next CUP the rollback is submitted and its target recovering.
	waitFor(t, tm, "… in progress", "submitted, 1 target recovering")
	// The subnets switch back at their next CUP: move the virtual clock on
	// and watch them recover on the refresh tick.
	if _, err := f.n.Advance(30 * time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, "✓ done · targets healthy", "recovered: 1 of 1 targets healthy")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	if s, _ := f.registry(t).SubnetByID(failing); s.GuestOSVersion != was.GuestOSVersion {
		t.Errorf("subnet %s runs %s after the rollback, want %s", failing, s.GuestOSVersion, was.GuestOSVersion)
	}
	l, err := f.tr.Store.Read()
	if err != nil || l.Halted == nil {
		t.Errorf("rollout not halted (err %v)", err)
	}
	st, err := rb.StateFile{Path: filepath.Join(f.tr.Store.Dir, "rollback.json")}.Load()
	if err != nil || len(st.Steps) < 2 || st.Steps[0].State != rb.StateDone {
		t.Fatalf("rollback state: %v %+v", err, st)
	}
	for _, s := range st.Steps {
		if s.State != rb.StateDone {
			t.Errorf("step %d is %s", s.N, s.State)
		}
	}
}
