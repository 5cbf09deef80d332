package governance

import (
	"bytes"
	"context"
	"slices"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
)

// executedScan bounds how many of the newest executed proposals of the
// request's topic findTwin reads. A retry after a crash follows its first
// attempt closely, so an executed twin is among the newest; older ones
// are not twins but history (a rollback may repeat an old payload).
const executedScan = 100

// findTwin returns the id of a proposal that submitting req again would
// duplicate, so a retry after a crash never submits twice: an open or
// adopted proposal with the same action, or a recently executed one whose
// effect reg still shows (the version elected, the subnet or the
// unassigned nodes on the version). A proposal can be adopted and executed
// within the call that made it, before a crashed client saw its id.
func (c *Client) findTwin(ctx context.Context, req govdid.MakeProposalRequest, reg *Registry) (uint64, error) {
	live, err := c.ListProposals(ctx, ListOptions{Statuses: []Status{StatusOpen, StatusAdopted}, All: true})
	if err != nil {
		return 0, err
	}
	if id, err := c.firstSame(ctx, live, req); id != 0 || err != nil {
		return id, err
	}
	fn := execFn(req)
	if fn == nil || reg == nil || !effectInPlace(reg, fn) {
		return 0, nil
	}
	topic := Topic(proposals.TopicOf(proposals.NnsFunction(fn.NnsFunction)))
	done, err := c.ListProposals(ctx, ListOptions{Topics: []Topic{topic}, Statuses: []Status{StatusExecuted}, Limit: executedScan})
	if err != nil {
		return 0, err
	}
	return c.firstSame(ctx, done, req)
}

// firstSame returns the id of the first of ps whose action is req's.
func (c *Client) firstSame(ctx context.Context, ps []Proposal, req govdid.MakeProposalRequest) (uint64, error) {
	for _, p := range ps {
		same, err := c.sameAction(ctx, p, req)
		if err != nil {
			return 0, err
		}
		if same {
			return p.ID, nil
		}
	}
	return 0, nil
}

// effectInPlace reports whether the registry already shows what executing
// fn would do, for the IC OS functions whose effect the registry records.
func effectInPlace(reg *Registry, fn *govdid.ExecuteNnsFunction) bool {
	a, err := proposals.DecodePayload(fn.NnsFunction, fn.Payload)
	if err != nil {
		return false
	}
	guestElected := func(v string) bool { _, ok := reg.GuestOSByID(v); return ok }
	hostElected := func(v string) bool { _, ok := reg.HostOSByID(v); return ok }
	switch a := a.(type) {
	case proposals.ReviseElectedGuestosVersions:
		return electionInPlace(a.ReplicaVersionToElect, a.ReplicaVersionsToUnelect, guestElected)
	case proposals.ReviseElectedHostosVersions:
		return electionInPlace(a.HostosVersionToElect, a.HostosVersionsToUnelect, hostElected)
	case proposals.DeployGuestosToAllSubnetNodes:
		s, ok := reg.SubnetByID(a.SubnetID.Encode())
		return ok && s.GuestOSVersion == a.ReplicaVersionID
	case proposals.DeployGuestosToAllUnassignedNodes:
		return reg.UnassignedVersion != "" && reg.UnassignedVersion == a.ElectedReplicaVersion
	case proposals.DeployGuestosToSomeAPIBoundaryNodes:
		return apiBoundaryInPlace(reg, a)
	}
	return false
}

// electionInPlace reports whether elect (if any) is elected and none of
// unelect is, with elected telling which versions are.
func electionInPlace(elect *string, unelect []string, elected func(string) bool) bool {
	if elect != nil && !elected(*elect) {
		return false
	}
	return !slices.ContainsFunc(unelect, elected)
}

func (c *Client) sameAction(ctx context.Context, p Proposal, req govdid.MakeProposalRequest) (bool, error) {
	a := req.Action
	switch {
	case a == nil:
		return false, nil
	case a.ExecuteNnsFunction != nil:
		fn := a.ExecuteNnsFunction
		if p.Action.Kind != "ExecuteNnsFunction" || p.Action.NNSFunction != fn.NnsFunction {
			return false, nil
		}
		if len(p.Action.Payload) == 0 && len(fn.Payload) > 0 {
			full, err := c.GetProposal(ctx, p.ID) // listings drop payloads over 1 KB
			if err != nil {
				return false, err
			}
			p = *full
		}
		return bytes.Equal(p.Action.Payload, fn.Payload), nil
	case a.Motion != nil:
		return p.Action.Kind == "Motion" && p.Action.MotionText == a.Motion.MotionText, nil
	}
	title := ""
	if req.Title != nil {
		title = *req.Title
	}
	return p.Action.Kind == variantName(a) && p.Title == title && p.Summary == req.Summary, nil
}
