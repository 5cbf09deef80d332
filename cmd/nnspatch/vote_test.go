package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/proposals"
)

// submitMotion submits an open motion from neuron 81 and returns its id.
func submitMotion(t *testing.T, flags []string, text string) string {
	t.Helper()
	d := proposals.NewMotion(text, proposals.Texts{Title: "Motion: " + text, Summary: "A motion."})
	path := filepath.Join(t.TempDir(), "motion.yaml")
	if err := proposals.WriteDraft(path, d); err != nil {
		t.Fatal(err)
	}
	r := run(t, flags, "proposal", "submit", path, "--neuron", "81", "--yes")
	if r.Code != ExitOK {
		t.Fatalf("submit motion: %d %s", r.Code, r.Stderr)
	}
	return strings.TrimSpace(r.Stdout)
}

func TestNewCmdVote(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		ok      bool
		neurons []uint64
	}{
		{"yes with two neurons", []string{"12", "yes", "--neuron", "80", "--neuron", "81"}, true, []uint64{80, 81}},
		{"comma list", []string{"12", "no", "--neuron", "80,81"}, true, []uint64{80, 81}},
		{"bad vote", []string{"12", "maybe"}, false, nil},
		{"bad id", []string{"x", "yes"}, false, nil},
		{"bad neuron", []string{"12", "yes", "--neuron", "eighty"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := TestStreams()
			var got *voteOptions
			cmd := newCmdVote(NewFactory(ios), func(o *voteOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if tt.ok && strconv.Itoa(len(got.NeuronID)) != strconv.Itoa(len(tt.neurons)) {
				t.Errorf("neurons = %v", got.NeuronID)
			}
		})
	}
}

func TestVoteAndSignedSend(t *testing.T) {
	_, flags := cliNet(t)
	id := submitMotion(t, flags, "vote on me")

	r := run(t, flags, "vote", id, "yes", "--neuron", "80", "--neuron", "81", "--yes")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "✓ voted") || !strings.Contains(r.Stdout, "✓ already voted") {
		t.Errorf("vote table: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = run(t, flags, "vote", id, "yes", "--neuron", "27", "--yes")
	if r.Code != ExitAuth || !strings.Contains(r.Stdout, "✗ failed") {
		t.Errorf("foreign neuron: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}

	other := submitMotion(t, flags, "sign me offline")
	file := filepath.Join(t.TempDir(), "vote.json")
	r = run(t, flags, "vote", other, "no", "--neuron", "80", "--sign-only", file, "--json")
	if r.Code != ExitOK || !strings.Contains(r.Stderr, "Signed 1 message") {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	var signed jsonout.SignedFile
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&signed); err != nil || signed.File != file || len(signed.RequestIDs) != 1 ||
		signed.Sender == "" || !signed.Expires.After(signed.SendAfter) {
		t.Fatalf("sign-only --json: %v %+v\n%s", err, signed, r.Stdout)
	}
	r = run(t, flags, "send", file, "--dry-run")
	if r.Code != ExitOK || !strings.Contains(r.Stderr, "vote no on proposal "+other) || !strings.Contains(r.Stderr, "sendable now") {
		t.Errorf("send --dry-run: %d\n%s", r.Code, r.Stderr)
	}
	r = run(t, flags, "send", file)
	if r.Code != ExitUsage {
		t.Errorf("send without --yes: %d", r.Code)
	}
	r = run(t, flags, "send", file, "--yes")
	if r.Code != ExitOK {
		t.Fatalf("send: %d %s", r.Code, r.Stderr)
	}
	r = run(t, flags, "proposal", "show", other, "--json")
	var doc struct {
		Proposal struct {
			Ballots []struct {
				Neuron uint64 `json:"neuron"`
				Vote   string `json:"vote"`
			} `json:"ballots"`
		} `json:"proposal"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range doc.Proposal.Ballots {
		found = found || (b.Neuron == 80 && b.Vote == "no")
	}
	if !found {
		t.Errorf("neuron 80 has no recorded no vote: %+v", doc.Proposal.Ballots)
	}
}

func TestProposalsList(t *testing.T) {
	_, flags := cliNet(t)
	id := submitMotion(t, flags, "list me")
	r := run(t, flags, "proposals", "list", "--topic", "governance", "--status", "open", "--json")
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Proposals     []struct {
			ID     uint64 `json:"id"`
			Status string `json:"status"`
		} `json:"proposals"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || len(doc.Proposals) != 1 || strconv.FormatUint(doc.Proposals[0].ID, 10) != id {
		t.Errorf("list --json: %d %q (%v)", r.Code, r.Stdout, err)
	}
	r = run(t, flags, "proposals", "list", "--topic", "ic-os-version-election", "--all")
	if r.Code != ExitOK || strings.Contains(r.Stdout, "list me") {
		t.Errorf("other topic:\n%s", r.Stdout)
	}
	r = run(t, flags, "proposal", "list")
	if !strings.Contains(r.Stdout, "● open") || !strings.Contains(r.Stdout, "Motion: list me") {
		t.Errorf("table:\n%s", r.Stdout)
	}
	if alias := run(t, flags, "proposals", "list"); alias.Stdout != r.Stdout || alias.Code != r.Code {
		t.Errorf("proposals list (the alias) differs from proposal list:\n%s\n---\n%s", alias.Stdout, r.Stdout)
	}
	r = run(t, flags, "proposals", "list", "--topic", "nope")
	if r.Code != ExitUsage {
		t.Errorf("bad topic: %d", r.Code)
	}
}

// TestSendOutsideWindow sends a vote signed to expire in 20 minutes: it is
// refused before anything is sent, with the time it becomes sendable; a
// message in its window is sent with no identity at all.
func TestSendOutsideWindow(t *testing.T) {
	_, flags := cliNet(t)
	id := submitMotion(t, flags, "send me later")
	early, now := filepath.Join(t.TempDir(), "early.json"), filepath.Join(t.TempDir(), "now.json")
	if r := run(t, flags, "vote", id, "no", "--neuron", "81", "--sign-only", early, "--expires-in", "20m"); r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	noIdentity := []string{flags[0], flags[1], flags[2], flags[3], "--identity", filepath.Join(t.TempDir(), "missing.pem")}
	r := run(t, noIdentity, "send", early, "--yes")
	if r.Code == ExitOK || !strings.Contains(r.Stderr, "message 1 of "+early+": signed message can be sent from") || strings.Contains(r.Stderr, "sign the messages again") {
		t.Errorf("early send: %d\n%s", r.Code, r.Stderr)
	}
	if r := run(t, flags, "vote", id, "no", "--neuron", "81", "--sign-only", now); r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	if r = run(t, noIdentity, "send", now, "--yes"); r.Code != ExitOK || !strings.Contains(r.Stderr, "✓ ") {
		t.Errorf("send without an identity: %d\n%s", r.Code, r.Stderr)
	}
}

// TestSendFollowsSignedNetwork sends to the network the messages were
// signed for when --network is not given, and refuses to send a proposal
// to mainnet without --accept-risk=mainnet.
func TestSendFollowsSignedNetwork(t *testing.T) {
	n, flags := cliNet(t)
	id := submitMotion(t, flags, "send where signed")
	file := filepath.Join(t.TempDir(), "vote.json")
	if r := run(t, flags, "vote", id, "yes", "--neuron", "80", "--sign-only", file); r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	r := runCLI(t, "send", file, "--yes")
	if r.Code != ExitOK || !strings.Contains(r.Stderr, "network:    "+n.URL()) || strings.Contains(r.Stderr, "warning") {
		t.Errorf("send without --network: %d\n%s", r.Code, r.Stderr)
	}

	draft := filepath.Join(t.TempDir(), "motion.yaml")
	if err := proposals.WriteDraft(draft, proposals.NewMotion("offline mainnet motion", proposals.Texts{Title: "Offline motion", Summary: "A motion."})); err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(t.TempDir(), "submit.json")
	key := n.DeveloperIdentityPath()
	if r := runCLI(t, "proposal", "submit", draft, "--neuron", "80", "--network", "ic", "--identity", key, "--sign-only", signed); r.Code != ExitOK {
		t.Fatalf("sign-only for ic: %d %s", r.Code, r.Stderr)
	}
	r = runCLI(t, "send", signed, "--yes")
	if r.Code != ExitUsage || !strings.Contains(r.Stderr, "--accept-risk=mainnet") || !strings.Contains(r.Stderr, "network:    ic") {
		t.Errorf("proposal to mainnet without the risk flag: %d\n%s", r.Code, r.Stderr)
	}
}

// TestSendJSONEnvelope checks that `send --json` prints one versioned
// envelope, like every other command, for a dry run and for a sent
// proposal whose id it reports.
func TestSendJSONEnvelope(t *testing.T) {
	_, flags := cliNet(t)
	draft := filepath.Join(t.TempDir(), "motion.yaml")
	if err := proposals.WriteDraft(draft, proposals.NewMotion("send as json", proposals.Texts{Title: "JSON motion", Summary: "A motion."})); err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(t.TempDir(), "submit.json")
	if r := run(t, flags, "proposal", "submit", draft, "--neuron", "80", "--sign-only", signed); r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	dry := sendJSON(t, flags, signed, "--dry-run")
	if dry.Sent || len(dry.Messages) != 1 || dry.Messages[0].Sent || dry.Messages[0].ProposalID != 0 || dry.Messages[0].Content == nil {
		t.Errorf("dry run document: %+v", dry)
	}
	sent := sendJSON(t, flags, signed, "--yes")
	if !sent.Sent || len(sent.Messages) != 1 || !sent.Messages[0].Sent || sent.Messages[0].ProposalID == 0 {
		t.Fatalf("sent document: %+v", sent)
	}
	id := strconv.FormatUint(sent.Messages[0].ProposalID, 10)
	if r := run(t, flags, "proposal", "show", id); r.Code != ExitOK || !strings.Contains(r.Stdout, "JSON motion") {
		t.Errorf("proposal %s from send --json: %d\n%s", id, r.Code, r.Stdout)
	}
}

// sendJSON runs `send FILE --json ARGS...` and decodes its document,
// checking it is an object with schema_version 1.
func sendJSON(t *testing.T, flags []string, file string, args ...string) jsonout.Send {
	t.Helper()
	r := run(t, flags, append([]string{"send", file, "--json"}, args...)...)
	if r.Code != ExitOK {
		t.Fatalf("send --json %v: %d %s", args, r.Code, r.Stderr)
	}
	var head map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.Stdout), &head); err != nil || string(head["schema_version"]) != "1" {
		t.Fatalf("send --json %v is not a {\"schema_version\": 1, ...} object: %v\n%s", args, err, r.Stdout)
	}
	var doc jsonout.Send
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestMissingYesWithoutTerminal runs the confirming commands with no
// terminal and no --yes: each exits 2 with the message and one hint about
// --yes, without the usage text, and sends nothing.
func TestMissingYesWithoutTerminal(t *testing.T) {
	n, flags := cliNet(t)
	id := submitMotion(t, flags, "confirm me")
	draft := filepath.Join(t.TempDir(), "motion.yaml")
	if err := proposals.WriteDraft(draft, proposals.NewMotion("never confirmed", proposals.Texts{Title: "Unconfirmed", Summary: "A motion."})); err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(t.TempDir(), "vote.json")
	if r := run(t, flags, "vote", id, "no", "--neuron", "80", "--sign-only", signed); r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	before := proposalCount(n)
	for _, args := range [][]string{
		{"proposal", "submit", draft, "--neuron", "80"},
		{"vote", id, "yes", "--neuron", "80"},
		{"send", signed},
	} {
		checkNoConfirm(t, run(t, flags, args...), args)
	}
	if after := proposalCount(n); after != before {
		t.Errorf("%d proposal(s) submitted without confirmation", after-before)
	}
	var doc jsonout.ProposalShow
	if err := json.Unmarshal([]byte(run(t, flags, "proposal", "show", id, "--json").Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, b := range doc.Proposal.Ballots {
		if b.Neuron == 80 && b.Vote != 0 {
			t.Errorf("neuron 80 voted %d without confirmation", b.Vote)
		}
	}
}

// checkNoConfirm checks the result of a command refused for want of --yes.
func checkNoConfirm(t *testing.T, r cliResult, args []string) {
	t.Helper()
	if r.Code != ExitUsage {
		t.Errorf("nnspatch %s: exit %d, want %d\n%s", strings.Join(args, " "), r.Code, ExitUsage, r.Stderr)
		return
	}
	if !strings.Contains(r.Stderr, "nnspatch: --yes required when not running interactively") {
		t.Errorf("nnspatch %s: no --yes message:\n%s", strings.Join(args, " "), r.Stderr)
	}
	if strings.Contains(r.Stderr, "Usage:") || strings.Contains(r.Stderr, "Flags:") {
		t.Errorf("nnspatch %s: the usage text buries the message:\n%s", strings.Join(args, " "), r.Stderr)
	}
	if h := hintLine(t, r.Stderr); !strings.Contains(h, "--yes") {
		t.Errorf("nnspatch %s: hint %q does not mention --yes", strings.Join(args, " "), h)
	}
}
