package govmodel

import (
	"slices"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

func TestExecution(t *testing.T) {
	root := principal.MustDecode("r7inp-6aaaa-aaaaa-aaabq-cai")
	wasm, arg, upgrade := []byte("\x00asm-root"), []byte("init"), int32(3)
	installReq := motion("Upgrade root")
	installReq.Action = &govdid.ProposalActionRequest{InstallCode: &govdid.InstallCodeRequest{
		CanisterId: &root, InstallMode: &upgrade, WasmModule: &wasm, Arg: &arg,
	}}
	tests := []struct {
		name        string
		req         govdid.MakeProposalRequest
		fail        map[int32]string
		wantStatus  int32
		wantCalls   []string
		wantFailure *govdid.GovernanceError
	}{
		{
			name:       "motion needs no executor call",
			req:        motion("A motion"),
			wantStatus: StatusExecuted,
		},
		{
			name:       "nns function succeeds",
			req:        executeFn(FnDeployGuestosToAllSubnetNodes, []byte("DIDL")),
			wantStatus: StatusExecuted,
			wantCalls:  []string{"fn 11 at 2026-01-05T10:00:00Z"},
		},
		{
			name:        "nns function fails with the registry's message",
			req:         executeFn(FnReviseElectedGuestosVersions, []byte("DIDL")),
			fail:        map[int32]string{38: "[Registry] Cannot retire versions {abc}, because they are currently deployed to a subnet!"},
			wantStatus:  StatusFailed,
			wantCalls:   []string{"fn 38 at 2026-01-05T10:00:00Z"},
			wantFailure: &govdid.GovernanceError{ErrorType: ErrorExternal, ErrorMessage: "[Registry] Cannot retire versions {abc}, because they are currently deployed to a subnet!"},
		},
		{
			name:       "install code passes the full wasm and arg",
			req:        installReq,
			wantStatus: StatusExecuted,
			wantCalls:  []string{"install r7inp-6aaaa-aaaaa-aaabq-cai mode 3 arg init"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &fakeExecutor{fail: tt.fail}
			g := newGov(t, Config{Executor: ex}, vpNeuron(1, alice, 60), vpNeuron(2, bob, 40))
			id := propose(t, g, alice, t0, 1, tt.req)
			pi := info(t, g, alice, t0, id)
			if pi.Status != tt.wantStatus || !slices.Equal(ex.calls, tt.wantCalls) {
				t.Fatalf("status %d calls %q, want %d %q", pi.Status, ex.calls, tt.wantStatus, tt.wantCalls)
			}
			if (pi.FailureReason == nil) != (tt.wantFailure == nil) || (pi.FailureReason != nil && *pi.FailureReason != *tt.wantFailure) {
				t.Fatalf("failure_reason = %+v, want %+v", pi.FailureReason, tt.wantFailure)
			}
			wantExec, wantFail := secs(t0), uint64(0)
			if tt.wantStatus == StatusFailed {
				wantExec, wantFail = 0, secs(t0)
			}
			if pi.ExecutedTimestampSeconds != wantExec || pi.FailedTimestampSeconds != wantFail || pi.DecidedTimestampSeconds != secs(t0) {
				t.Fatalf("timestamps decided %d executed %d failed %d", pi.DecidedTimestampSeconds, pi.ExecutedTimestampSeconds, pi.FailedTimestampSeconds)
			}
			if len(ex.wasm) > 0 && string(ex.wasm[0]) != string(wasm) {
				t.Fatalf("executor got wasm %q", ex.wasm[0])
			}
		})
	}
}

func TestExecutionAtDeadline(t *testing.T) {
	ex := &fakeExecutor{}
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 90))
	g.SetExecutor(ex)
	id := propose(t, g, alice, t0, 1, executeFn(FnDeployGuestosToAllUnassignedNodes, nil))
	g.Tick(t0.Add(4*day - time.Second))
	if len(ex.calls) != 0 {
		t.Fatalf("executed before the deadline: %q", ex.calls)
	}
	// An update call at the deadline processes time first, like Tick.
	mustVoteErr := castVote(t, g, bob, t0.Add(4*day), 2, id, VoteNo)
	if mustVoteErr == nil || mustVoteErr.ErrorMessage != "Proposal deadline has passed." {
		t.Fatalf("late vote: %+v", mustVoteErr)
	}
	if want := []string{"fn 48 at 2026-01-09T10:00:00Z"}; !slices.Equal(ex.calls, want) {
		t.Fatalf("calls = %q, want %q", ex.calls, want)
	}
	if pi := info(t, g, alice, t0.Add(4*day), id); pi.Status != StatusExecuted || pi.ExecutedTimestampSeconds != secs(t0.Add(4*day)) {
		t.Fatalf("status %d executed %d", pi.Status, pi.ExecutedTimestampSeconds)
	}
	g.Tick(t0.Add(5 * day))
	if len(ex.calls) != 1 {
		t.Fatalf("executed twice: %q", ex.calls)
	}
}

func TestClockJumpDecidesAtDeadlines(t *testing.T) {
	ex := &fakeExecutor{}
	rich := vpNeuron(1, alice, 10)
	rich.StakeE8s = 1000 * e8s
	g := newGov(t, Config{Executor: ex}, rich, vpNeuron(2, bob, 80), vpNeuron(3, carol, 10), vpNeuron(4, carol, 20))
	first := propose(t, g, alice, t0, 1, executeFn(FnDeployGuestosToAllSubnetNodes, nil))
	second := propose(t, g, alice, t0.Add(time.Hour), 1, executeFn(FnDeployGuestosToAllUnassignedNodes, nil))
	// A flip on the first proposal pushes its deadline past the second's.
	mustVote(t, g, carol, t0.Add(2*time.Hour), 3, first, VoteNo)
	mustVote(t, g, carol, t0.Add(3*time.Hour), 4, first, VoteYes)
	firstDeadline := *info(t, g, alice, t0, first).DeadlineTimestampSeconds
	if firstDeadline <= secs(t0.Add(4*day+time.Hour)) {
		t.Fatalf("first deadline %d not extended past the second's", firstDeadline)
	}
	g.Tick(t0.Add(30 * day))
	want := []string{
		"fn 48 at " + t0.Add(4*day+time.Hour).Format(time.RFC3339),
		"fn 11 at " + time.Unix(int64(firstDeadline), 0).UTC().Format(time.RFC3339),
	}
	if !slices.Equal(ex.calls, want) {
		t.Fatalf("calls = %q, want %q", ex.calls, want)
	}
	if pi := info(t, g, alice, t0.Add(30*day), second); pi.DecidedTimestampSeconds != secs(t0.Add(4*day+time.Hour)) || pi.ExecutedTimestampSeconds != pi.DecidedTimestampSeconds {
		t.Fatalf("second decided %d executed %d", pi.DecidedTimestampSeconds, pi.ExecutedTimestampSeconds)
	}
}
