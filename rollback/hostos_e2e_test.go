package rollback

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
	"github.com/nnspatch/nnspatch/proposals"
)

// TestHostOSRollbackEndToEnd: a fault takes the canary node down on the new
// HostOS, the canary stage exceeds its tolerance, and the HostOS rollback
// plan (halt, then DeployHostosToSomeNodes back to the node's previous
// version) runs through the executor: the node is back, its host up, and
// the release reports rolled_back and refuses to advance.
func TestHostOSRollbackEndToEnd(t *testing.T) {
	n, c := governancetest.Start(t)
	ctx := context.Background()
	tr, plan := rollouttest.HostOSRelease(t, n, c, 0)
	canary := rollouttest.FaultCanary(t, n, tr)
	var stop error
	for range 10 {
		if _, stop = tr.AdvanceHostOS(ctx); stop != nil && !errors.Is(stop, rollout.ErrNotReady) {
			break
		}
		if _, err := n.Advance(time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if !errors.Is(stop, rollout.ErrGateFailed) {
		t.Fatalf("advance stopped with %v; want the canary stage over tolerance", stop)
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := BuildHostOS(l, reg, "canary node down on the HostOS patch", n.Now())
	if err != nil {
		t.Fatal(err)
	}
	prev := plan.Previous[canary]
	if len(p.Steps) != 2 || p.Steps[1].Kind != StepHostOS || p.Steps[1].Version != prev || len(p.Steps[1].Nodes) != 1 {
		t.Fatalf("plan steps %+v; want halt, then the canary node back to %s", p.Steps, prev)
	}
	e := &Executor{Gov: c, File: StateFile{Path: filepath.Join(t.TempDir(), "rb.json")}, Ledger: ReleaseLedger{Tracker: tr},
		Neuron: 80, Policy: proposals.DefaultPolicy(), Now: tr.Now, Health: tr.Health}
	if _, err := e.Start(ctx, p); err != nil {
		t.Fatal(err)
	}
	st, err := e.Submit(ctx)
	if err != nil || !st.Done {
		t.Fatalf("rollback submit: %+v, %v", st, err)
	}
	// Its target is a group of nodes, not a subnet: no GuestOS subnet
	// checks are made up for it.
	if st.Targets != nil {
		t.Fatalf("HostOS rollback reports subnet targets: %+v", st.Targets)
	}
	if reg, err = c.Registry(ctx); err != nil {
		t.Fatal(err)
	}
	if got := reg.Nodes[canary].HostOSVersion; got != prev {
		t.Fatalf("canary node runs HostOS %s after the rollback; want %s", got, prev)
	}
	for _, nd := range n.Nodes() {
		if nd.ID == canary && !nd.Up {
			t.Fatalf("canary node still down on %s", nd.HostOSVersion)
		}
	}
	hs, err := tr.HostOSStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if hs.State != rollout.RolloutHalted || len(hs.RolledBack) != 1 {
		t.Fatalf("release state %s, rolled back %v; want halted with the canary rolled back", hs.State, hs.RolledBack)
	}
	l, err = tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Nodes) != 0 || len(hs.DownSince) != 0 {
		t.Fatalf("the canary is up on its old HostOS, yet the ledger remembers it down: %+v", l.Nodes)
	}
	if _, err := tr.AdvanceHostOS(ctx); !errors.Is(err, rollout.ErrHalted) {
		t.Fatalf("advance after the rollback: %v; want ErrHalted", err)
	}
}
