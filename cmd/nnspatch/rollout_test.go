package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// TestRolloutGateFailureStops stalls a subnet of the first batch: advance
// refuses with exit 9 naming the subnet and the check, and submits nothing.
func TestRolloutGateFailureStops(t *testing.T) {
	n := releaseNet(t)
	rel, _, _ := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "10", "--bake", "30m")
	mustRun(t, 0, "rollout", "advance", rel, "--yes")
	r := mustRun(t, ExitPending, "rollout", "advance", rel, "--yes")
	if !strings.Contains(r.Stderr, "batch 1 is") {
		t.Errorf("pending advance does not say what it waits for:\n%s", r.Stderr)
	}
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ExitPending, "rollout", "advance", rel, "--yes")
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Subnets: []string{rollout.SigningSubnet}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	before, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes")
	if !strings.Contains(r.Stderr, "subnet "+rollout.SigningSubnet+" failed the ") {
		t.Errorf("gate failure does not name the subnet:\n%s", r.Stderr)
	}
	if !strings.Contains(r.Stderr, "failed the finalizing check") && !strings.Contains(r.Stderr, "failed the alerts check") {
		t.Errorf("gate failure does not name the check:\n%s", r.Stderr)
	}
	after, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Proposals) != len(before.Proposals) {
		t.Errorf("a failed gate submitted %d proposal(s)", len(after.Proposals)-len(before.Proposals))
	}
	r = mustRun(t, ExitRefused, "rollout", "status", rel)
	if !strings.Contains(r.Stdout, "state: failed") || !strings.Contains(r.Stdout, "✗ uzr34") {
		t.Errorf("status does not show the failure:\n%s", r.Stdout)
	}
	mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes")
	if got := gateEvents(t, rel, "failed its"); got != 1 {
		t.Errorf("the gate failure is audited %d times, want once", got)
	}
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Clear: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "rollout", "status", rel)
	mustRun(t, 0, "rollout", "status", rel)
	if got := gateEvents(t, rel, "no longer fails"); got != 1 {
		t.Errorf("the recovery is audited %d times, want once", got)
	}
}

// gateEvents counts the ledger's gate events whose detail contains s.
func gateEvents(t *testing.T, rel, s string) int {
	t.Helper()
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range l.Audit {
		if e.Action == "gate" && strings.Contains(e.Detail, s) {
			n++
		}
	}
	return n
}

// TestRolloutPlanRejectsBadPlanFile lists every problem of a plan file
// and exits 3.
func TestRolloutPlanRejectsBadPlanFile(t *testing.T) {
	releaseNet(t)
	rel, _, _ := newTestRelease(t)
	plan := t.TempDir() + "/plan.yaml"
	writeFile(t, plan, `version: `+patchVersion+`
bake: 15m
batches:
  - batch: 1
    start: 2026-11-23T09:00:00Z
    subnets: [tdb26, nosuch]
  - batch: 2
    start: 2026-11-23T11:00:00Z
    subnets: [uzr34, uzr34]
unassigned_nodes: 2026-11-23T13:00:00Z
`)
	r := mustRun(t, ExitDraftInvalid, "rollout", "plan", rel, "--file", plan)
	for _, want := range []string{"must be in the last batch", `unknown subnet "nosuch"`, "is already in batches[1]", "is in no batch"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
		}
	}
}

// TestReleaseStatusRender shows the tally and the next steps of
// a rejected election and exits 9.
func TestReleaseStatusRender(t *testing.T) {
	st := &rollout.Status{Version: patchVersion, Mode: "security", State: rollout.RolloutElectFailed,
		Now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
		Election: rollout.ElectionStatus{Proposal: 7, Status: "rejected",
			Tally: governance.Tally{Yes: 10, No: 60, Total: 100},
			Next:  "the election was rejected (yes 10.0%, no 60.0%): resubmit with `nnspatch release submit <release>` (with --redraft FILE to replace the draft first), or give up with `nnspatch release abandon <release> --reason TEXT`"},
		Blockers: []string{"election proposal 7 rejected: resubmit or abandon the release"}, Quiet: rollout.QuietStatus{Days: 10}}
	var b strings.Builder
	withRef(st, "releases/"+patchVersion)
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	releaseGolden(t, "release_status_rejected", b.String())
	if err := statusExit(st); err == nil {
		t.Error("a failed election exits 0")
	}
}

// TestRolloutStatusRender pins the text rendering of a rollout in progress.
func TestRolloutStatusRender(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	st := &rollout.Status{Version: patchVersion, Mode: "security", State: rollout.RolloutUpgrading, Now: at.Add(3 * time.Hour),
		Election: rollout.ElectionStatus{Proposal: 1, Status: "executed", Tally: governance.Tally{Yes: 61, Total: 100}},
		Batches: []rollout.BatchStatus{
			{Batch: 1, Start: at, State: rollout.StateComplete, Subnets: []rollout.SubnetStatus{
				{Subnet: rollout.SigningSubnet, State: rollout.StateComplete, Detail: "running 5a1e8f0c3d, healthy", Proposal: 2}}},
			{Batch: 2, Start: at.Add(2 * time.Hour), State: rollout.StateBaking, Subnets: []rollout.SubnetStatus{
				{Subnet: "hg3fv-jywse", State: rollout.StateBaking, Detail: "healthy for 10m0s of 30m0s", Proposal: 3,
					Checks: []health.Check{{Name: "version", OK: true}}},
				{Subnet: "hx5k6-7lkdj", State: rollout.StateUpgrading, Detail: "6 of 13 replicas run 5a1e8f0c3d", Proposal: 4}}},
			{Batch: 3, Start: at.Add(4 * time.Hour), State: rollout.StatePending, Subnets: []rollout.SubnetStatus{
				{Subnet: rollout.NNSSubnet, State: rollout.StatePending, Detail: "no deploy proposal yet"}}},
		},
		UnassignedStart: at.Add(6 * time.Hour),
		Unassigned:      rollout.SubnetStatus{Subnet: "unassigned", State: rollout.StatePending, Detail: "no deploy proposal yet"},
		Next:            &rollout.NextBatch{Batch: 3, At: at.Add(4 * time.Hour), In: time.Hour},
		Blockers:        []string{"batch 2 is baking: subnet hg3fv healthy for 10m0s of 30m0s"},
		Quiet:           rollout.QuietStatus{Days: 10}}
	var b strings.Builder
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	releaseGolden(t, "rollout_status_upgrading", b.String())
}

// TestReleaseLogRender pins the audit trail table; control bytes and line
// breaks are printed escaped, so a detail cannot forge a line.
func TestReleaseLogRender(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := writeAudit(&b, []rollout.Event{
		{At: at, Principal: "2zedg-yvbwk-2bo4m-d3ypt-mzc2f-pgy7g-5k4pl-bmthb-yrwbl-xfkkv-jqe", Action: "submit", Detail: "submitted elect as proposal 1", Proposal: 1},
		{At: at.Add(time.Hour), Principal: "local-user:ops", Action: "force", Detail: "disclosed before the quiet period ended: \x1b[31mexploit public"},
		{At: at.Add(2 * time.Hour), Principal: "local-user:ops", Action: "abandon", Detail: "given up\n2026-11-23 12:00:00  2zedg…  disclose  -  source disclosed"},
	})
	if err != nil {
		t.Fatal(err)
	}
	releaseGolden(t, "release_log", b.String())
}

// releaseGolden compares got with testdata/<name>.golden, rewriting it
// under -update.
func releaseGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func TestNewCmdRolloutFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o *releaseRefOptions)
	}{
		{"status watch", []string{"status", "v1", "--watch", "--interval", "5s"}, "", func(t *testing.T, o *releaseRefOptions) {
			if diff := cmp.Diff([]any{"v1", true, 5 * time.Second}, []any{o.Ref, o.Watch, o.Interval}); diff != "" {
				t.Error(diff)
			}
		}},
		{"interval without watch", []string{"status", "v1", "--interval", "5s"}, "--interval needs --watch", nil},
		{"no release", []string{"advance"}, "needs a release", nil},
		{"prometheus flags", []string{"advance", "v1", "--prometheus", "http://127.0.0.1:9090", "--alert-window", "1m", "--neuron", "7"}, "", func(t *testing.T, o *releaseRefOptions) {
			if o.Prometheus != "http://127.0.0.1:9090" || o.Window != time.Minute || o.Neuron != 7 {
				t.Errorf("%+v", o.releaseEnv)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateConfig(t)
			ios, _, _, _ := TestStreams()
			f := NewFactory(ios)
			var got *releaseRefOptions
			runF := func(o *releaseRefOptions) error { got = o; return nil }
			root := newCmdRollout(f)
			root.RemoveCommand(root.Commands()...)
			root.AddCommand(newCmdRolloutStatus(f, runF), newCmdRolloutAdvance(f, runF))
			root.SetArgs(tt.args)
			root.SetOut(ios.Out)
			root.SetErr(ios.ErrOut)
			err := root.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}

// TestReleaseFailedElectionAndAbandon records an election that failed to
// execute (it unelects a version in use, submitted past the preflight):
// `release status` shows the failure reason and the next steps and exits
// 9, `release abandon` is recorded and advancing is refused afterwards.
func TestReleaseFailedElectionAndAbandon(t *testing.T) {
	n := releaseNet(t)
	rel, _, election := newTestRelease(t)
	mustRun(t, 0, "release", "vote", rel, "--vote", "yes", "--neuron", "81", "--yes")

	ctx := context.Background()
	c := governancetest.DevClient(t, n)
	inUse := n.Topology().Subnets[0].Version
	d, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: "0123456789abcdef0123456789abcdef01234567",
		SHA256: strings.Repeat("ab", 32), Unelect: []string{inUse}, MeasurementsWaiver: "test"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := d.Request()
	if err != nil {
		t.Fatal(err)
	}
	failed, err := c.MakeProposal(ctx, 80, req)
	if err != nil {
		t.Fatal(err)
	}
	_, payload, err := d.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (rollout.Store{Dir: rel}).Update(ctx, func(l *rollout.Ledger) error {
		for i := range l.Proposals {
			if l.Proposals[i].ID == election {
				// point the record at the failed election, payload hash
				// and all (a mismatch alone is refused)
				l.Proposals[i].ID, l.Proposals[i].PayloadSHA256 = failed, governance.Action{Payload: payload}.PayloadSHA256()
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	r := mustRun(t, ExitRefused, "release", "status", rel)
	for _, want := range []string{"Election: failed", "reason:", "currently deployed", "nnspatch release submit " + rel + " --redraft FILE", "nnspatch release abandon " + rel + " --reason"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("release status lacks %q:\n%s", want, r.Stdout)
		}
	}
	mustRun(t, 0, "release", "abandon", rel, "--reason", "election failed; superseded", "--yes")
	r = mustRun(t, ExitRefused, "rollout", "advance", rel, "--yes")
	if !strings.Contains(r.Stderr, "abandoned") {
		t.Errorf("advance after abandon: %s", r.Stderr)
	}
	if r := mustRun(t, 0, "rollout", "status", rel, "--watch", "--interval", "10ms"); !strings.Contains(r.Stdout, "state: abandoned") {
		t.Errorf("watch on an abandoned release:\n%s", r.Stdout)
	}
	log := mustRun(t, 0, "release", "log", rel).Stdout
	for _, want := range []string{"vote ", "neuron 81 voted yes", "abandon ", "election failed; superseded"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestReleaseNewDefaultDir creates ./releases/<version>/ offline, refuses
// an invalid draft without creating anything, and refuses a second create.
func TestReleaseNewDefaultDir(t *testing.T) {
	isolateConfig(t)
	t.Chdir(t.TempDir())
	sha := strings.Repeat("ab", 32)
	args := []string{"release", "new", "--security", "--version", patchVersion, "--sha256", sha, "--measurements-waiver", "lab build", "--no-forum-url"}
	r := mustRun(t, ExitDraftInvalid, append(args, "--title", "Fix the exploit in the sandbox")...)
	if fileExists(filepath.Join("releases", patchVersion)) {
		t.Fatalf("an invalid draft created the release:\n%s", r.Stderr)
	}
	mustRun(t, ExitUsage, append(args, "--quiet-days", "0")...)
	r = mustRun(t, 0, append(args, "--quiet-days", "14")...)
	if got := strings.TrimSpace(r.Stdout); got != filepath.Join("releases", patchVersion) {
		t.Errorf("printed %q", got)
	}
	l, err := rollout.Store{Dir: filepath.Join("releases", patchVersion)}.Read()
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != patchVersion || l.Mode != "security" || l.Artifact.SHA256 != sha || len(l.Audit) != 1 || l.Audit[0].Action != "draft" || l.QuietPeriod.Days != 14 {
		t.Errorf("ledger %+v", l)
	}
	if !fileExists(filepath.Join("releases", patchVersion, rollout.ElectionDraftFile)) {
		t.Error("no election draft")
	}
	r = mustRun(t, ExitError, args...)
	if !strings.Contains(r.Stderr, "release already exists") {
		t.Errorf("second create: %s", r.Stderr)
	}
}

// TestRolloutAdvanceMainnetNeedsRisk refuses to submit to mainnet without
// --accept-risk=mainnet, before any network call.
func TestRolloutAdvanceMainnetNeedsRisk(t *testing.T) {
	isolateConfig(t)
	t.Setenv("NNSPATCH_IDENTITY", writeTestKey(t))
	r := mustRun(t, ExitUsage, "rollout", "advance", t.TempDir(), "--network", "ic", "--neuron", "80", "--yes")
	if !strings.Contains(r.Stderr, "--accept-risk=mainnet") {
		t.Errorf("stderr: %s", r.Stderr)
	}
}

// writeTestKey writes a plaintext Ed25519 PEM key and returns its path.
func writeTestKey(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.pem")
	writeFile(t, path, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGc1hOxz2TL0q5cgJ0Q9n3cxxcNbJd3SMnSpk7jW1QBQ\n-----END PRIVATE KEY-----\n")
	return path
}

// TestRolloutPlanRender pins the plan as `rollout plan` prints it.
func TestRolloutPlanRender(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p := &rollout.Plan{Version: patchVersion, Bake: rollout.Duration(30 * time.Minute), UnassignedNodes: at.Add(4 * time.Hour),
		Batches: []rollout.Batch{
			{Batch: 1, Start: at, Subnets: []string{rollout.SigningSubnet, "hg3fv-jywse"}},
			{Batch: 2, Start: at.Add(2 * time.Hour), Subnets: []string{rollout.NNSSubnet}},
		}}
	var b strings.Builder
	if err := writePlan(&b, p); err != nil {
		t.Fatal(err)
	}
	releaseGolden(t, "rollout_plan", b.String())
}
