package localnet_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/nnspatch/nnspatch/governance/localnet"
)

// crashChildEnv names the state directory a re-executed test binary serves
// a network from until it is killed.
const crashChildEnv = "LOCALNET_CRASH_CHILD_STATE"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		runCrashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// voterIdentity is the deterministic identity controlling voter neuron i.
func voterIdentity(i int) *identity.Ed25519Identity {
	sum := sha256.Sum256([]byte(fmt.Sprintf("localnet test voter %d", i)))
	k := ed25519.NewKeyFromSeed(sum[:])
	id, _ := identity.NewEd25519Identity(k.Public().(ed25519.PublicKey), k)
	return id
}

// voterNeuron is the neuron id of voter i.
func voterNeuron(i int) uint64 { return uint64(1000 + i) }

// loadSeed is a small topology with a developer proposer (neuron 80) and
// voters neurons of equal stake, each controlled by voterIdentity(i).
func loadSeed(voters int) *localnet.Seed {
	s := &localnet.Seed{
		Name:            "load",
		NNSSubnet:       nnsSubnet,
		GuestOSVersions: []localnet.VersionSeed{{Version: oldVersion}},
		HostOSVersions:  []localnet.VersionSeed{{Version: "h1"}},
		Subnets:         []localnet.SubnetSeed{{ID: nnsSubnet, Type: "system", Nodes: 4, Version: oldVersion}},
		Neurons: []localnet.NeuronSeed{
			{ID: devNeuron, Controller: "developer", StakeICP: 100_000, DissolveDelayDays: 2922},
		},
	}
	for i := 0; i < voters; i++ {
		s.Neurons = append(s.Neurons, localnet.NeuronSeed{
			ID: voterNeuron(i), Controller: voterIdentity(i).Sender().String(), StakeICP: 1000, DissolveDelayDays: 2922,
		})
	}
	return s
}

const crashVoters = 16

// runCrashChild serves a network on the state directory and publishes its
// URL, then waits to be killed.
func runCrashChild(dir string) {
	n, err := localnet.Start(context.Background(), localnet.Config{StateDir: dir, Listen: "127.0.0.1:0", Seed: loadSeed(crashVoters)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	tmp := filepath.Join(dir, "url.tmp")
	os.WriteFile(tmp, []byte(n.URL()), 0o600)
	os.Rename(tmp, filepath.Join(dir, "url"))
	select {}
}

// startCrashChild re-executes the test binary as a network server.
func startCrashChild(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(dir, "url")); err == nil {
			return cmd, string(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("child network did not start")
	return nil, ""
}

type ack struct{ neuron, proposal uint64 }

// TestKill9KeepsAcknowledgedVotes kills a network process with SIGKILL in
// the middle of concurrent voting and checks that the reopened state holds
// every vote a client saw acknowledged.
func TestKill9KeepsAcknowledgedVotes(t *testing.T) {
	dir := t.TempDir()
	cmd, url := startCrashChild(t, dir)
	defer cmd.Process.Kill()

	dev := newGovClient(t, url, localnet.DeveloperIdentity("load"))
	var proposals []uint64
	for i := 0; i < 12; i++ {
		id, err := dev.propose(devNeuron, fmt.Sprintf("Load motion %d", i), motion("load"))
		if err != nil {
			t.Fatal(err)
		}
		proposals = append(proposals, id)
	}

	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	for v := 0; v < crashVoters; v++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			c := newGovClient(t, url, voterIdentity(v))
			for _, p := range proposals {
				if err := c.vote(voterNeuron(v), p, true); err != nil {
					return // the network died under us: nothing acknowledged
				}
				mu.Lock()
				acks = append(acks, ack{voterNeuron(v), p})
				mu.Unlock()
			}
		}(v)
	}
	// Kill once a good part of the votes went through, with calls in flight.
	for {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= crashVoters*len(proposals)/3 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()
	if len(acks) == crashVoters*len(proposals) {
		t.Fatal("every vote finished before the kill; the test proved nothing")
	}
	checkReopened(t, dir, proposals, acks)
}

// checkReopened reopens the state twice and checks the acknowledged votes
// and that replay is deterministic.
func checkReopened(t *testing.T, dir string, proposals []uint64, acks []ack) {
	t.Helper()
	os.Remove(filepath.Join(dir, "url"))
	n, err := localnet.Start(context.Background(), localnet.Config{StateDir: dir, Listen: "127.0.0.1:0", Seed: loadSeed(crashVoters)})
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	perProposal := map[uint64]uint64{}
	for _, a := range acks {
		perProposal[a.proposal]++
		c := newGovClient(t, n.URL(), voterIdentity(int(a.neuron-1000)))
		p := c.info(t, a.proposal)
		found := false
		for _, b := range p.Ballots {
			found = found || (b.Field0 == a.neuron && b.Field1.Vote == 1)
		}
		if !found {
			t.Errorf("acknowledged vote of neuron %d on proposal %d is lost", a.neuron, a.proposal)
		}
	}
	c := newGovClient(t, n.URL(), voterIdentity(0))
	var voterPower uint64
	for _, b := range c.info(t, proposals[0]).Ballots {
		voterPower = b.Field1.VotingPower
	}
	tallies := yesTallies(t, c, proposals)
	for _, id := range proposals {
		if min := perProposal[id] * voterPower; tallies[id] < min {
			t.Errorf("proposal %d: yes %d < acknowledged voter power %d", id, tallies[id], min)
		}
	}
	n.Close()
	// A second replay of the same log yields the same state.
	n2, err := localnet.Start(context.Background(), localnet.Config{StateDir: dir, Listen: "127.0.0.1:0", Seed: loadSeed(crashVoters)})
	if err != nil {
		t.Fatalf("second reopen: %v", err)
	}
	defer n2.Close()
	again := yesTallies(t, newGovClient(t, n2.URL(), voterIdentity(0)), proposals)
	for id, y := range tallies {
		if again[id] != y {
			t.Errorf("proposal %d: yes %d after first replay, %d after second", id, y, again[id])
		}
	}
	t.Logf("%d acknowledged votes survived kill -9", len(acks))
}

func yesTallies(t *testing.T, c govClient, ids []uint64) map[uint64]uint64 {
	t.Helper()
	out := map[uint64]uint64{}
	for _, id := range ids {
		out[id] = c.info(t, id).LatestTally.Yes
	}
	return out
}
