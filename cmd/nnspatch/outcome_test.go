package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// TestVoteConflictIsNotSuccess: neuron 81 proposed a motion and so voted
// yes; voting no with it is a conflict (exit 9) that shows the ballot that
// stands, while voting yes again is "already voted".
func TestVoteConflictIsNotSuccess(t *testing.T) {
	_, flags := cliNet(t)
	id := submitMotion(t, flags, "conflicting ballots")
	r := run(t, flags, "vote", id, "no", "--neuron", "81", "--yes")
	if r.Code != ExitRefused || !strings.Contains(r.Stdout, "✗ already voted yes") || strings.Contains(r.Stdout, "✓") {
		t.Errorf("vote no over a yes ballot: exit %d, want %d with the standing ballot\n%s%s", r.Code, ExitRefused, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "cannot be changed") {
		t.Errorf("no conflict message:\n%s", r.Stderr)
	}
	r = run(t, flags, "vote", id, "no", "--neuron", "81", "--yes", "--json")
	var doc jsonout.Votes
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("%v: %s", err, r.Stdout)
	}
	if len(doc.Results) != 1 || doc.Results[0].Outcome != governance.OutcomeConflict || doc.Results[0].Existing != "yes" {
		t.Errorf("JSON results %+v, want a conflict with the existing yes", doc.Results)
	}
	r = run(t, flags, "vote", id, "yes", "--neuron", "81", "--yes")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "✓ already voted") {
		t.Errorf("the same ballot again: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestUnverifiedWritesAreUnknown runs against a network whose advertised
// root key does not sign its certificates: a vote is cast, but its reply
// cannot be verified, so it is reported as unknown (not failed) with how
// to check; a signed message sent there may have executed, and send says
// so.
func TestUnverifiedWritesAreUnknown(t *testing.T) {
	n, flags := cliNet(t)
	ids := submitMotion(t, flags, "unverifiable reply")
	id, _ := strconv.ParseUint(ids, 10, 64)
	proxy := httptest.NewServer(corruptAfterCall(n.URL()))
	t.Cleanup(proxy.Close)
	proxied := append([]string{}, flags...)
	proxied[1] = proxy.URL

	before := yesTally(n, id)
	r := run(t, proxied, "vote", ids, "yes", "--neuron", "80", "--yes")
	if r.Code != ExitUntrusted || !strings.Contains(r.Stdout, "? unknown") || strings.Contains(r.Stdout, "✗ failed") ||
		!strings.Contains(r.Stdout, "nnspatch proposal show "+ids) {
		t.Errorf("vote with an unverifiable reply: exit %d, want %d reported unknown\n%s%s", r.Code, ExitUntrusted, r.Stdout, r.Stderr)
	}
	if after := yesTally(n, id); after <= before {
		t.Errorf("yes tally %d -> %d: the vote reported unknown was not cast", before, after)
	}

	bad, badFlags := cliNet(t, localnettest.WithBadRootKey())
	badID := strconv.FormatUint(motionOnBadKeyNetwork(t, bad), 10)
	file := filepath.Join(t.TempDir(), "vote.json")
	if r := run(t, badFlags, "vote", badID, "no", "--neuron", "80", "--sign-only", file); r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	r = run(t, badFlags, "send", file, "--yes")
	if r.Code != ExitUntrusted || !strings.Contains(r.Stderr, "may have executed") || !strings.Contains(r.Stderr, "nnspatch proposal show "+badID) {
		t.Errorf("send with an unverifiable reply: exit %d, want %d saying the call may have executed\n%s", r.Code, ExitUntrusted, r.Stderr)
	}
}

// corruptAfterCall proxies to target and, once an update call has passed
// through, flips the last byte of every certificate-carrying answer (the
// call's own and read_state's): the BLS signature then fails, as it would
// under a man in the middle or a key rotated mid-call. Queries before the
// call, such as vote's preview of the proposal, verify normally.
func corruptAfterCall(target string) http.Handler {
	u, _ := url.Parse(target)
	var called atomic.Bool
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		path := resp.Request.URL.Path
		if strings.HasSuffix(path, "/call") {
			called.Store(true)
		}
		if !called.Load() || !(strings.HasSuffix(path, "/call") || strings.HasSuffix(path, "/read_state")) {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if len(body) > 0 {
			body[len(body)-1] ^= 0x01
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	return p
}

// motionOnBadKeyNetwork submits a motion from neuron 81 through the
// governance client; the call executes although its reply fails
// verification. It returns the new proposal's id, read from the network.
func motionOnBadKeyNetwork(t *testing.T, n *localnet.Network) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := governancetest.DevClient(t, n)
	title := "Motion: unverifiable"
	if _, err := c.MakeProposal(ctx, 81, govdid.MakeProposalRequest{Title: &title, Summary: "A motion.",
		Action: &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: "unverifiable"}}}); err == nil {
		t.Fatal("the bad-key network's reply verified")
	}
	for pid := uint64(n.Governance().ProposalCount()); pid > 0; pid-- {
		if pi, ok := n.Governance().Proposal(pid, n.Now()); ok && pi.Proposal != nil && pi.Proposal.Title != nil && *pi.Proposal.Title == title {
			return pid
		}
	}
	t.Fatal("the motion was not made")
	return 0
}

// yesTally reads the yes voting power on proposal from the network's model.
func yesTally(n *localnet.Network, proposal uint64) uint64 {
	pi, _ := n.Governance().Proposal(proposal, n.Now())
	if pi.LatestTally == nil {
		return 0
	}
	return pi.LatestTally.Yes
}

// lyingGovernance answers get_proposal_info about another proposal than
// the one asked for, with valid signatures: a replica that misroutes or
// a canister bug.
type lyingGovernance struct{}

func (lyingGovernance) Method(name string) (replica.MethodKind, bool) {
	return replica.Query, name == "get_proposal_info"
}

func (lyingGovernance) Execute(call replica.Call) ([]byte, *replica.Reject) {
	var id uint64
	if err := candid.Unmarshal(call.Arg, []any{&id}); err != nil {
		return nil, &replica.Reject{Code: 5, ErrorCode: "IC0503", Message: err.Error()}
	}
	title := "Motion: the wrong proposal"
	pi := &govdid.ProposalInfo{Id: &govdid.ProposalId{Id: id + 1}, Status: 1, Topic: 4, Proposer: &govdid.NeuronId{Id: 80},
		Proposal: &govdid.Proposal{Title: &title, Summary: "Not the one asked for.", Action: &govdid.Action{Motion: &govdid.Motion{MotionText: "wrong"}}}}
	out, err := candid.Marshal([]any{&pi})
	if err != nil {
		return nil, &replica.Reject{Code: 5, ErrorCode: "IC0503", Message: err.Error()}
	}
	return out, nil
}

// TestProposalShowChecksTheID: a verified answer about another proposal
// than the one asked for is refused (exit 7), never shown.
func TestProposalShowChecksTheID(t *testing.T) {
	isolateConfig(t)
	srv, err := replica.New(replica.WithCanister(governance.GovernanceCanister, lyingGovernance{}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	r := runCLI(t, "proposal", "show", "5", "--network", hs.URL, "--root-key", "fetch", "--identity", writeTestKey(t))
	if r.Code != ExitUntrusted || strings.Contains(r.Stdout, "wrong proposal") || !strings.Contains(r.Stderr, "asked for proposal 5, governance answered with proposal 6") {
		t.Errorf("show of a misanswered proposal: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.Code, ExitUntrusted, r.Stdout, r.Stderr)
	}
}
