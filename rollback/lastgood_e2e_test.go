package rollback

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/timeline"
	"github.com/nnspatch/nnspatch/proposals"
)

// execLocal executes a payload on the local registry as governance does
// for an adopted proposal, one minute after the previous one.
func execLocal(t *testing.T, n *localnet.Network, p proposals.FunctionPayload) {
	t.Helper()
	b, err := proposals.EncodePayload(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := n.Registry().ExecuteNnsFunction(int32(p.NnsFunction()), b, n.Now()); err != nil {
		t.Fatal(err)
	}
}

// electVersions elects a version per name (a deterministic commit) and
// returns them by name.
func electVersions(t *testing.T, n *localnet.Network, names ...string) map[string]string {
	t.Helper()
	vs := map[string]string{}
	for _, name := range names {
		v := fmt.Sprintf("%x", sha256.Sum256([]byte(name)))[:40]
		sum := fmt.Sprintf("%x", sha256.Sum256([]byte("pkg"+v)))
		vs[name] = v
		execLocal(t, n, proposals.ReviseElectedGuestosVersions{ReplicaVersionToElect: &v, ReleasePackageSHA256Hex: &sum,
			ReleasePackageURLs: []string{"https://download.dfinity.systems/ic/" + v + "/guest-os/update-img/update-img.tar.zst"}})
	}
	return vs
}

// planInput reads the history, registry and timeline through the client.
func planInput(t *testing.T, n *localnet.Network, release string) Input {
	t.Helper()
	ctx := context.Background()
	c, err := governance.New(ctx, governance.Network{Name: "local", URL: n.URL(), FetchRootKey: true}, nil, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Release: release, Mode: proposals.ModeSecurity, Now: n.Now()}
	if in.History, err = ReadHistory(ctx, c); err != nil {
		t.Fatal(err)
	}
	if in.Registry, err = in.History.Registry(); err != nil {
		t.Fatal(err)
	}
	log, err := c.RegistryLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in.Timeline, err = timeline.Build(log); err != nil {
		t.Fatal(err)
	}
	return in
}

// aaaa -> bbbb (stalled) -> rolled back to aaaa -> cccc (stalled): the
// rollback of cccc restores aaaa, never bbbb, and says why; healthy
// subnets are left alone and named; without a detected failure the texts
// stay neutral.
func TestRollbackPicksLastGoodNotPrevious(t *testing.T) {
	n := localnettest.Start(t)
	vs := electVersions(t, n, "aaaa", "bbbb", "cccc")
	subs := n.Registry().Subnets()
	failing, healthy := subs[0].ID, subs[1].ID
	for _, name := range []string{"aaaa", "bbbb", "aaaa", "cccc"} {
		execLocal(t, n, proposals.DeployGuestosToAllSubnetNodes{SubnetID: failing, ReplicaVersionID: vs[name]})
	}
	execLocal(t, n, proposals.DeployGuestosToAllSubnetNodes{SubnetID: healthy, ReplicaVersionID: vs["cccc"]})

	in := planInput(t, n, vs["cccc"])
	in.Failing = []string{failing.Encode()}
	p, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Targets) != 1 || p.Targets[0].Restore != vs["aaaa"] || p.Targets[0].RestoreWhy == "" {
		t.Fatalf("targets %+v; want only the failing subnet back on aaaa %s with a reason", p.Targets, vs["aaaa"])
	}
	if p.Problem != DefaultProblem || len(p.Notes) == 0 {
		t.Errorf("problem %q, notes %v", p.Problem, p.Notes)
	}

	in.Exclude = []string{vs["aaaa"]}
	if p, err = Build(in); err != nil || p.Targets[0].Restore == vs["aaaa"] || p.Targets[0].Restore == vs["bbbb"] {
		t.Fatalf("with aaaa excluded: %+v, %v", p, err)
	}

	in = planInput(t, n, vs["cccc"])
	if _, err := Build(in); !errors.Is(err, ErrNoFailure) {
		t.Fatalf("no failure, no --all-targets: %v, want ErrNoFailure", err)
	}
	in.AllTargets = true
	if p, err = Build(in); err != nil || len(p.Targets) != 2 || p.Problem != NeutralProblem {
		t.Fatalf("--all-targets without a failure: %+v, %v", p, err)
	}
}

// TestRollbackSkipsAVersionWhoseRolloutWasHalted: aaaa -> bbbb -> cccc
// (failing) on one subnet, and bbbb's own release was halted (its ledger
// says so, read with rollout.BadVersions as the CLI does): the rollback of
// cccc restores aaaa and says it passed over bbbb.
func TestRollbackSkipsAVersionWhoseRolloutWasHalted(t *testing.T) {
	n := localnettest.Start(t)
	vs := electVersions(t, n, "aaaa", "bbbb", "cccc")
	failing := n.Registry().Subnets()[0].ID
	for _, name := range []string{"aaaa", "bbbb", "cccc"} {
		execLocal(t, n, proposals.DeployGuestosToAllSubnetNodes{SubnetID: failing, ReplicaVersionID: vs[name]})
	}

	dir := t.TempDir()
	halted := rollout.NewLedger(vs["bbbb"], proposals.ModeSecurity, rollout.Artifact{SHA256: "ab"}, n.Now())
	halted.Record(n.Now(), "tester", "halt", "rollout halted: finalization stalled on batch 2", 0)
	if err := (rollout.Store{Dir: filepath.Join(dir, vs["bbbb"])}).Create(context.Background(), halted); err != nil {
		t.Fatal(err)
	}
	in := planInput(t, n, vs["cccc"])
	in.Failing = []string{failing.Encode()}
	p, err := Build(in)
	if err != nil || p.Targets[0].Restore != vs["bbbb"] {
		t.Fatalf("without the ledger: %+v, %v; want bbbb, the newest earlier version", p, err)
	}
	if in.Bad, err = rollout.BadVersions(dir); err != nil {
		t.Fatal(err)
	}
	if p, err = Build(in); err != nil || p.Targets[0].Restore != vs["aaaa"] {
		t.Fatalf("with bbbb's halted release: %+v, %v; want aaaa", p, err)
	}
	if !strings.Contains(p.Targets[0].RestoreWhy+fmt.Sprint(p.Notes), "halted") {
		t.Errorf("the plan does not say bbbb was passed over because its rollout was halted: %q %v", p.Targets[0].RestoreWhy, p.Notes)
	}
}
