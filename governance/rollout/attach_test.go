package rollout

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"github.com/nnspatch/nnspatch/proposals"
	"google.golang.org/protobuf/proto"
)

// secondTracker is another release manager's tracker on the same network:
// its own, empty releases directory.
func secondTracker(t *testing.T, first *Tracker) *Tracker {
	t.Helper()
	second := *first
	second.Store = Store{Dir: filepath.Join(t.TempDir(), "releases", "rel")}
	return &second
}

// samePicture fails unless two statuses show the same rollout: state,
// election, every batch and subnet (state and latest proposal) and the
// unassigned nodes.
func samePicture(t *testing.T, a, b *Status) {
	t.Helper()
	if a.State != b.State || a.Election.Proposal != b.Election.Proposal || a.Election.Status != b.Election.Status {
		t.Fatalf("first: %s, election %d %s; second: %s, election %d %s", a.State, a.Election.Proposal, a.Election.Status, b.State, b.Election.Proposal, b.Election.Status)
	}
	if len(a.Batches) != len(b.Batches) {
		t.Fatalf("first has %d batches, second %d", len(a.Batches), len(b.Batches))
	}
	for i := range a.Batches {
		for j, sa := range a.Batches[i].Subnets {
			sb := b.Batches[i].Subnets[j]
			if sa.Subnet != sb.Subnet || sa.State != sb.State || sa.Proposal != sb.Proposal || !sa.Executed.Equal(sb.Executed) {
				t.Errorf("batch %d: first %s %s [%d at %s], second %s %s [%d at %s]", a.Batches[i].Batch,
					sa.Subnet, sa.State, sa.Proposal, sa.Executed, sb.Subnet, sb.State, sb.Proposal, sb.Executed)
			}
		}
	}
	if a.Unassigned.State != b.Unassigned.State || a.Unassigned.Proposal != b.Unassigned.Proposal {
		t.Errorf("unassigned nodes: first %s [%d], second %s [%d]", a.Unassigned.State, a.Unassigned.Proposal, b.Unassigned.State, b.Unassigned.Proposal)
	}
}

// TestAttachSecondReleasesDirSeesSameStatus: one release manager elects
// the version, plans and advances the first batch; a second one with an
// empty releases directory attaches the release by version alone (the
// registry gives the package hash), finds the election proposal by its
// payload, records the first batch's deploys with their facts and, with
// the shared plan, sees the same status.
func TestAttachSecondReleasesDirSeesSameStatus(t *testing.T) {
	_, c, first, p, _ := plannedTrackerWithNet(t, 3)
	ctx := context.Background()
	res, err := first.Advance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	election := mustElection(t, first)

	second := secondTracker(t, first)
	att, err := second.Attach(ctx, AttachOptions{Version: p.Version})
	if err != nil {
		t.Fatal(err)
	}
	if !att.Created || att.Election.ID != election.ID || att.Election.Origin != OriginChain || att.Election.PayloadSHA256 != election.PayloadSHA256 {
		t.Fatalf("attached %+v (created %v), want election %d with payload %s", att.Election, att.Created, election.ID, election.PayloadSHA256)
	}
	if att.ModeFrom != "summary" || att.Status == nil {
		t.Errorf("mode from %q, status %v; want the security mode read from the summary", att.ModeFrom, att.Status)
	}
	if att.Deploys != len(res.Submitted) {
		t.Errorf("attach recorded %d deploys, the first advance made %d", att.Deploys, len(res.Submitted))
	}
	l, err := second.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != proposals.ModeSecurity || l.Artifact.SHA256 != strings.Repeat("cd", 32) {
		t.Errorf("attached ledger: mode %s, sha256 %s", l.Mode, l.Artifact.SHA256)
	}
	for _, s := range res.Submitted {
		recs := l.ProposalsFor(KindDeploy, s.Subnet)
		if len(recs) != 1 || recs[0].ID != s.Proposal || recs[0].Status != "executed" || recs[0].Executed.IsZero() ||
			recs[0].Version != p.Version || recs[0].PayloadSHA256 == "" || recs[0].Origin != OriginChain {
			t.Errorf("second ledger's record of the deploy to %s: %+v", s.Subnet, recs)
		}
	}
	if _, err := second.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	a, err := first.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := second.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	samePicture(t, a, b)

	again, err := second.Attach(ctx, AttachOptions{Version: p.Version})
	if err != nil || again.Created || again.Election.ID != election.ID {
		t.Fatalf("attaching again: %+v, %v; want the same election and no new ledger", again, err)
	}
	ps, err := c.ListProposals(ctx, governance.ListOptions{Topics: electionTopic, All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Errorf("governance has %d election proposals, want 1", len(ps))
	}
}

// plannedTrackerWithNet is plannedTracker that also returns the network.
func plannedTrackerWithNet(t *testing.T, batchSize int) (time.Time, *governance.Client, *Tracker, *Plan, proposals.Draft) {
	t.Helper()
	c, tr, p, d := plannedTracker(t, batchSize)
	now, err := tr.Now(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return now, c, tr, p, d
}

// TestSubmitElectionAdoptsAnotherDirectorysElection: a second release
// manager drafts the same version and package with other texts and URLs
// (so no twin by payload) and submits: governance already has the
// election, so it is recorded and nothing is submitted; before, the intent
// stayed "submitting" for ever.
func TestSubmitElectionAdoptsAnotherDirectorysElection(t *testing.T) {
	n, c, first := localTracker(t)
	ctx := context.Background()
	id, err := first.SubmitElection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081",
		SHA256: strings.Repeat("cd", 32), MeasurementsWaiver: "second machine's build",
		PackageURLs: []string{"https://mirror.example.org/5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081/update-img.tar.zst"}})
	if err != nil {
		t.Fatal(err)
	}
	second := secondTracker(t, first)
	if _, err := NewRelease(ctx, second.Store, d, c.Sender().Encode(), n.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := second.SubmitElection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != id {
		t.Fatalf("second release recorded election %d, want %d", got, id)
	}
	st, err := second.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Election.Status != "executed" || st.Election.Proposal != id {
		t.Fatalf("second release's election: %+v", st.Election)
	}
	ps, err := c.ListProposals(ctx, governance.ListOptions{Topics: electionTopic, All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Errorf("governance has %d election proposals, want 1", len(ps))
	}
}

// TestAttachErrors: a version the registry does not list needs the
// package hash; a hash no election names is ErrElectionNotFound with the
// number of proposals scanned. Nothing is created.
func TestAttachErrors(t *testing.T) {
	_, _, first := localTracker(t)
	ctx := context.Background()
	if _, err := first.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	second := secondTracker(t, first)
	if _, err := second.Attach(ctx, AttachOptions{Version: strings.Repeat("ab", 20)}); !errors.Is(err, ErrNoPackageHash) {
		t.Fatalf("attach of an unknown version without a hash: %v, want ErrNoPackageHash", err)
	}
	_, err := second.Attach(ctx, AttachOptions{Version: "5a1e8f0c3d2b4a69788d9e0f1a2b3c4d5e6f7081", SHA256: strings.Repeat("ef", 32)})
	var nf *ElectionNotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrElectionNotFound) || nf.Scanned == 0 || nf.Registry != strings.Repeat("cd", 32) {
		t.Fatalf("attach with the wrong hash: %v (%+v)", err, nf)
	}
	if _, err := second.Store.Read(); !errors.Is(err, ErrNoRelease) {
		t.Fatalf("a failed attach left a ledger: %v", err)
	}
}

// TestNoteProposalKeepsFactsAndConfirmsIntents: facts are merged without
// erasing any, an intent is confirmed by the proposal of the same kind,
// target, payload and neuron, and a proposal of another neuron is added as
// found on chain.
func TestNoteProposalKeepsFactsAndConfirmsIntents(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	l := NewLedger("v1", proposals.ModeSecurity, Artifact{}, at)
	l.Proposals = append(l.Proposals, ProposalRecord{Kind: KindDeploy, Subnet: "s1", PayloadSHA256: "aa", Neuron: 80, Intended: at})
	if !l.NoteProposal(ProposalRecord{ID: 7, Kind: KindDeploy, Subnet: "s1", PayloadSHA256: "aa", Neuron: 80, Status: "open", Created: at.Add(time.Minute)}) {
		t.Fatal("the intent's proposal changed nothing")
	}
	if r := l.Proposals[0]; r.ID != 7 || r.Origin != "" || r.Status != "open" || len(l.Proposals) != 1 {
		t.Fatalf("intent not confirmed: %+v", l.Proposals)
	}
	exec := at.Add(time.Hour)
	l.NoteProposal(ProposalRecord{ID: 7, Kind: KindDeploy, Subnet: "s1", Status: "executed", Executed: exec})
	if r := l.Proposals[0]; r.Status != "executed" || !r.Executed.Equal(exec) || r.PayloadSHA256 != "aa" || !r.Settled() {
		t.Fatalf("facts not merged: %+v", r)
	}
	if l.NoteProposal(ProposalRecord{ID: 7, Kind: KindDeploy, Subnet: "s1", Status: "executed"}) {
		t.Error("the same facts again reported a change")
	}
	l.NoteProposal(ProposalRecord{ID: 9, Kind: KindDeploy, Subnet: "s2", PayloadSHA256: "bb", Neuron: 81, Status: "open"})
	if r := l.Proposals[1]; r.ID != 9 || r.Origin != OriginChain {
		t.Fatalf("another neuron's proposal: %+v", r)
	}
	if !l.markGone(7, exec) || l.markGone(7, exec.Add(time.Hour)) || !l.Proposals[0].Gone.Equal(exec) {
		t.Errorf("markGone: %+v", l.Proposals[0])
	}
}

// TestOldLedgerWithoutFactsReads: a release.yaml written before the
// proposal facts existed still reads, and its records are not intents.
func TestOldLedgerWithoutFactsReads(t *testing.T) {
	s := newStore(t)
	old := `schema_version: 1
version: v1
mode: security
created: 2026-11-02T10:00:00Z
artifact:
  sha256: cdcd
  urls: []
election_draft: election.yaml
proposals:
  - id: 12
    kind: elect
    payload_sha256: abab
    neuron: 80
    intended: 2026-11-02T10:00:00Z
    submitted: 2026-11-02T10:00:01Z
quiet_period:
  days: 10
audit: []
`
	if err := writeAtomic(s.Path(), []byte(old)); err != nil {
		t.Fatal(err)
	}
	l, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := l.Election()
	if !ok || e.ID != 12 || e.IsIntent() || e.Settled() || e.Status != "" {
		t.Fatalf("old election record: %+v", e)
	}
}

// TestHaltSource: a planned subnet halted in the registry halts the rollout
// on chain (since the registry set is_halted) for every directory alike;
// this directory's own halt is shown as local and keeps the chain fact
// listed; a halted subnet outside the release halts nothing.
func TestHaltSource(t *testing.T) {
	planned, other := "aaaaa-planned", "bbbbb-other"
	rec := func(halted bool) []byte {
		b, err := proto.Marshal(&registrypb.SubnetRecord{ReplicaVersionId: "old", IsHalted: halted})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	log := governance.NewRegistryLog()
	log.Apply(3,
		governance.RegistryChange{Key: "subnet_record_" + planned, Version: 1, Value: rec(false), Time: t0},
		governance.RegistryChange{Key: "subnet_record_" + planned, Version: 2, Value: rec(true), Time: t0.Add(time.Hour)},
		governance.RegistryChange{Key: "subnet_record_" + planned, Version: 3, Value: rec(true), Time: t0.Add(2 * time.Hour)})
	l := NewLedger(testVersion, proposals.ModeSecurity, Artifact{}, t0)
	l.Proposals = append(l.Proposals, ProposalRecord{ID: 1, Kind: KindElect, Status: "executed"})
	l.Plan = &Plan{Version: testVersion, Bake: Duration(time.Hour), Batches: []Batch{{Batch: 1, Start: t0, Subnets: []string{planned}}}, UnassignedNodes: t0}
	o := &observation{now: t0.Add(3 * time.Hour), log: log, deploys: map[string][]ProposalView{}, replaced: map[string]*Replacement{},
		reg: &governance.Registry{Subnets: []governance.Subnet{{ID: planned, GuestOSVersion: "old", Halted: true}, {ID: other, GuestOSVersion: "old", Halted: true}}}}
	tr := &Tracker{Actor: "me"}

	st := tr.derive(l, o)
	if st.State != RolloutHalted || st.HaltSource != HaltChain || st.Underlying != RolloutUpgrading || len(st.ChainHalts) != 1 {
		t.Fatalf("halted planned subnet: state %s (%s, underlying %s), chain %+v", st.State, st.HaltSource, st.Underlying, st.ChainHalts)
	}
	if h := st.ChainHalts[0]; h.Subnet != planned || h.Kind != ChainSubnetHalted || !h.Since.Equal(t0.Add(time.Hour)) {
		t.Errorf("chain halt %+v, want %s halted since %s", h, planned, t0.Add(time.Hour))
	}
	if !strings.Contains(st.Blockers[0], "un-halted") {
		t.Errorf("blocker %q does not say what lifts it", st.Blockers[0])
	}
	if err := tr.precheck(l, st); !errors.Is(err, ErrHalted) || !strings.Contains(err.Error(), "on chain") {
		t.Errorf("advance while halted on chain: %v", err)
	}

	l.Halted = &Halt{At: t0, By: "me", Reason: "incident"}
	st = tr.derive(l, o)
	if st.HaltSource != HaltLocal || st.Halted.Reason != "incident" || len(st.ChainHalts) != 1 {
		t.Errorf("local halt: source %s, halt %+v, chain %+v", st.HaltSource, st.Halted, st.ChainHalts)
	}

	l.Halted = nil
	o.reg.Subnets[0].Halted = false
	if st = tr.derive(l, o); st.State == RolloutHalted || len(st.ChainHalts) != 0 {
		t.Errorf("only a subnet outside the release halted: state %s, chain %+v", st.State, st.ChainHalts)
	}
}
