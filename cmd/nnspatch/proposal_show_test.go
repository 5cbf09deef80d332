package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

// showFixture is an open security-patch election, 1 day into its vote,
// with a title that tries to smuggle terminal escapes.
func showFixture(t *testing.T) (governance.Proposal, time.Time) {
	t.Helper()
	v, sum := "2c4fdf9d2d53dffed97a40992b867120e89c9346", strings.Repeat("ab", 32)
	payload, err := proposals.EncodePayload(proposals.ReviseElectedGuestosVersions{
		ReleasePackageURLs:    []string{"https://download.dfinity.systems/ic/" + v + "/guest-os/update-img/update-img.tar.zst"},
		ReplicaVersionToElect: &v, ReleasePackageSHA256Hex: &sum, ReplicaVersionsToUnelect: []string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	title := "Security patch update\x1b]0;pwned\x07\x1b[2J"
	created := uint64(1_790_000_000)
	deadline := created + 4*86400
	pi := &govdid.ProposalInfo{Id: &govdid.ProposalId{Id: 139800}, Status: 1, Topic: 13, Proposer: &govdid.NeuronId{Id: 80},
		ProposalTimestampSeconds: created, DeadlineTimestampSeconds: &deadline, RejectCostE8s: 25e8,
		LatestTally: &govdid.Tally{Yes: 20e8, No: 1e8, Total: 1000e8, TimestampSeconds: created + 3600},
		Ballots: []struct {
			Field0 uint64        `ic:"0,tuple" json:"0"`
			Field1 govdid.Ballot `ic:"1,tuple" json:"1"`
		}{{Field0: 80, Field1: govdid.Ballot{Vote: 1, VotingPower: 8e13}}, {Field0: 81, Field1: govdid.Ballot{Vote: 0, VotingPower: 123456789}}},
		Proposal: &govdid.Proposal{Title: &title, Url: "https://forum.dfinity.org/t/123",
			Summary: "The source is withheld per the Security Patch Policy.\n\x1b[31mred\x1b[0m line",
			Action:  &govdid.Action{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 38, Payload: payload}}}}
	return governance.FromInfo(pi, 0), time.Unix(int64(created)+86400, 0)
}

func TestProposalShowRender(t *testing.T) {
	p, now := showFixture(t)
	due := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	disclosed := &rollout.Disclosure{SourceURL: "https://github.com/dfinity/ic/commit/2c4fdf9d\x1b[2J", At: time.Date(2026, 9, 28, 9, 30, 0, 0, time.UTC)}
	cases := []struct {
		name       string
		raw        bool
		disclosure disclosureView
	}{{"open_security_election", false, disclosureView{}}, {"raw_with_disclosure", true, disclosureView{Due: &due}},
		{"disclosed", false, disclosureView{Due: &due, Disclosed: disclosed}}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeProposal(&buf, p, now, c.raw, c.disclosure); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsRune(buf.String(), 0x1b) {
				t.Fatal("escape sequence reached the output")
			}
			golden(t, buf.String())
		})
	}
}

func TestProposalShowCanisterUpgrade(t *testing.T) {
	p, now := showFixture(t)
	mode, hash, arg := int32(3), bytes.Repeat([]byte{0xaa}, 32), bytes.Repeat([]byte{0xbb}, 32)
	id := governance.GovernanceCanister
	p.Info.Proposal.Action = &govdid.Action{InstallCode: &govdid.InstallCode{CanisterId: &id, InstallMode: &mode, WasmModuleHash: &hash, ArgHash: &arg}}
	p.Info.Topic, p.Info.Status = 17, 4
	p = governance.FromInfo(p.Info, 0)
	p.Title, p.Summary = "Upgrade NNS canister governance", "Upgrade governance."
	var buf bytes.Buffer
	if err := writeProposal(&buf, p, now, false, disclosureView{}); err != nil {
		t.Fatal(err)
	}
	golden(t, buf.String())
}

func TestProposalListRender(t *testing.T) {
	p, now := showFixture(t)
	closed := p
	closed.ID, closed.Status, closed.Title = 139700, governance.StatusExecuted, "Elect new IC/GuestOS revision"
	var buf bytes.Buffer
	if err := writeProposalTable(&buf, []governance.Proposal{p, closed}, now); err != nil {
		t.Fatal(err)
	}
	golden(t, buf.String())
}

// TestProposalShowDisclosureFromLedger shows a security election whose
// release ledger records a finished rollout: the disclosure deadline is
// the end of the quiet period; once disclosed, "disclosed <date>, source
// <url>" replaces "withheld" and the deadline stays in the JSON.
func TestProposalShowDisclosureFromLedger(t *testing.T) {
	_, flags := cliNet(t)
	version := "6666666666666666666666666666666666666666"
	r := run(t, flags, "proposal", "submit", writeElectDraft(t, version), "--neuron", "80", "--yes")
	if r.Code != ExitOK {
		t.Fatalf("submit: %d %s", r.Code, r.Stderr)
	}
	id := strings.TrimSpace(r.Stdout)
	releases := t.TempDir()
	t.Setenv("NNSPATCH_RELEASES_DIR", releases)
	if r = run(t, flags, "proposal", "show", id); r.Code != ExitOK || strings.Contains(r.Stdout, "Disclosure:") {
		t.Errorf("without a ledger: %d\n%s", r.Code, r.Stdout)
	}
	if got := showDisclosureJSON(t, flags, id); got != nil {
		t.Errorf("without a ledger --json has disclosure_deadline %v", got)
	}

	store := rollout.Store{Dir: filepath.Join(releases, version)}
	l := rollout.NewLedger(version, proposals.ModeSecurity, rollout.Artifact{SHA256: strings.Repeat("ab", 32)}, time.Now())
	l.QuietPeriod = rollout.QuietPeriod{Days: 10, Start: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	if err := store.Create(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	r = run(t, flags, "proposal", "show", id)
	if want := "Disclosure:   due by 2026-03-11 12:00:00 UTC"; r.Code != ExitOK || !strings.Contains(r.Stdout, want) {
		t.Errorf("with a finished rollout, want %q: %d\n%s", want, r.Code, r.Stdout)
	}
	if got := showDisclosureJSON(t, flags, id); got == nil || !got.Equal(time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("--json disclosure_deadline = %v, want 2026-03-11 12:00:00 UTC", got)
	}

	l.Disclosure = &rollout.Disclosure{SourceURL: "https://github.com/dfinity/ic/commit/" + version, At: time.Now()}
	if _, err := store.Update(context.Background(), func(cur *rollout.Ledger) error { *cur = *l; return nil }); err != nil {
		t.Fatal(err)
	}
	r = run(t, flags, "proposal", "show", id)
	if want := "Source:       ✓ disclosed " + stamp(l.Disclosure.At) + ", source " + l.Disclosure.SourceURL; !strings.Contains(r.Stdout, want) || strings.Contains(r.Stdout, "withheld") {
		t.Errorf("after disclosure, want %q and no \"withheld\":\n%s", want, r.Stdout)
	}
	if got := showDisclosureJSON(t, flags, id); got == nil || !got.Equal(time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("after disclosure --json disclosure_deadline = %v, want it kept", got)
	}
	var doc jsonout.ProposalShow
	if err := json.Unmarshal([]byte(run(t, flags, "proposal", "show", id, "--json").Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if d := doc.Disclosure; d == nil || d.SourceURL != l.Disclosure.SourceURL || !d.At.Equal(l.Disclosure.At) {
		t.Errorf("--json disclosure = %+v, want %s at %s", d, l.Disclosure.SourceURL, l.Disclosure.At)
	}
}

// showDisclosureJSON runs `proposal show ID --json` and returns its
// disclosure_deadline, checking the key is absent when there is none.
func showDisclosureJSON(t *testing.T, flags []string, id string) *time.Time {
	t.Helper()
	r := run(t, flags, "proposal", "show", id, "--json")
	var doc jsonout.ProposalShow
	if err := json.Unmarshal([]byte(r.Stdout), &doc); r.Code != ExitOK || err != nil {
		t.Fatalf("show --json: %d %v\n%s%s", r.Code, err, r.Stdout, r.Stderr)
	}
	if (doc.DisclosureDeadline == nil) == strings.Contains(r.Stdout, `"disclosure_deadline"`) {
		t.Errorf("disclosure_deadline key present = %v, value = %v", strings.Contains(r.Stdout, `"disclosure_deadline"`), doc.DisclosureDeadline)
	}
	return doc.DisclosureDeadline
}

// TestCountdownsFollowTheNetworksClock submits a 4-day motion on a local
// network whose clock runs 8 days ahead: show, its JSON and the list
// measure the time left by the network's certified clock, not the host's.
func TestCountdownsFollowTheNetworksClock(t *testing.T) {
	n, flags := cliNet(t)
	if _, err := n.Advance(8 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	d := proposals.NewMotion("count down by the network", proposals.Texts{Title: "Motion on network time", Summary: "A motion."})
	path := filepath.Join(t.TempDir(), "motion.yaml")
	if err := proposals.WriteDraft(path, d); err != nil {
		t.Fatal(err)
	}
	r := run(t, flags, "proposal", "submit", path, "--neuron", "80", "--yes")
	if r.Code != ExitOK {
		t.Fatalf("submit: %d %s", r.Code, r.Stderr)
	}
	id := strings.TrimSpace(r.Stdout)
	// The certified time may lag the proposal's creation by up to a
	// second, so the time left is just under or just over 4 days.
	if r = run(t, flags, "proposal", "show", id); !strings.Contains(r.Stdout, "(in 3d 23h)") && !strings.Contains(r.Stdout, "(in 4d 0h)") {
		t.Errorf("show: want the deadline in about 4 days:\n%s%s", r.Stdout, r.Stderr)
	}
	r = run(t, flags, "proposal", "show", id, "--json")
	var doc struct {
		Decision struct {
			SecondsLeft int64 `json:"seconds_left"`
		} `json:"decision"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("show --json: %v\n%s", err, r.Stdout)
	}
	if left := time.Duration(doc.Decision.SecondsLeft) * time.Second; left < 4*24*time.Hour-10*time.Minute || left > 4*24*time.Hour+time.Minute {
		t.Errorf("seconds_left = %s, want about 4 days", left)
	}
	r = run(t, flags, "proposals", "list", "--status", "open")
	if !strings.Contains(r.Stdout, "in 3d 23h") && !strings.Contains(r.Stdout, "in 4d 0h") {
		t.Errorf("list: want the deadline in about 4 days:\n%s%s", r.Stdout, r.Stderr)
	}
}

// TestNetworkTimeFallsBackToTheHostClock reads the time from a network
// that does not answer: the host clock, noted only under --verbose.
func TestNetworkTimeFallsBackToTheHostClock(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := governance.New(context.Background(), governance.Network{Name: "gone", URL: "http://" + addr, RootKey: []byte{1}}, nil, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, verbose := range []bool{false, true} {
		var errOut bytes.Buffer
		before := time.Now()
		got := networkTimeOr(context.Background(), c, &errOut, verbose)
		if got.Before(before.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) {
			t.Errorf("verbose=%v: time %s is not the host clock", verbose, got)
		}
		if noted := strings.Contains(errOut.String(), "measured by the host clock"); noted != verbose {
			t.Errorf("verbose=%v: stderr %q", verbose, errOut.String())
		}
	}
}
