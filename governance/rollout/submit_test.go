package rollout

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/proposals"
)

// lostReply submits for real but loses the answer, like a crash or a
// dropped connection between submitting and recording the id.
type lostReply struct {
	Governance
	made uint64
}

func (g *lostReply) MakeProposal(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (uint64, error) {
	id, err := g.Governance.MakeProposal(ctx, neuron, req)
	if err != nil {
		return 0, err
	}
	g.made = id
	return 0, errors.New("connection reset by peer")
}

// electionDraft is the security-mode election every test release makes.
func electionDraft(t *testing.T) proposals.Draft {
	t.Helper()
	d, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081",
		SHA256: strings.Repeat("cd", 32), MeasurementsWaiver: "test build"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// plannedTracker starts a release whose election executed and whose plan
// (batches of batchSize) is saved, and returns the deploy draft of the
// first batch's first subnet.
func plannedTracker(t *testing.T, batchSize int) (*governance.Client, *Tracker, *Plan, proposals.Draft) {
	t.Helper()
	n, c, tr := localTracker(t)
	ctx := context.Background()
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := BuildPlan(reg, PlanOptions{Version: "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081", Start: n.Now(), BatchSize: batchSize})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	d, err := tr.deployDraft(&Ledger{Version: p.Version, Mode: proposals.ModeSecurity}, p.Batches[0].Subnets[0])
	if err != nil {
		t.Fatal(err)
	}
	return c, tr, p, d
}

// localTracker starts a network and a release of a new version on it.
func localTracker(t *testing.T) (*localnet.Network, *governance.Client, *Tracker) {
	t.Helper()
	n, c := governancetest.Start(t)
	ctx := context.Background()
	d := electionDraft(t)
	s := Store{Dir: filepath.Join(t.TempDir(), "rel")}
	if _, err := NewRelease(ctx, s, d, c.Sender().Encode(), n.Now()); err != nil {
		t.Fatal(err)
	}
	tr := &Tracker{Store: s, Gov: c, Now: func(context.Context) (time.Time, error) { return n.Now(), nil },
		Actor: c.Sender().Encode(), Neuron: 80, Policy: proposals.DefaultPolicy()}
	return n, c, tr
}

// TestSubmitElectionReconcilesLostReply: the intent is recorded before
// submitting, so a retry after a lost reply finds the proposal governance
// made instead of submitting a second one.
func TestSubmitElectionReconcilesLostReply(t *testing.T) {
	_, c, tr := localTracker(t)
	ctx := context.Background()
	lost := &lostReply{Governance: c}
	crashing := *tr
	crashing.Gov = lost
	if _, err := crashing.SubmitElection(ctx); err == nil {
		t.Fatal("submit with a lost reply succeeded")
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := l.Election(); !ok || e.ID != 0 || e.PayloadSHA256 == "" {
		t.Fatalf("after the lost reply the ledger has %+v, want an unconfirmed intent", l.Proposals)
	}
	id, err := tr.SubmitElection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id != lost.made || id == 0 {
		t.Fatalf("retry recorded proposal %d, governance made %d", id, lost.made)
	}
	again, err := tr.SubmitElection(ctx)
	if err != nil || again != id {
		t.Fatalf("third submit: %d, %v; want %d", again, err, id)
	}
	ps, err := c.ListProposals(ctx, governance.ListOptions{Topics: []governance.Topic{governance.TopicIcOsVersionElection}, All: true})
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, p := range ps {
		if p.Proposer == 80 && p.Action.PayloadSHA256() == mustElection(t, tr).PayloadSHA256 {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("governance has %d election proposals for the release, want 1", count)
	}
	l, _ = tr.Store.Read()
	if !strings.Contains(l.Audit[len(l.Audit)-1].Detail, "reconciled") {
		t.Errorf("last audit event %+v, want the reconciliation", l.Audit[len(l.Audit)-1])
	}
}

func mustElection(t *testing.T, tr *Tracker) ProposalRecord {
	t.Helper()
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := l.Election()
	if !ok {
		t.Fatal("no election record")
	}
	return e
}

// TestAdvanceNeverProposesTwice: a subnet whose deploy proposal exists
// (made outside the release) gets none from Advance.
func TestAdvanceNeverProposesTwice(t *testing.T) {
	c, tr, p, d := plannedTracker(t, 5)
	ctx := context.Background()
	first := p.Batches[0].Subnets[0]
	req, _ := d.Request()
	outside, err := c.MakeProposal(ctx, 80, req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Advance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Submitted) != len(p.Batches[0].Subnets)-1 {
		t.Fatalf("submitted %d, want %d", len(res.Submitted), len(p.Batches[0].Subnets)-1)
	}
	for _, s := range res.Submitted {
		if s.Subnet == first {
			t.Fatalf("advance proposed again for %s (already proposal %d)", first, outside)
		}
	}
	var we *WaitError
	if res, err := tr.Advance(ctx); !errors.As(err, &we) || len(res.Submitted) != 0 {
		t.Fatalf("second advance: %v, submitted %v", err, res.Submitted)
	}
}

// TestAdvanceRetriesAnIntentGovernanceNeverGot: an intent recorded just
// before a crash (no proposal made) leaves the subnet "proposing"; the next
// Advance submits it and confirms the id on the same record.
func TestAdvanceRetriesAnIntentGovernanceNeverGot(t *testing.T) {
	_, tr, p, d := plannedTracker(t, 2)
	ctx := context.Background()
	first := p.Batches[0].Subnets[0]
	_, payload, err := d.Payload()
	if err != nil {
		t.Fatal(err)
	}
	hash := governance.Action{Payload: payload}.PayloadSHA256()
	now, err := tr.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Store.Update(ctx, func(l *Ledger) error {
		l.Proposals = append(l.Proposals, ProposalRecord{Kind: KindDeploy, Subnet: first, PayloadSHA256: hash, Neuron: 80, Intended: now})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st, err := tr.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Batches[0].Subnets[0].State; got != StateProposing {
		t.Fatalf("state with a bare intent: %s, want proposing", got)
	}
	res, err := tr.Advance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Submitted) != 2 || res.Submitted[0].Subnet != first {
		t.Fatalf("submitted %+v", res.Submitted)
	}
	l, _ := tr.Store.Read()
	recs := l.ProposalsFor(KindDeploy, first)
	if len(recs) != 1 || recs[0].ID != res.Submitted[0].Proposal {
		t.Fatalf("records for %s: %+v", first, recs)
	}
}

// TestAdvanceStopsOnAFailedProposalAndRetriesOnRequest: a deploy that
// failed to execute stops the rollout naming the subnet and the proposal
// check; with RetryProposals the next Advance proposes again (recorded).
func TestAdvanceStopsOnAFailedProposalAndRetriesOnRequest(t *testing.T) {
	n, c, tr := localTracker(t)
	ctx := context.Background()
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	version := "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081"
	p, err := BuildPlan(reg, PlanOptions{Version: version, Start: n.Now(), BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	first := p.Batches[0].Subnets[0]
	d, err := tr.deployDraft(&Ledger{Version: version, Mode: proposals.ModeSecurity}, first)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := d.Request()
	early, err := c.MakeProposal(ctx, 80, req) // before the election: fails to execute
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetProposal(ctx, early); got.Status != governance.StatusFailed {
		t.Fatalf("early deploy is %s, want failed", got.Status)
	}
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, err = tr.Advance(ctx)
	var ge *GateError
	if !errors.As(err, &ge) || ge.Subnet != first || ge.Check != CheckProposal {
		t.Fatalf("advance: %v, want a GateError on %s's proposal", err, first)
	}
	retry := *tr
	retry.RetryProposals = true
	res, err := retry.Advance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Submitted) != 2 || res.Submitted[0].Subnet != first || res.Submitted[0].Proposal == early {
		t.Fatalf("retry submitted %+v", res.Submitted)
	}
	l, _ := tr.Store.Read()
	forced := false
	for _, e := range l.Audit {
		forced = forced || e.Action == "force" && strings.Contains(e.Detail, first)
	}
	if !forced {
		t.Error("the retry override was not recorded")
	}
}

// TestSubmitElectionRecordsAnExecutedTwin: the same election was submitted
// and executed outside this release (no intent in the ledger). Preflight
// then fails ("already elected"), but submitting must record the twin
// instead of refusing.
func TestSubmitElectionRecordsAnExecutedTwin(t *testing.T) {
	_, c, tr := localTracker(t)
	ctx := context.Background()
	d := electionDraft(t)
	req, err := proposals.ValidRequest(d, proposals.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	twin, err := c.MakeProposal(ctx, 80, req)
	if err != nil {
		t.Fatal(err)
	}
	id, err := tr.SubmitElection(ctx)
	if err != nil {
		t.Fatalf("submit after an executed twin: %v", err)
	}
	if id != twin {
		t.Fatalf("recorded proposal %d, want the twin %d", id, twin)
	}
}

// TestAdvanceAuditsADeployMadeBeforeACrash: a crash between governance
// making a deploy proposal and the ledger recording its id leaves an
// intent; status confirms it from the chain, and the next Advance must
// still record the submission in the audit log (the subnet itself is no
// longer a target then).
func TestAdvanceAuditsADeployMadeBeforeACrash(t *testing.T) {
	c, tr, p, _ := plannedTracker(t, 2)
	ctx := context.Background()
	lost := &lostReply{Governance: c}
	crashing := *tr
	crashing.Gov = lost
	if _, err := crashing.Advance(ctx); err == nil {
		t.Fatal("advance with a lost reply succeeded")
	}
	if lost.made == 0 {
		t.Fatal("governance made no proposal")
	}
	if _, err := tr.Status(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Advance(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	first := p.Batches[0].Subnets[0]
	recs := l.ProposalsFor(KindDeploy, first)
	if len(recs) != 1 || recs[0].ID != lost.made {
		t.Fatalf("records for %s: %+v, want proposal %d", first, recs, lost.made)
	}
	audited := false
	for _, e := range l.Audit {
		if e.Proposal == lost.made && e.Action == "submit" {
			audited = true
		}
	}
	if !audited {
		t.Fatalf("audit log has no submit event for proposal %d: %+v", lost.made, l.Audit)
	}
}

// TestStatusRefusesAnEditedProposalID: a ledger whose record names the id
// of another proposal (edited, checksum and all) disagrees with the
// payload governance has under that id: status and advance refuse with a
// *MismatchError instead of adopting the other proposal's facts.
func TestStatusRefusesAnEditedProposalID(t *testing.T) {
	_, tr, _, _ := plannedTracker(t, 2)
	ctx := context.Background()
	res, err := tr.Advance(ctx)
	if err != nil || len(res.Submitted) != 2 {
		t.Fatalf("advance: %v, %+v", err, res)
	}
	a, b := res.Submitted[0], res.Submitted[1]
	if _, err := tr.Store.Update(ctx, func(l *Ledger) error {
		for i := range l.Proposals {
			if l.Proposals[i].ID == a.Proposal {
				l.Proposals[i].ID = b.Proposal + 100
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Store.Update(ctx, func(l *Ledger) error {
		for i := range l.Proposals {
			if l.Proposals[i].ID == b.Proposal+100 {
				l.Proposals[i].ID = b.Proposal // the other subnet's deploy
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var me *MismatchError
	if _, err := tr.Status(ctx); !errors.As(err, &me) || !errors.Is(err, ErrLedgerMismatch) || me.ID != b.Proposal {
		t.Fatalf("status of an edited ledger: %v, want a *MismatchError for proposal %d", err, b.Proposal)
	}
	if _, err := tr.Advance(ctx); !errors.Is(err, ErrLedgerMismatch) {
		t.Fatalf("advance of an edited ledger: %v", err)
	}
}
