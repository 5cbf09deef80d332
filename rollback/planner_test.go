package rollback

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

var planTime = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func securityPlan(t *testing.T) *Plan {
	t.Helper()
	_, reg, h := scenario(t, true)
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h,
		Failing: []string{subC}, Halt: true, Now: planTime,
		Problem: "subnet " + subC + " stopped finalizing blocks 12 minutes after its GuestOS update"})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return p
}

func TestBuildOrdersStepsAndReelects(t *testing.T) {
	p := securityPlan(t)
	var got []string
	for _, s := range p.Steps {
		got = append(got, string(s.Kind)+":"+short(s.Subnet)+":"+short(s.Version))
	}
	want := []string{"halt::", "reelect::11111111", "deploy:pzp6e-ek:11111111", "deploy:uzr34-ak:22222222",
		"deploy:tdb26-jo:22222222", "unassigned::22222222"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("steps = %v\nwant    %v", got, want)
	}
	re := p.Steps[1].Draft.ElectGuestOS
	if *re.ReleasePackageSHA256Hex != sumOld || re.GuestLaunchMeasurements == nil || len(re.ReleasePackageURLs) != 1 {
		t.Fatalf("re-election payload = %+v", re)
	}
	if p.Steps[2].Precondition.Kind != CondElected || p.Steps[2].Expect.Kind != CondSubnetRuns {
		t.Fatalf("deploy conditions = %+v / %+v", p.Steps[2].Precondition, p.Steps[2].Expect)
	}
}

func TestBuildSecurityTextsLeakNothing(t *testing.T) {
	p := securityPlan(t)
	for _, s := range p.Steps {
		if s.Draft == nil {
			continue
		}
		for _, txt := range []string{s.Draft.Title, s.Draft.Summary} {
			if strings.Contains(txt, vPatch) || strings.Contains(txt, short(vPatch)) {
				t.Errorf("step %d names the patch: %q", s.N, txt)
			}
		}
		if !strings.Contains(s.Draft.Summary, "What failed: subnet "+subC+" stopped finalizing") {
			t.Errorf("step %d summary does not say what failed:\n%s", s.N, s.Draft.Summary)
		}
	}
}

func TestBuildRefusesLeakyProblem(t *testing.T) {
	_, reg, h := scenario(t, false)
	_, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h,
		Problem: "the fix for the buffer overflow crashed the subnet"})
	if !errors.Is(err, proposals.ErrDraftInvalid) {
		t.Fatalf("Build with a deny-listed word = %v; want ErrDraftInvalid", err)
	}
}

func TestBuildRegularModeNamesThePatch(t *testing.T) {
	_, reg, h := scenario(t, false)
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeRegular, Registry: reg, History: h, Failing: []string{subB}, Now: planTime})
	if err != nil {
		t.Fatal(err)
	}
	if p.Steps[0].Kind != StepDeploy || p.Steps[0].Subnet != subB || p.Steps[1].Subnet != subA || p.Steps[2].Subnet != subC {
		t.Fatalf("first steps = %+v, %+v", p.Steps[0], p.Steps[1])
	}
	if !strings.Contains(p.Steps[0].Draft.Summary, vPatch) {
		t.Fatalf("regular-mode summary does not name the patch:\n%s", p.Steps[0].Draft.Summary)
	}
}

func TestBuildTemplatesOverride(t *testing.T) {
	_, reg, h := scenario(t, false)
	tpl := Templates{TplDeployTitle: "Return {{.Subnet}} to {{.Short}}"}
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Templates: tpl, Subnets: []string{subA}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || p.Steps[0].Draft.Title != "Return "+subA+" to 22222222" {
		t.Fatalf("steps = %+v", p.Steps)
	}
}

func TestBuildErrors(t *testing.T) {
	_, reg, h := scenario(t, true)
	cases := map[string]struct {
		in   Input
		want error
	}{
		"nothing runs it":   {Input{Release: vMid, Registry: reg, History: h}, ErrNothingToRollBack},
		"no earlier record": {Input{Release: vPatch, Registry: reg, History: &History{Keys: map[string][]Change{}}}, ErrNoTarget},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Build(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("Build = %v; want %v", err, tc.want)
			}
		})
	}
	t.Run("subnet not on the release", func(t *testing.T) {
		_, err := Build(Input{Release: vPatch, Registry: reg, History: h, Subnets: []string{"aaaaa-aa"}})
		if err == nil || !strings.Contains(err.Error(), "does not run") {
			t.Fatalf("Build = %v", err)
		}
	})
	t.Run("unelected target without record", func(t *testing.T) {
		h2 := &History{Keys: map[string][]Change{}}
		for k, v := range h.Keys {
			if k != prefixReplica+vOld {
				h2.Keys[k] = v
			}
		}
		if _, err := Build(Input{Release: vPatch, Registry: reg, History: h2}); !errors.Is(err, ErrNoTarget) {
			t.Fatalf("Build = %v; want ErrNoTarget", err)
		}
	})
}

func TestRenderPlan(t *testing.T) {
	_, reg, h := scenario(t, false)
	regular, err := Build(Input{Release: vPatch, Mode: proposals.ModeRegular, Registry: reg, History: h, Failing: []string{subA}, Now: planTime})
	if err != nil {
		t.Fatal(err)
	}
	plans := map[string]*Plan{"security_reelect": securityPlan(t), "regular": regular}
	renderers := map[string]func(*bytes.Buffer, *Plan) error{
		"txt":  func(b *bytes.Buffer, p *Plan) error { return RenderText(b, p) },
		"md":   func(b *bytes.Buffer, p *Plan) error { return RenderMarkdown(b, p) },
		"json": func(b *bytes.Buffer, p *Plan) error { return RenderJSON(b, p) },
	}
	for name, p := range plans {
		for ext, r := range renderers {
			var b bytes.Buffer
			if err := r(&b, p); err != nil {
				t.Fatal(err)
			}
			golden(t, name+"_"+ext, b.Bytes())
		}
	}
}

func TestPlanJSONRoundTrip(t *testing.T) {
	p := securityPlan(t)
	var b bytes.Buffer
	if err := RenderJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	back, err := DecodePlan(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range back.Steps {
		if s.Draft == nil {
			continue
		}
		a, _ := s.Draft.Request()
		w, _ := p.Steps[i].Draft.Request()
		if a.Action.ExecuteNnsFunction == nil || !bytes.Equal(a.Action.ExecuteNnsFunction.Payload, w.Action.ExecuteNnsFunction.Payload) {
			t.Fatalf("step %d payload changed through JSON", s.N)
		}
	}
}

func TestBuildToOverridesEveryTarget(t *testing.T) {
	_, reg, h := scenario(t, true)
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, To: vMid})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Steps {
		if s.Kind == StepReelect || s.Version != vMid {
			t.Fatalf("step %+v does not restore %s", s, vMid)
		}
	}
	if u, ok := p.Unassigned(); !ok || u.Restore != vMid || p.Steps[len(p.Steps)-1].Kind != StepUnassigned {
		t.Fatalf("unassigned target = %+v, %v", u, ok)
	}
}

func TestConditionHolds(t *testing.T) {
	_, reg, _ := scenario(t, true)
	w := World{Registry: reg}
	cases := []struct {
		c    Condition
		want bool
	}{
		{Condition{Kind: CondNone}, true},
		{Condition{Kind: CondHalted}, false},
		{Condition{Kind: CondElected, Version: vMid}, true},
		{Condition{Kind: CondElected, Version: vOld}, false},
		{Condition{Kind: CondNotElected, Version: vOld}, true},
		{Condition{Kind: CondSubnetRuns, Subnet: subA, Version: vPatch}, true},
		{Condition{Kind: CondSubnetRuns, Subnet: subA, Version: vMid}, false},
		{Condition{Kind: CondUnassignedRun, Version: vPatch}, true},
		{Condition{Kind: "bogus"}, false},
	}
	for _, tc := range cases {
		if got := tc.c.Holds(w); got != tc.want {
			t.Errorf("%+v holds = %v; want %v", tc.c, got, tc.want)
		}
	}
}

func TestBuildRefusesBadOverrides(t *testing.T) {
	_, reg, h := scenario(t, false)
	_, err := Build(Input{Release: vPatch, Registry: reg, History: h, To: vPatch})
	if !errors.Is(err, ErrNoTarget) || !strings.Contains(err.Error(), "the release being rolled back") {
		t.Fatalf("Build --to the release = %v", err)
	}
	never := "4444444444444444444444444444444444444444"
	_, err = Build(Input{Release: vPatch, Registry: reg, History: h, To: never})
	if !errors.Is(err, ErrNoTarget) || !strings.Contains(err.Error(), "GuestOS "+never+", was never elected") {
		t.Fatalf("Build --to a never-elected version = %v", err)
	}
	if err := CheckFailing(reg, vPatch, []string{subA, subC}); err != nil {
		t.Fatalf("CheckFailing on subnets that run the release: %v", err)
	}
	reg.Subnets[1].GuestOSVersion = vMid
	if err := CheckFailing(reg, vPatch, []string{subA, subB}); err == nil || !strings.Contains(err.Error(), "failing subnet "+subB+" runs GuestOS "+vMid) {
		t.Fatalf("CheckFailing on a subnet off the release = %v", err)
	}
	if err := CheckFailing(reg, vPatch, []string{"aaaaa-aa"}); err == nil || !strings.Contains(err.Error(), "not in the registry") {
		t.Fatalf("CheckFailing on an unknown subnet = %v", err)
	}
}

// TestPlanRollsBackAPIBoundaryNodes: API boundary nodes on the release
// get a DeployGuestosToSomeApiBoundaryNodes (47) step back to the version
// each ran before; nodes not on the release are left alone; a plan limited
// to some subnets names them with how to include them.
func TestPlanRollsBackAPIBoundaryNodes(t *testing.T) {
	const bnOne, bnTwo = "rwlgt-iiaaa-aaaaa-aaaaa-cai", "ryjl3-tyaaa-aaaaa-aaaba-cai"
	f, reg, _ := scenario(t, false)
	f.apiBoundary(bnOne, vMid)
	f.apiBoundary(bnTwo, vMid)
	f.apiBoundary(bnOne, vPatch)
	h, err := ReadHistory(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	reg.APIBoundaryNodes = []governance.APIBoundaryNode{{ID: bnOne, Version: vPatch}, {ID: bnTwo, Version: vMid}}
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Now: planTime})
	if err != nil {
		t.Fatal(err)
	}
	last := p.Steps[len(p.Steps)-1]
	if last.Kind != StepAPIBoundary || last.Version != vMid || !slices.Equal(last.Nodes, []string{bnOne}) || last.Draft == nil ||
		last.Draft.Kind != proposals.KindDeployAPIBoundaryNodes || last.Draft.DeployAPIBoundaryNodes.Version != vMid {
		t.Fatalf("last step %+v, want a function-47 rollback of bn-one to %s", last, vMid)
	}
	if strings.Contains(last.Draft.Title+last.Draft.Summary, vPatch) {
		t.Errorf("security-mode texts name the patch:\n%s\n%s", last.Draft.Title, last.Draft.Summary)
	}
	w := World{Registry: reg}
	if last.Expect.Holds(w) {
		t.Fatal("expectation holds before the rollback")
	}
	reg.APIBoundaryNodes[0].Version = vMid
	if !last.Expect.Holds(w) {
		t.Fatal("expectation does not hold after the rollback")
	}
	reg.APIBoundaryNodes[0].Version = vPatch
	if len(p.Notes) != 0 {
		t.Errorf("notes = %q", p.Notes)
	}
	var txt bytes.Buffer
	if err := RenderText(&txt, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "roll 1 API boundary node(s) back to") || strings.Contains(txt.String(), "ic-admin") {
		t.Fatalf("text rendering:\n%s", txt.String())
	}
	if _, ok := p.Unassigned(); !ok {
		t.Error("Unassigned() lost the unassigned nodes target")
	}

	limited, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Now: planTime, Subnets: []string{subA}})
	if err != nil {
		t.Fatal(err)
	}
	if len(limited.Notes) != 1 || !strings.Contains(limited.Notes[0], "pass --api-boundary-nodes") || !strings.HasSuffix(limited.Notes[0], ": "+bnOne) {
		t.Fatalf("notes of a plan limited to %s = %q", subA, limited.Notes)
	}
	with, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Now: planTime, Subnets: []string{subA}, APIBoundary: true})
	if err != nil || with.Steps[len(with.Steps)-1].Kind != StepAPIBoundary || len(with.Notes) != 0 {
		t.Fatalf("with APIBoundary: %v %+v %q", err, with, with.Notes)
	}
}

// TestPlanNamesPendingDeploys: a deploy of the release that is not
// executed yet is named with what to do, since the halt does not stop it.
func TestPlanNamesPendingDeploys(t *testing.T) {
	_, reg, h := scenario(t, false)
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Now: planTime,
		Pending: []PendingDeploy{{Subnet: "qdvhd-os4o2-zzrdw-xrcv4-gljou-eztdp-bj326-e6jgr-tkhuc-ql6v2-yqe", Proposal: 42}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Notes) != 1 || !strings.HasPrefix(p.Notes[0], "subnet qdvhd-os4o2-zzrdw-xrcv4-gljou-eztdp-bj326-e6jgr-tkhuc-ql6v2-yqe: deploy proposal 42 of GuestOS "+vPatch+" is not executed yet") {
		t.Fatalf("notes = %q", p.Notes)
	}
}

func TestBuildRefusesBadTemplates(t *testing.T) {
	_, reg, h := scenario(t, false)
	cases := map[string]struct {
		tpl  Templates
		want string
	}{
		"misspelt name": {Templates{"rollback.deploy.titel": "x"}, `rollback template "rollback.deploy.titel": no such template; override one of rollback.api-boundary-nodes.summary, rollback.api-boundary-nodes.title, rollback.deploy.summary, rollback.deploy.title`},
		"bad syntax":    {Templates{TplDeployTitle: "{{.Subnet"}, "rollback template rollback.deploy.title:"},
		// Security mode: a template naming the patch is refused by the
		// security policy, not proposed.
		"names the patch": {Templates{TplDeployTitle: "Undo {{.Failed}} on {{.Subnet}}"}, "plan rollback: draft"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Templates: tc.tpl})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v; want %q", err, tc.want)
			}
		})
	}
}

// TestBuildKeepsTheFailingSubnetFirst: a re-election another subnet needs
// does not go before the failing subnet's deploy.
func TestBuildKeepsTheFailingSubnetFirst(t *testing.T) {
	_, reg, h := scenario(t, true)
	p, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Failing: []string{subB}, Now: planTime})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, string(s.Kind)+":"+short(s.Subnet)+":"+short(s.Version))
	}
	want := []string{"deploy:uzr34-ak:22222222", "deploy:tdb26-jo:22222222", "reelect::11111111", "deploy:pzp6e-ek:11111111", "unassigned::22222222"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("steps = %v\nwant    %v", got, want)
	}
}

// TestBuildRefusesAStalledNNSSubnet: with the NNS subnet among the stalled
// subnets, Build plans no proposal and says a subnet recovery is needed,
// naming the other failing subnets for afterwards; an NNS subnet that is
// failing but still finalizing is planned as usual.
func TestBuildRefusesAStalledNNSSubnet(t *testing.T) {
	_, reg, h := scenario(t, false)
	nns := reg.Subnets[0].ID
	in := Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, NNSSubnet: nns,
		Failing: []string{nns, subB}, Stalled: []string{nns}}
	_, err := Build(in)
	var rn *RecoveryNeededError
	if !errors.As(err, &rn) || !errors.Is(err, ErrRecoveryNeeded) || rn.Subnet != nns || len(rn.Others) != 1 || rn.Others[0] != subB {
		t.Fatalf("Build = %v (%+v); want a RecoveryNeededError for %s naming %s", err, rn, nns, subB)
	}
	in.Stalled = nil
	if _, err := Build(in); errors.Is(err, ErrRecoveryNeeded) {
		t.Fatalf("a finalizing NNS subnet needs no recovery: %v", err)
	}
}

// A security-mode problem text naming the patch's commit, in full or
// abbreviated, is refused; the same words without it are planned.
func TestBuildRefusesProblemNamingThePatch(t *testing.T) {
	_, reg, h := scenario(t, false)
	for _, named := range []string{vPatch, vPatch[:10], strings.ToUpper(vPatch[:8])} {
		_, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Failing: []string{subB},
			Problem: "3 of 4 replicas run " + named + " after the update"})
		if !errors.Is(err, proposals.ErrDraftInvalid) || !strings.Contains(err.Error(), "names the patch's commit") {
			t.Errorf("problem naming %q: %v; want a refusal", named, err)
		}
	}
	if _, err := Build(Input{Release: vPatch, Mode: proposals.ModeSecurity, Registry: reg, History: h, Failing: []string{subB},
		Problem: Unversioned("3 of 4 replicas run "+vPatch[:10]+" after the update", vPatch)}); err != nil {
		t.Fatalf("the problem without the commit: %v", err)
	}
}

// The problem derived from a failed gate never carries the patch's commit
// that the gate's detail names.
func TestFailingSubnetsProblemDropsTheCommit(t *testing.T) {
	st := &rollout.Status{Version: vPatch, Batches: []rollout.BatchStatus{{Subnets: []rollout.SubnetStatus{
		{Subnet: subB, State: rollout.StateFailed, FailedCheck: "node_up", Detail: "down on " + vPatch[:10] + ": node-a"}}}}}
	failed, problem := FailingSubnets(st, "")
	if len(failed) != 1 || strings.Contains(problem, vPatch[:7]) || !strings.Contains(problem, "down on the patch: node-a") {
		t.Fatalf("failing %v, problem %q", failed, problem)
	}
}
