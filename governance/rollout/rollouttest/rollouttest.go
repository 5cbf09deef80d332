// Package rollouttest sets up releases on the embedded local network for
// tests: a Tracker as the developer runs one (the network's clock, the
// developer's neuron, the default policy), an elected HostOS release with
// its plan saved, and NNS canister releases.
//
// It imports rollout, so rollout's own in-package tests cannot use it; its
// external tests (package rollout_test) and every other package's tests
// can. Connect the client with governancetest.
package rollouttest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// HostOSVersion is the HostOS version ElectHostOS elects (not one of the
// default seed's versions).
const HostOSVersion = "7b2c9d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"

// Clock is n's virtual clock, as a Tracker's or rollback Executor's Now.
func Clock(n *localnet.Network) func(context.Context) (time.Time, error) {
	return func(context.Context) (time.Time, error) { return n.Now(), nil }
}

// Metrics is the health source of n's /metrics, scraped once a snapshot.
func Metrics(n *localnet.Network) health.Metrics {
	return health.Metrics{URL: n.URL() + "/metrics", Once: true}
}

// Tracker is the tracker of the release in s as the developer runs it on
// n: c's sender as the actor, governancetest.DevNeuron, the default policy,
// n's clock and src as the health source (nil for none).
func Tracker(n *localnet.Network, c *governance.Client, s rollout.Store, src health.Source) *rollout.Tracker {
	return &rollout.Tracker{Store: s, Gov: c, Now: Clock(n), Actor: c.Sender().Encode(),
		Neuron: governancetest.DevNeuron, Policy: proposals.DefaultPolicy(), Health: src}
}

// HostOSDraft is the security-mode election of HostOSVersion.
func HostOSDraft(t testing.TB) proposals.Draft {
	t.Helper()
	d, err := proposals.NewElectHostOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: HostOSVersion, SHA256: strings.Repeat("ab", 32)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// ElectHostOS records a security release of HostOSVersion in tr's store and
// submits its election (adopted and executed on the local network).
func ElectHostOS(t testing.TB, tr *rollout.Tracker) {
	t.Helper()
	ctx := context.Background()
	now := trackerNow(t, tr)
	if _, err := rollout.NewHostOSRelease(ctx, tr.Store, HostOSDraft(t), tr.Actor, now); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
}

// HostOSRelease is an elected HostOS release on n whose plan is saved,
// starting now (main batches of perSubnet nodes per subnet; 0 for the
// default), in a new store. Its tracker reads node health from n's
// /metrics.
func HostOSRelease(t testing.TB, n *localnet.Network, c *governance.Client, perSubnet int) (*rollout.Tracker, *rollout.HostOSPlan) {
	t.Helper()
	tr := Tracker(n, c, rollout.Store{Dir: filepath.Join(t.TempDir(), "hostos")}, Metrics(n))
	ElectHostOS(t, tr)
	plan, err := tr.SaveHostOSPlan(context.Background(), rollout.HostOSPlanOptions{Start: n.Now(), PerSubnet: perSubnet})
	if err != nil {
		t.Fatal(err)
	}
	return tr, plan
}

// PatchedWasm is a minimal wasm module (magic and version) followed by
// "patched <name>": a new module for the canister name.
func PatchedWasm(name string) []byte { return []byte("\x00asm\x01\x00\x00\x00patched " + name) }

// CanisterDraft is a security-mode upgrade of canister id to wasm.
func CanisterDraft(t testing.TB, id string, wasm []byte) proposals.Draft {
	t.Helper()
	d, err := proposals.NewUpgradeCanister(proposals.UpgradeCanisterOptions{Mode: proposals.ModeSecurity,
		Code: proposals.InstallCode{CanisterID: id, Wasm: wasm}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// CanisterRelease records a security release named version ("" for none)
// of drafts, in order, in tr's store.
func CanisterRelease(t testing.TB, tr *rollout.Tracker, version string, drafts ...proposals.Draft) {
	t.Helper()
	ctx := context.Background()
	now := trackerNow(t, tr)
	if _, err := rollout.NewCanisterRelease(ctx, tr.Store, version, proposals.ModeSecurity, drafts, tr.Actor, now); err != nil {
		t.Fatal(err)
	}
}

// FaultCanary takes the first node of tr's first HostOS canary batch down
// once it runs HostOSVersion (a fault on n) and returns the node's id.
func FaultCanary(t testing.TB, n *localnet.Network, tr *rollout.Tracker) string {
	t.Helper()
	l, err := tr.Store.Read()
	if err != nil {
		t.Fatal(err)
	}
	canary := l.HostOS.Stages[0].Batches[0].Nodes[0]
	if err := n.SetFault(localnet.Fault{Version: HostOSVersion, Subnets: []string{canary}}); err != nil {
		t.Fatal(err)
	}
	return canary
}

// trackerNow is tr's clock now; it fails the test if the clock fails.
func trackerNow(t testing.TB, tr *rollout.Tracker) time.Time {
	t.Helper()
	now, err := tr.Now(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return now
}
