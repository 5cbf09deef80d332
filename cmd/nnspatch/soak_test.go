package main

import (
	"context"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/rollback"
)

// soakRounds is how many times each command is killed.
const soakRounds = 6

// killAfter runs nnspatch with args and sends it SIGKILL after delay (if
// it is still running); it reports whether the kill hit a running process.
func killAfter(t *testing.T, bin string, delay time.Duration, args ...string) bool {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return false
	case <-time.After(delay):
		_ = cmd.Process.Kill()
		<-done
		return true
	}
}

// runBin runs nnspatch to the end and returns its exit code.
func runBin(t *testing.T, bin string, args ...string) int {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errorsAs(err, &ee):
		t.Logf("nnspatch %v: exit %d\n%s", args, ee.ExitCode(), out)
		return ee.ExitCode()
	}
	t.Fatalf("nnspatch %v: %v", args, err)
	return -1
}

func errorsAs(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}

// chainDeploys lists every deployment proposal on chain as target
// (subnet id, "" for the unassigned nodes) and version.
type chainDeploy struct {
	id              uint64
	target, version string
}

func chainDeploys(t *testing.T, c *governance.Client) []chainDeploy {
	t.Helper()
	ctx := context.Background()
	ps, err := c.ListProposals(ctx, governance.ListOptions{Topics: []governance.Topic{governance.TopicIcOsVersionDeployment}, All: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []chainDeploy
	for _, p := range ps {
		if len(p.Action.Payload) == 0 {
			full, err := c.GetProposal(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			p = *full
		}
		a, err := proposals.DecodePayload(p.Action.NNSFunction, p.Action.Payload)
		if err != nil {
			continue
		}
		switch a := a.(type) {
		case proposals.DeployGuestosToAllSubnetNodes:
			out = append(out, chainDeploy{p.ID, a.SubnetID.Encode(), a.ReplicaVersionID})
		case proposals.DeployGuestosToAllUnassignedNodes:
			out = append(out, chainDeploy{p.ID, "", a.ElectedReplicaVersion})
		}
	}
	return out
}

// checkLedgerMatchesChain: the ledger's proposal ids are exactly the
// release's proposals on chain (the election and every deploy of the
// version), each target has at most one deploy of the version, and every
// recorded proposal has a submit event in the audit log.
func checkLedgerMatchesChain(t *testing.T, c *governance.Client, rel string, election uint64) {
	t.Helper()
	l := mustReadLedger(t, rel)
	var ledger, chain []uint64
	for _, p := range l.Proposals {
		if p.ID != 0 {
			ledger = append(ledger, p.ID)
		}
		if p.IsIntent() {
			t.Errorf("unconfirmed intent left after a clean run: %+v", p)
		}
	}
	chain = append(chain, election)
	perTarget := map[string]int{}
	for _, d := range chainDeploys(t, c) {
		if d.version == patchVersion {
			chain = append(chain, d.id)
			perTarget[d.target]++
		}
	}
	slices.Sort(ledger)
	slices.Sort(chain)
	if !slices.Equal(ledger, chain) {
		t.Errorf("ledger proposal ids %v, on chain %v", ledger, chain)
	}
	for target, n := range perTarget {
		if n != 1 {
			t.Errorf("%d deploy proposals of the version to %q on chain, want 1", n, target)
		}
	}
	audited := map[uint64]bool{}
	for _, e := range l.Audit {
		if e.Action == "submit" {
			audited[e.Proposal] = true
		}
	}
	for _, id := range ledger {
		if !audited[id] {
			t.Errorf("proposal %d is in the ledger but no submit event in the audit log", id)
		}
	}
}

// TestKill9SoakAdvanceAndRollback kills `rollout advance` and then
// `rollback submit` with SIGKILL at random points (calibrated on the
// length of a `rollout status` run), a few rounds each, then lets one run
// finish: the ledger's proposal ids equal the release's proposals on
// chain, every one is audited, no target has two deploys, and the
// rollback's state names exactly its proposals on chain, one per subnet.
func TestKill9SoakAdvanceAndRollback(t *testing.T) {
	bin := buildBinary(t)
	n := releaseNet(t)
	rel, _, election := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "3", "--bake", "15m")
	batch1 := mustReadLedger(t, rel).Plan.Batches[0].Subnets
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Subnets: []string{batch1[0]}}); err != nil {
		t.Fatal(err)
	}
	c := governancetest.DevClient(t, n)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	t.Logf("kill points seeded with %d", seed)

	start := time.Now()
	runBin(t, bin, "rollout", "status", rel)
	span := 2 * time.Since(start)
	killed := 0
	for range soakRounds {
		if killAfter(t, bin, time.Duration(rng.Int64N(int64(span))), "rollout", "advance", rel, "--yes") {
			killed++
		}
	}
	if code := runBin(t, bin, "rollout", "advance", rel, "--yes"); code != 0 && code != int(ExitPending) {
		t.Fatalf("clean advance after the kills: exit %d", code)
	}
	runBin(t, bin, "rollout", "status", rel)
	checkLedgerMatchesChain(t, c, rel, election)

	if _, err := n.Advance(20 * time.Minute); err != nil {
		t.Fatal(err)
	}
	rbArgs := []string{"rollback", "submit", "--release", rel, "--all-targets", "--yes"}
	for range soakRounds {
		if killAfter(t, bin, time.Duration(rng.Int64N(int64(span))), rbArgs...) {
			killed++
		}
	}
	if code := runBin(t, bin, rbArgs...); code != 0 {
		t.Fatalf("clean rollback submit after the kills: exit %d", code)
	}
	t.Logf("%d of %d runs killed before they ended", killed, 2*soakRounds)

	st, err := rollback.StateFile{Path: filepath.Join(rel, "rollback.json")}.Load()
	if err != nil {
		t.Fatal(err)
	}
	var recorded, onChain []uint64
	for _, s := range st.Steps {
		if s.Proposal != 0 {
			recorded = append(recorded, s.Proposal)
		}
	}
	perSubnet := map[string]int{}
	for _, d := range chainDeploys(t, c) {
		if d.version != patchVersion {
			onChain = append(onChain, d.id)
			perSubnet[d.target]++
		}
	}
	slices.Sort(recorded)
	slices.Sort(onChain)
	if !slices.Equal(recorded, onChain) || len(recorded) == 0 {
		t.Errorf("rollback state proposals %v, rollback deploys on chain %v", recorded, onChain)
	}
	for target, k := range perSubnet {
		if k != 1 {
			t.Errorf("%d rollback deploys to %q on chain, want 1", k, target)
		}
	}
	checkLedgerMatchesChain(t, c, rel, election)
	if l := mustReadLedger(t, rel); l.Halted == nil {
		t.Error("the rollback did not halt the rollout")
	}
}
