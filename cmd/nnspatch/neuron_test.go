package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// neuronFixtures are neurons as governance sends them: a full locked neuron
// with followees, the same refreshed long ago (decaying), and a public
// dissolving known neuron whose name tries to smuggle an escape.
func neuronFixtures(t *testing.T) (full, decaying, public governance.Neuron, now time.Time) {
	t.Helper()
	now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	refreshed, vp, potential := uint64(now.Add(-30*24*time.Hour).Unix()), uint64(80_000_000_000_000), uint64(80_000_000_000_000)
	info := govdid.NeuronInfo{DissolveDelaySeconds: 252_460_800, CreatedTimestampSeconds: uint64(now.Add(-400 * 24 * time.Hour).Unix()),
		State: 1, StakeE8s: 40_000_000_000_000, RetrievedAtTimestampSeconds: uint64(now.Unix()), AgeSeconds: 400 * 86400,
		VotingPower: vp, VotingPowerRefreshedTimestampSeconds: &refreshed, DecidingVotingPower: &vp, PotentialVotingPower: &potential}
	ctl := governance.GovernanceCanister
	dd := uint64(252_460_800)
	fn := &govdid.Neuron{Id: &govdid.NeuronId{Id: 80}, Controller: &ctl, HotKeys: []principal.Principal{governance.RegistryCanister},
		DissolveState: &govdid.DissolveState{DissolveDelaySeconds: &dd}}
	fn.Followees = append(fn.Followees, followeeEntry(13, 27, 28), followeeEntry(0, 27), followeeEntry(12, 27))
	full = governance.NeuronFromInfo(80, info, fn)

	old, half := uint64(now.Add(-(6*2_629_800+2_629_800/2)*time.Second).Unix()), vp/2
	info.VotingPowerRefreshedTimestampSeconds, info.DecidingVotingPower, info.VotingPower = &old, &half, half
	decaying = governance.NeuronFromInfo(80, info, fn)

	known := govdid.KnownNeuronData{Name: "DFINITY\x1b[2J Foundation"}
	pubInfo := info
	pubInfo.State, pubInfo.AgeSeconds, pubInfo.DissolveDelaySeconds, pubInfo.KnownNeuronData = 2, 0, 86400*100, &known
	public = governance.NeuronFromInfo(27, pubInfo, nil)
	return full, decaying, public, now
}

func followeeEntry(topic int32, ids ...uint64) struct {
	Field0 int32            `ic:"0,tuple" json:"0"`
	Field1 govdid.Followees `ic:"1,tuple" json:"1"`
} {
	e := struct {
		Field0 int32            `ic:"0,tuple" json:"0"`
		Field1 govdid.Followees `ic:"1,tuple" json:"1"`
	}{Field0: topic}
	for _, id := range ids {
		e.Field1.Followees = append(e.Field1.Followees, govdid.NeuronId{Id: id})
	}
	return e
}

func TestNeuronRender(t *testing.T) {
	full, decaying, public, now := neuronFixtures(t)
	econ := governance.DefaultVotingPowerEconomics
	for _, c := range []struct {
		name string
		n    governance.Neuron
	}{{"full_current", full}, {"full_decaying", decaying}, {"public_dissolving", public}} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeNeuron(&buf, c.n, econ.RefreshOf(c.n, now), now); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsRune(buf.String(), 0x1b) {
				t.Fatal("escape sequence reached the output")
			}
			golden(t, buf.String())
		})
	}
	t.Run("table", func(t *testing.T) {
		var buf bytes.Buffer
		if err := writeNeuronTable(&buf, []governance.Neuron{full, decaying, public}, econ, now); err != nil {
			t.Fatal(err)
		}
		golden(t, buf.String())
	})
}

// neuronJSON runs `neuron show ID --json` and decodes it, checking the
// envelope and that enums are names.
func neuronJSON(t *testing.T, flags []string, id string) (jsonout.NeuronShow, string) {
	t.Helper()
	r := run(t, flags, "neuron", "show", id, "--json")
	var doc jsonout.NeuronShow
	if err := json.Unmarshal([]byte(r.Stdout), &doc); r.Code != ExitOK || err != nil {
		t.Fatalf("neuron show %s --json: %d %v\n%s%s", id, r.Code, err, r.Stdout, r.Stderr)
	}
	if doc.SchemaVersion != 1 {
		t.Errorf("schema_version = %d", doc.SchemaVersion)
	}
	return doc, r.Stdout
}

// TestNeuronListAndShow lists the developer's neurons and shows them and a
// foreign known neuron through the local network.
func TestNeuronListAndShow(t *testing.T) {
	n, flags := cliNet(t)
	r := run(t, flags, "neuron", "list", "--json")
	var list jsonout.NeuronList
	if err := json.Unmarshal([]byte(r.Stdout), &list); r.Code != ExitOK || err != nil {
		t.Fatalf("neuron list --json: %d %v\n%s%s", r.Code, err, r.Stdout, r.Stderr)
	}
	if len(list.Neurons) != 2 || list.Neurons[0].ID != 80 || list.Neurons[1].ID != 81 || list.SchemaVersion != 1 {
		t.Fatalf("the developer's neurons: %+v", list.Neurons)
	}
	for _, nr := range list.Neurons {
		want, _ := n.Governance().Neuron(nr.ID, nr.RetrievedAt)
		if !nr.Full || nr.State != governance.NeuronNotDissolving || nr.DecidingVotingPower != *want.DecidingVotingPower ||
			nr.DecidingVotingPower <= nr.StakeE8s || nr.VotingPowerRefresh.State != governance.RefreshCurrent {
			t.Errorf("neuron %d: %+v, governance says deciding %d", nr.ID, nr, *want.DecidingVotingPower)
		}
	}
	for _, enc := range []string{`"state": "not_dissolving"`, `"state": "current"`, `"decay_starts"`} {
		if !strings.Contains(r.Stdout, enc) {
			t.Errorf("neuron list --json lacks %s:\n%s", enc, r.Stdout)
		}
	}
	r = run(t, flags, "neuron", "list")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "VOTING POWER") || !strings.Contains(r.Stdout, "DRE proposer") {
		t.Errorf("neuron list:\n%s%s", r.Stdout, r.Stderr)
	}

	// Known neurons are public: governance sends their full record.
	doc, raw := neuronJSON(t, flags, "27")
	if f := doc.Neuron.Followees; !doc.Neuron.Full || len(f) != 2 || f[0].Topic != 12 || f[0].Followees[0] != 80 || doc.Neuron.KnownName != "DFINITY Foundation" {
		t.Errorf("public known neuron 27: %s", raw)
	}
	if dev := list.Neurons[0].Controller; dev == "" || doc.Neuron.Controls(dev) {
		t.Errorf("the developer controls neuron 27: %s", raw)
	}
	r = run(t, flags, "neuron", "show", "80")
	for _, want := range []string{"Neuron 80 (DRE proposer (developer))", "Stake:           400000 ICP", "locked (not dissolving)",
		"Dissolve delay:  2922 days (8.00 years)", "Voting power:    ", "full voting power until"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("neuron show 80 lacks %q:\n%s", want, r.Stdout)
		}
	}
	r = run(t, flags, "neuron", "show", "999")
	if r.Code != ExitError || !strings.Contains(hintLine(t, r.Stderr), "neuron list") {
		t.Errorf("unknown neuron: %d\n%s", r.Code, r.Stderr)
	}
}

// TestNeuronFollow sets, changes and clears following through manage_neuron
// Follow and SetFollowing, refuses a foreign neuron and changes nothing
// without confirmation.
func TestNeuronFollow(t *testing.T) {
	_, flags := cliNet(t)
	r := run(t, flags, "neuron", "follow", "--neuron", "81", "--topic", "13", "--followee", "80")
	if r.Code != ExitUsage {
		t.Errorf("without --yes: %d\n%s", r.Code, r.Stderr)
	}
	if doc, _ := neuronJSON(t, flags, "81"); len(doc.Neuron.Followees) != 0 {
		t.Fatalf("following changed without confirmation: %+v", doc.Neuron.Followees)
	}
	r = run(t, flags, "neuron", "follow", "--neuron", "81", "--topic", "ic-os-version-election", "--topic", "12", "--followee", "80,27", "--yes", "--json")
	var upd jsonout.NeuronUpdate
	if err := json.Unmarshal([]byte(r.Stdout), &upd); r.Code != ExitOK || err != nil || len(upd.Results) != 1 || upd.Results[0].Outcome != "done" {
		t.Fatalf("follow two topics: %d %v\n%s%s", r.Code, err, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "neuron 81, IcOsVersionElection (13): followees none → 80, 27") {
		t.Errorf("confirmation text:\n%s", r.Stderr)
	}
	doc, raw := neuronJSON(t, flags, "81")
	if f := doc.Neuron.Followees; len(f) != 2 || f[0].Topic != 12 || f[1].Topic != 13 || len(f[1].Followees) != 2 {
		t.Errorf("followees after follow: %+v", f)
	}
	if !strings.Contains(raw, `"topic": "IcOsVersionElection"`) {
		t.Errorf("topic is not a name in JSON:\n%s", raw)
	}
	r = run(t, flags, "neuron", "follow", "--neuron", "81", "--topic", "12", "--clear", "--yes")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "✓ neuron 81: followees cleared on IcOsVersionDeployment (12)") {
		t.Errorf("clear: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if doc, _ := neuronJSON(t, flags, "81"); len(doc.Neuron.Followees) != 1 || doc.Neuron.Followees[0].Topic != 13 {
		t.Errorf("followees after clearing topic 12: %+v", doc.Neuron.Followees)
	}
	r = run(t, flags, "neuron", "follow", "--neuron", "27", "--topic", "13", "--followee", "80", "--yes")
	if r.Code != ExitAuth || !strings.Contains(r.Stdout, "✗ neuron 27") {
		t.Errorf("foreign neuron: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, args := range [][]string{{"--topic", "13"}, {"--followee", "80"}, {"--topic", "nope", "--followee", "80"}, {"--topic", "13", "--followee", "80", "--clear"}} {
		if r := run(t, flags, append([]string{"neuron", "follow", "--neuron", "81"}, args...)...); r.Code != ExitUsage {
			t.Errorf("follow %v: exit %d", args, r.Code)
		}
	}
}

// TestNeuronVotingPowerDecay moves the network's clock past six months
// without a refresh: the neurons' deciding voting power decays (show says
// so), refresh-voting-power restores it, and a neuron that never
// refreshes lapses to zero and loses its following a month later.
func TestNeuronVotingPowerDecay(t *testing.T) {
	n, flags := cliNet(t)
	const month = 2_629_800 * time.Second
	advance(t, n, 6*month+month/2)
	doc, _ := neuronJSON(t, flags, "81")
	nr := doc.Neuron
	if nr.VotingPowerRefresh.State != governance.RefreshDecaying || nr.DecidingVotingPower >= nr.PotentialVotingPower ||
		nr.DecidingVotingPower < nr.PotentialVotingPower*45/100 || nr.DecidingVotingPower > nr.PotentialVotingPower*55/100 {
		t.Errorf("half a month into the decay: %+v", nr)
	}
	r := run(t, flags, "neuron", "show", "81")
	if !strings.Contains(r.Stdout, "⚠ decaying since") || !strings.Contains(r.Stdout, "nnspatch neuron refresh-voting-power") {
		t.Errorf("show does not say the voting power decays:\n%s", r.Stdout)
	}
	if r := run(t, flags, "neuron", "refresh-voting-power", "--neuron", "81"); r.Code != ExitUsage {
		t.Errorf("refresh without --yes: %d", r.Code)
	}
	r = run(t, flags, "neuron", "refresh-voting-power", "--neuron", "81", "--yes")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "✓ neuron 81: voting power refreshed") || !strings.Contains(r.Stderr, "neuron 81: voting power") {
		t.Fatalf("refresh: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	doc, _ = neuronJSON(t, flags, "81")
	if nr := doc.Neuron; nr.VotingPowerRefresh.State != governance.RefreshCurrent || nr.DecidingVotingPower != nr.PotentialVotingPower ||
		nr.VotingPowerRefreshed.Before(n.Now().Add(-time.Minute)) {
		t.Errorf("after refresh: %+v", nr)
	}

	advance(t, n, month)
	doc, _ = neuronJSON(t, flags, "80")
	if nr := doc.Neuron; nr.VotingPowerRefresh.State != governance.RefreshLapsed || nr.DecidingVotingPower != 0 {
		t.Errorf("neuron 80 after 7.5 months without a refresh: %+v", nr)
	}
	if info, _ := n.Governance().Neuron(27, n.Now()); *info.DecidingVotingPower != 0 {
		t.Errorf("neuron 27 still has deciding voting power %d", *info.DecidingVotingPower)
	}
	if doc, _ := neuronJSON(t, flags, "81"); doc.Neuron.VotingPowerRefresh.State != governance.RefreshCurrent {
		t.Errorf("refreshed neuron 81 a month later: %+v", doc.Neuron.VotingPowerRefresh)
	}
	if doc, _ := neuronJSON(t, flags, "27"); len(doc.Neuron.Followees) != 0 {
		t.Errorf("neuron 27 never refreshed and still follows: %+v", doc.Neuron.Followees)
	}
}

// TestVoteConfirmationShowsVotingPower checks that vote prints the title
// and each neuron's ballot voting power before it confirms.
func TestVoteConfirmationShowsVotingPower(t *testing.T) {
	_, flags := cliNet(t)
	id := submitMotion(t, flags, "weigh my vote")
	r := run(t, flags, "proposal", "show", id, "--json")
	var doc jsonout.ProposalShow
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var vp80 uint64
	for _, b := range doc.Proposal.Ballots {
		if b.Neuron == 80 {
			vp80 = b.VotingPower
		}
	}
	r = run(t, flags, "vote", id, "yes", "--neuron", "80", "--neuron", "81", "--neuron", "27", "--yes")
	for _, want := range []string{"Vote yes on proposal " + id + ": Motion: weigh my vote", "neuron 80: voting power " + votingPowerText(vp80),
		"neuron 81: voting power", "already voted yes", "neuron 27: no ballot"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("vote summary lacks %q:\n%s", want, r.Stderr)
		}
	}
	r = run(t, flags, "proposal", "show", id)
	if !strings.Contains(r.Stdout, "Your ballots:") || !strings.Contains(r.Stdout, "neuron 80") || !strings.Contains(r.Stdout, "Created:") ||
		!strings.Contains(r.Stdout, "Dashboard:    https://dashboard.internetcomputer.org/proposal/"+id) {
		t.Errorf("proposal show:\n%s", r.Stdout)
	}
}
