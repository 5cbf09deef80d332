package rollback

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// fakeGov is governance over a registry: adopted proposals execute at once
// unless hold is set; loseReply drops the reply of the next submission
// after the proposal was made (a crash between submit and record).
type fakeGov struct {
	reg       *governance.Registry
	props     []*governance.Proposal
	hold      bool
	reject    bool
	loseReply bool
}

func (g *fakeGov) Registry(context.Context) (*governance.Registry, error) {
	c := *g.reg
	c.Subnets = slices.Clone(g.reg.Subnets)
	c.GuestOS = slices.Clone(g.reg.GuestOS)
	return &c, nil
}

func (g *fakeGov) GetProposal(_ context.Context, id uint64) (*governance.Proposal, error) {
	if id == 0 || id > uint64(len(g.props)) {
		return nil, governance.ErrProposalNotFound
	}
	p := *g.props[id-1]
	return &p, nil
}

func (g *fakeGov) Preflight(_ context.Context, _ uint64, req govdid.MakeProposalRequest) (*governance.Preflight, error) {
	pf := &governance.Preflight{}
	fn := req.Action.ExecuteNnsFunction
	for _, p := range g.props {
		if (p.Status == governance.StatusOpen || p.Status == governance.StatusAdopted) && bytes.Equal(p.Action.Payload, fn.Payload) {
			pf.Existing = p.ID
		}
	}
	a, err := proposals.DecodePayload(fn.NnsFunction, fn.Payload)
	if err != nil {
		return nil, err
	}
	if d, ok := a.(proposals.DeployGuestosToAllSubnetNodes); ok {
		_, elected := g.reg.GuestOSByID(d.ReplicaVersionID)
		pf.Checks = append(pf.Checks, governance.Check{Name: "version elected", OK: elected})
	}
	return pf, nil
}

func (g *fakeGov) MakeProposal(_ context.Context, _ uint64, req govdid.MakeProposalRequest) (uint64, error) {
	fn := req.Action.ExecuteNnsFunction
	p := &governance.Proposal{ID: uint64(len(g.props) + 1), Status: governance.StatusOpen,
		Action: governance.Action{Kind: "ExecuteNnsFunction", NNSFunction: fn.NnsFunction, Payload: fn.Payload}}
	g.props = append(g.props, p)
	switch {
	case g.reject:
		p.Status = governance.StatusRejected
	case !g.hold:
		g.execute(p)
	}
	if g.loseReply {
		g.loseReply = false
		return 0, errors.New("connection reset")
	}
	return p.ID, nil
}

func (g *fakeGov) execute(p *governance.Proposal) {
	a, _ := proposals.DecodePayload(p.Action.NNSFunction, p.Action.Payload)
	switch a := a.(type) {
	case proposals.ReviseElectedGuestosVersions:
		g.reg.GuestOS = append(g.reg.GuestOS, governance.GuestOSVersion{ID: *a.ReplicaVersionToElect})
	case proposals.DeployGuestosToAllSubnetNodes:
		for i := range g.reg.Subnets {
			if g.reg.Subnets[i].ID == a.SubnetID.Encode() {
				g.reg.Subnets[i].GuestOSVersion = a.ReplicaVersionID
			}
		}
	case proposals.DeployGuestosToAllUnassignedNodes:
		g.reg.UnassignedVersion = a.ElectedReplicaVersion
	}
	p.Status = governance.StatusExecuted
}

func (g *fakeGov) executeAll() {
	for _, p := range g.props {
		if p.Status == governance.StatusOpen {
			g.execute(p)
		}
	}
}

type fakeLedger struct {
	halted bool
	events []string
}

func (l *fakeLedger) Halted(context.Context) (bool, error) { return l.halted, nil }
func (l *fakeLedger) Halt(_ context.Context, reason string) error {
	l.halted = true
	l.events = append(l.events, "halt: "+reason)
	return nil
}
func (l *fakeLedger) Record(_ context.Context, detail string, _ uint64) error {
	l.events = append(l.events, detail)
	return nil
}

func newExecutor(t *testing.T) (*Executor, *fakeGov, *fakeLedger) {
	t.Helper()
	p := securityPlan(t)
	_, reg, _ := scenario(t, true)
	g, l := &fakeGov{reg: reg}, &fakeLedger{}
	e := &Executor{Gov: g, Ledger: l, Neuron: 80, Policy: proposals.DefaultPolicy(),
		File: StateFile{Path: filepath.Join(t.TempDir(), "rollback.json")},
		Now:  func(context.Context) (time.Time, error) { return planTime, nil }}
	if _, err := e.Start(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return e, g, l
}

func TestSubmitRunsThePlanOnce(t *testing.T) {
	e, g, l := newExecutor(t)
	ctx := context.Background()
	st, err := e.Submit(ctx)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if !st.Done || len(g.props) != 5 || !l.halted {
		t.Fatalf("done=%v proposals=%d halted=%v: %+v", st.Done, len(g.props), l.halted, st.Steps)
	}
	if s, _ := g.reg.SubnetByID(subC); s.GuestOSVersion != vOld || g.reg.UnassignedVersion != vMid {
		t.Fatalf("registry after rollback: %s runs %s, unassigned %s", subC, s.GuestOSVersion, g.reg.UnassignedVersion)
	}
	if len(l.events) != 6 {
		t.Fatalf("ledger events = %q", l.events)
	}
	if _, err := e.Submit(ctx); err != nil || len(g.props) != 5 {
		t.Fatalf("second Submit made proposals: %d (%v)", len(g.props), err)
	}
	st2, err := (&Executor{Gov: g, File: e.File, Ledger: l, Now: e.Now}).Status(ctx)
	if err != nil || !st2.Done || st2.Steps[1].ProposalStatus != governance.StatusExecuted {
		t.Fatalf("Status = %+v, %v", st2, err)
	}
}

func TestSubmitWaitsForTheReelection(t *testing.T) {
	e, g, _ := newExecutor(t)
	g.hold = true
	ctx := context.Background()
	st, err := e.Submit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Re-election and the three deploys to the still-elected vMid, not subC's.
	if len(g.props) != 4 || st.Steps[2].State != StatePending || st.Steps[2].Detail != "waiting for: GuestOS "+vOld+" is elected" {
		t.Fatalf("proposals=%d step 3 = %+v", len(g.props), st.Steps[2])
	}
	g.executeAll()
	g.hold = false
	if st, err = e.Submit(ctx); err != nil || !st.Done || len(g.props) != 5 {
		t.Fatalf("after the re-election: done=%v proposals=%d err=%v", st.Done, len(g.props), err)
	}
}

func TestSubmitResumesAfterALostReply(t *testing.T) {
	e, g, _ := newExecutor(t)
	g.hold, g.loseReply = true, true
	ctx := context.Background()
	if _, err := e.Submit(ctx); err == nil {
		t.Fatal("Submit with a lost reply succeeded")
	}
	st, _ := e.File.Load()
	if st.Steps[1].State != StateIntended || st.Steps[1].PayloadSHA256 == "" {
		t.Fatalf("step 2 after the crash = %+v", st.Steps[1])
	}
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	elections := 0
	for _, p := range g.props {
		if p.Action.NNSFunction == 38 {
			elections++
		}
	}
	if elections != 1 {
		t.Fatalf("re-election submitted %d times", elections)
	}
	st, _ = e.File.Load()
	if st.Steps[1].Proposal != 1 || st.Steps[1].State != StateSubmitted {
		t.Fatalf("step 2 after resuming = %+v", st.Steps[1])
	}
}

func TestSubmitReportsARejection(t *testing.T) {
	e, g, _ := newExecutor(t)
	g.reject = true
	ctx := context.Background()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := e.Submit(ctx)
	var sf *StepFailedError
	if !errors.As(err, &sf) || !errors.Is(err, ErrStepFailed) || sf.N != 2 || sf.Status != governance.StatusRejected {
		t.Fatalf("Submit after a rejection = %v", err)
	}
	g.reject = false
	n := len(g.props)
	if st, err := e.Submit(ctx); err != nil || !st.Done || len(g.props) <= n {
		t.Fatalf("resubmission: done=%v proposals %d -> %d, %v", st.Done, n, len(g.props), err)
	}
}

func TestStateFileRefusesForeignJSON(t *testing.T) {
	f := StateFile{Path: filepath.Join(t.TempDir(), "s.json")}
	if _, err := f.Load(); !errors.Is(err, ErrNoState) {
		t.Fatalf("Load of a missing file = %v", err)
	}
	if err := f.Save(&State{SchemaVersion: 7, Plan: &Plan{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Load(); err == nil {
		t.Fatal("Load accepted a foreign schema")
	}
}

func TestStateFileLockExcludes(t *testing.T) {
	f := StateFile{Path: filepath.Join(t.TempDir(), "s.json")}
	unlock, err := f.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := f.Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while held = %v; want a timeout", err)
	}
	unlock()
	again, err := f.Lock(context.Background())
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	again()
}

// fakeHealth reports every subnet's replicas on the versions in run, and
// judges finalization itself as the Prometheus source does: finalizing
// unless stalled.
type fakeHealth struct {
	run     map[string]string
	firing  map[string]bool
	stalled map[string]bool
}

func (h *fakeHealth) Snapshot(context.Context) (*health.Snapshot, error) {
	s := &health.Snapshot{Subnets: map[string]health.Subnet{}}
	for id, v := range h.run {
		fin := !h.stalled[id]
		sn := health.Subnet{Versions: map[string]int{v: 4}, Finalizing: &fin}
		if h.firing[id] {
			sn.Alerts = []health.Alert{{Name: "IC_Subnet_Stalled", State: health.AlertFiring}}
		}
		s.Subnets[id] = sn
	}
	return s, nil
}

// TestSubmitWaitsForTheReplicas: a deploy whose proposal executed is done
// only once the replicas run the restored version with no alert firing;
// without a health source the step's detail says the replicas were not
// observed.
func TestSubmitWaitsForTheReplicas(t *testing.T) {
	e, _, _ := newExecutor(t)
	h := &fakeHealth{run: map[string]string{subA: vPatch, subB: vPatch, subC: vPatch}}
	e.Health = h
	ctx := context.Background()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := e.Status(ctx)
	if err != nil || st.Done || st.Steps[2].State != StateSubmitted || !strings.Contains(st.Steps[2].Detail, "executed; waiting for: subnet "+subC+" runs "+vOld) {
		t.Fatalf("step 3 before the replicas switched = %+v", st.Steps[2])
	}
	h.run[subC], h.firing = vOld, map[string]bool{subC: true}
	if st, _ = e.Status(ctx); st.Steps[2].State == StateDone {
		t.Fatalf("step 3 done while an alert fires: %+v", st.Steps[2])
	}
	h.firing, h.stalled = nil, map[string]bool{subC: true}
	if st, _ = e.Status(ctx); st.Steps[2].State == StateDone || st.Targets[0].Subnet != subC || st.Targets[0].State() != CheckFailed {
		t.Fatalf("step 3 done (or its target not failed) while the subnet stalls on the restored version: %+v %+v", st.Steps[2], st.Targets)
	}
	h.run[subA], h.run[subB], h.stalled = vMid, vMid, nil
	if st, err = e.Status(ctx); err != nil || !st.Done {
		t.Fatalf("status once every replica switched: done=%v %v %+v", st.Done, err, st.Steps)
	}
	if st.Steps[2].Detail != "subnet "+subC+" runs "+vOld+" again and finalizes" {
		t.Fatalf("step 3 detail = %q", st.Steps[2].Detail)
	}

	e2, _, _ := newExecutor(t)
	if st, err = e2.Submit(ctx); err != nil || !st.Done || !strings.Contains(st.Steps[2].Detail, "replicas not observed: no health source") {
		t.Fatalf("without health: done=%v detail %q (%v)", st.Done, st.Steps[2].Detail, err)
	}
}
