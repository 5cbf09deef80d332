package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/rollback"
)

// buildBinary builds nnspatch for tests that run it as separate processes.
// Call it before isolateConfig: that moves XDG_CACHE_HOME, and with it the
// Go build cache.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// procResult is what one nnspatch process did.
type procResult struct {
	stdout, stderr string
	code           int
}

// runProcs runs nnspatch once per argument list, all at the same time,
// with the test's environment (isolateConfig's variables included).
func runProcs(t *testing.T, bin string, argss ...[]string) []procResult {
	t.Helper()
	out := make([]procResult, len(argss))
	var wg sync.WaitGroup
	for i, args := range argss {
		cmd := exec.Command(bin, args...)
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = cmd.Wait()
			out[i] = procResult{stdout: so.String(), stderr: se.String(), code: cmd.ProcessState.ExitCode()}
		}()
	}
	wg.Wait()
	return out
}

// proposalsWithPayload returns the ids of every proposal on chain whose
// payload has the SHA-256 sha.
func proposalsWithPayload(t *testing.T, c *governance.Client, sha string) []uint64 {
	t.Helper()
	ctx := context.Background()
	ps, err := c.ListProposals(ctx, governance.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, p := range ps {
		if len(p.Action.Payload) == 0 && p.Action.Kind == "ExecuteNnsFunction" {
			full, err := c.GetProposal(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			p = *full
		}
		if p.Action.PayloadSHA256() == sha {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// TestConcurrentSubmitsMakeOneProposal runs two nnspatch processes that
// submit the same draft at the same moment, a few rounds: each round
// leaves exactly one proposal on chain and both processes print its id
// (the second finds the first's proposal as a twin under the write lock).
func TestConcurrentSubmitsMakeOneProposal(t *testing.T) {
	bin := buildBinary(t)
	n, flags := cliNet(t)
	c := governancetest.DevClient(t, n)
	for round := range 4 {
		version := strings.Repeat(fmt.Sprintf("%x", round+10), 40)
		draft := writeElectDraft(t, version)
		d, err := proposals.LoadDraft(draft)
		if err != nil {
			t.Fatal(err)
		}
		_, payload, err := d.Payload()
		if err != nil {
			t.Fatal(err)
		}
		args := append([]string{"proposal", "submit", draft, "--neuron", "80", "--yes"}, flags...)
		res := runProcs(t, bin, args, args)
		for i, r := range res {
			if r.code != 0 {
				t.Fatalf("round %d: process %d exit %d\n%s", round, i, r.code, r.stderr)
			}
		}
		ids := proposalsWithPayload(t, c, governance.Action{Payload: payload}.PayloadSHA256())
		if len(ids) != 1 {
			t.Fatalf("round %d: %d proposals on chain for one draft submitted twice at once: %v", round, len(ids), ids)
		}
		want := fmt.Sprint(ids[0])
		for i, r := range res {
			if strings.TrimSpace(r.stdout) != want {
				t.Errorf("round %d: process %d printed %q, want proposal %s", round, i, r.stdout, want)
			}
		}
	}
}

// TestConcurrentRollbacksMakeOneProposalPerSubnet runs two `rollback
// submit` processes at once for the same release with separate state
// files (two operators, two machines' worth of state): the write lock
// makes the second find the first's proposals, so each subnet gets one
// rollback proposal and both state files name the same ids.
func TestConcurrentRollbacksMakeOneProposalPerSubnet(t *testing.T) {
	bin := buildBinary(t)
	n := releaseNet(t)
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "3", "--bake", "15m")
	batch1 := mustReadLedger(t, rel).Plan.Batches[0].Subnets
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Subnets: []string{batch1[0]}}); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "rollout", "advance", rel, "--yes")
	if _, err := n.Advance(20 * time.Minute); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := func(state string) []string {
		return []string{"rollback", "submit", "--release", rel, "--all-targets", "--yes", "--state", filepath.Join(dir, state)}
	}
	for i, r := range runProcs(t, bin, args("a.json"), args("b.json")) {
		if r.code != 0 {
			t.Fatalf("rollback process %d: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	c := governancetest.DevClient(t, n)
	perSubnet := map[string][]uint64{}
	for _, d := range chainDeploys(t, c) {
		if d.version != patchVersion {
			perSubnet[d.target] = append(perSubnet[d.target], d.id)
		}
	}
	if len(perSubnet) == 0 {
		t.Fatal("no rollback proposal on chain")
	}
	for target, ids := range perSubnet {
		if len(ids) != 1 {
			t.Errorf("%d rollback proposals to %s on chain: %v", len(ids), target, ids)
		}
	}
	var states [2][]uint64
	for i, name := range []string{"a.json", "b.json"} {
		st, err := rollback.StateFile{Path: filepath.Join(dir, name)}.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st.Steps {
			if s.Proposal != 0 {
				states[i] = append(states[i], s.Proposal)
			}
		}
	}
	if !slices.Equal(states[0], states[1]) || len(states[0]) != len(perSubnet) {
		t.Errorf("state files name %v and %v; on chain %v", states[0], states[1], perSubnet)
	}
}
