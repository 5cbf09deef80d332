package rollout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
)

// reconcileSlack allows for clock differences when matching a recorded
// intent with a proposal governance created.
const reconcileSlack = 10 * time.Minute

// submitDraft submits d idempotently and returns the proposal id. The
// intent (kind, subnet, payload hash) is saved before the call; on a retry
// an unconfirmed intent is first reconciled with governance, so a crash
// between submitting and recording never leads to a second proposal.
func (t *Tracker) submitDraft(ctx context.Context, lk *Locked, l *Ledger, kind, subnet string, d proposals.Draft) (uint64, error) {
	req, err := proposals.ValidRequest(d, t.Policy)
	if err != nil {
		return 0, err
	}
	fn, payload, err := d.Payload()
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(payload)
	hash := hex.EncodeToString(sum[:])
	now, err := t.Now(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the network's time: %w", err)
	}
	if id, err := t.reconcile(ctx, l, kind, subnet, fn, hash); err != nil || id != 0 {
		if id != 0 {
			l.SetProposalID(kind, subnet, hash, id, now)
			l.Record(now, t.Actor, "submit", fmt.Sprintf("reconciled %s%s: governance already has proposal %d", kind, onSubnet(subnet), id), id)
			return id, lk.Save(l)
		}
		return 0, err
	}
	if !hasPendingIntent(l, kind, subnet, hash) {
		l.Proposals = append(l.Proposals, ProposalRecord{Kind: kind, Subnet: subnet, PayloadSHA256: hash, Neuron: t.Neuron, Intended: now.UTC()})
		if err := lk.Save(l); err != nil {
			return 0, err
		}
	}
	// Another process (another release directory of the same release)
	// making the same proposal waits here, then finds it as a twin.
	unlock, err := lockWrite(ctx, t.Gov, req)
	if err != nil {
		return 0, err
	}
	defer unlock()
	pf, err := t.Gov.Preflight(ctx, t.Neuron, req)
	if err != nil {
		return 0, err
	}
	// A twin comes first: once an identical proposal executed, preflight's
	// checks fail ("already elected"), yet the right outcome is to record it.
	id := pf.Existing
	if id == 0 {
		if err := pf.Err(); err != nil {
			return 0, err
		}
		if id, err = t.Gov.MakeProposal(ctx, t.Neuron, req); err != nil {
			return 0, fmt.Errorf("submit %s%s: %w", kind, onSubnet(subnet), err)
		}
	}
	l.SetProposalID(kind, subnet, hash, id, now)
	l.Record(now, t.Actor, "submit", fmt.Sprintf("submitted %s%s as proposal %d (neuron %d, payload sha256 %s)", kind, onSubnet(subnet), id, t.Neuron, hash), id)
	return id, lk.Save(l)
}

func onSubnet(subnet string) string {
	if subnet == "" {
		return ""
	}
	return " to subnet " + subnet
}

func hasPendingIntent(l *Ledger, kind, subnet, hash string) bool {
	for _, p := range l.ProposalsFor(kind, subnet) {
		if p.ID == 0 && p.PayloadSHA256 == hash {
			return true
		}
	}
	return false
}

// reconcile looks for the proposal of an unconfirmed intent: same
// proposer neuron, same function and payload, created after the intent.
func (t *Tracker) reconcile(ctx context.Context, l *Ledger, kind, subnet string, fn int32, hash string) (uint64, error) {
	var intent *ProposalRecord
	for _, p := range l.ProposalsFor(kind, subnet) {
		if p.ID == 0 && p.PayloadSHA256 == hash {
			intent = &p
		}
	}
	if intent == nil {
		return 0, nil
	}
	topic := governance.TopicIcOsVersionDeployment
	if kind == KindElect {
		topic = governance.TopicIcOsVersionElection
	}
	ps, err := t.Gov.ListProposals(ctx, governance.ListOptions{Topics: []governance.Topic{topic}, Limit: 100})
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		if p.Proposer != intent.Neuron || p.Action.NNSFunction != fn || p.Deadlines.Created.Before(intent.Intended.Add(-reconcileSlack)) {
			continue
		}
		if len(p.Action.Payload) == 0 {
			full, err := t.Gov.GetProposal(ctx, p.ID)
			if err != nil {
				return 0, err
			}
			p = *full
		}
		if p.Action.PayloadSHA256() == hash {
			return p.ID, nil
		}
	}
	return 0, nil
}

// pendingIntents returns the indices of the ledger's unconfirmed intents.
func pendingIntents(l *Ledger) []int {
	var out []int
	for i, p := range l.Proposals {
		if p.IsIntent() {
			out = append(out, i)
		}
	}
	return out
}

// intentFunction is the NNS function of a release's proposal kind.
var intentFunction = map[string]int32{
	KindElect:      int32(proposals.FnReviseElectedGuestosVersions),
	KindDeploy:     int32(proposals.FnDeployGuestosToAllSubnetNodes),
	KindUnassigned: int32(proposals.FnDeployGuestosToAllUnassignedNodes),
}

// reconcileIntents settles every intent that was pending before this look
// (indices from pendingIntents), whatever the state of its target: one the
// observation confirmed from governance, or that governance has under the
// same neuron and payload, gets its id and a "submit" audit event, so a
// crash between submitting and recording never leaves a proposal out of the
// ledger or the audit log. An intent governance never got stays pending.
func (t *Tracker) reconcileIntents(ctx context.Context, l *Ledger, intents []int, now time.Time) error {
	for _, i := range intents {
		p := l.Proposals[i]
		if p.IsIntent() {
			id, err := t.reconcile(ctx, l, p.Kind, p.Subnet, intentFunction[p.Kind], p.PayloadSHA256)
			if err != nil {
				return err
			}
			if id == 0 || !l.SetProposalID(p.Kind, p.Subnet, p.PayloadSHA256, id, now) {
				continue
			}
		}
		id := l.Proposals[i].ID
		l.Record(now, t.Actor, "submit", fmt.Sprintf("reconciled %s%s: governance already has proposal %d (payload sha256 %s)", p.Kind, onSubnet(p.Subnet), id, p.PayloadSHA256), id)
	}
	return nil
}

// lockWrite takes governance's write lock of req when gov has one
// (governance.WriteLocker), else locks nothing.
func lockWrite(ctx context.Context, gov any, req govdid.MakeProposalRequest) (func(), error) {
	wl, ok := gov.(governance.WriteLocker)
	if !ok {
		return func() {}, nil
	}
	unlock, err := wl.LockWrite(ctx, governance.ProposalKey(req))
	if err != nil {
		return nil, err
	}
	return func() { _ = unlock() }, nil
}
