package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

// writeElectDraft writes a security-mode GuestOS election draft.
func writeElectDraft(t *testing.T, version string, unelect ...string) string {
	t.Helper()
	d, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: version,
		SHA256: strings.Repeat("ab", 32), Unelect: unelect, MeasurementsWaiver: "test network without SEV"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "elect.yaml")
	if err := proposals.WriteDraft(path, d); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewCmdProposalSubmit(t *testing.T) {
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{"plain", []string{"d.yaml", "--neuron", "80"}, true},
		{"dry run", []string{"d.yaml", "--dry-run"}, true},
		{"bad risk", []string{"d.yaml", "--accept-risk", "everything"}, false},
		{"dry run and sign-only", []string{"d.yaml", "--dry-run", "--sign-only", "x.json"}, false},
		{"expires-in alone", []string{"d.yaml", "--expires-in", "1h"}, false},
		{"no draft", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := TestStreams()
			called := false
			cmd := newCmdProposalSubmit(NewFactory(ios), func(o *proposalSubmitOptions) error { called = true; return nil })
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if tt.ok != (err == nil && called) {
				t.Errorf("err = %v, called = %v", err, called)
			}
		})
	}
}

func TestProposalSubmitAgainstLocalnet(t *testing.T) {
	n, flags := cliNet(t)
	topo := n.Topology()
	draft := writeElectDraft(t, "7777777777777777777777777777777777777777")

	r := run(t, flags, "proposal", "submit", draft, "--neuron", "80", "--dry-run")
	if r.Code != ExitOK || r.Stdout != "" || !strings.Contains(r.Stderr, "Dry run: nothing submitted") || !strings.Contains(r.Stderr, "sha256") {
		t.Fatalf("dry run: %d %q\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = run(t, flags, "proposal", "submit", draft, "--neuron", "80")
	if r.Code != ExitUsage || !strings.Contains(r.Stderr, "--yes required") {
		t.Errorf("no terminal, no --yes: %d %q", r.Code, r.Stderr)
	}
	r = run(t, flags, "proposal", "submit", draft, "--neuron", "80", "--yes")
	id, err := strconv.ParseUint(strings.TrimSpace(r.Stdout), 10, 64)
	if r.Code != ExitOK || err != nil || !strings.Contains(r.Stderr, "Submitted proposal") {
		t.Fatalf("submit: %d %q\n%s", r.Code, r.Stdout, r.Stderr)
	}
	// The election executed at once (the developer's neuron is followed):
	// a retry names it instead of submitting again or failing.
	r = run(t, flags, "proposal", "submit", draft, "--neuron", "80", "--yes")
	if r.Code != ExitOK || strings.TrimSpace(r.Stdout) != strconv.FormatUint(id, 10) || !strings.Contains(r.Stderr, "not submitting again") {
		t.Errorf("resubmit after execution: %d %q\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = run(t, flags, "proposal", "show", strconv.FormatUint(id, 10))
	for _, want := range []string{"Security patch update", "withheld", "absolute majority", "quorum", "Reject cost", "replica_version_to_elect"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.Stdout)
		}
	}
	bad := writeElectDraft(t, "8888888888888888888888888888888888888888", topo.Subnets[0].Version)
	r = run(t, flags, "proposal", "submit", bad, "--neuron", "80", "--yes")
	if r.Code != ExitRefused || !strings.Contains(r.Stderr, "✗ unelect") || !strings.Contains(r.Stderr, topo.Subnets[0].ID) {
		t.Errorf("failing preflight: %d\n%s", r.Code, r.Stderr)
	}
	// A neuron the identity does not control is an authorization failure.
	r = run(t, flags, "proposal", "submit", bad, "--neuron", "27", "--yes")
	if r.Code != ExitAuth || !strings.Contains(r.Stderr, "✗ neuron") || !strings.Contains(r.Stderr, "pass --neuron with a neuron your identity controls") {
		t.Errorf("foreign neuron: %d\n%s", r.Code, r.Stderr)
	}
}

func TestProposalSubmitRetryReportsTwin(t *testing.T) {
	_, flags := cliNet(t)
	d := proposals.NewMotion("keep the twin", proposals.Texts{Title: "Motion to test retries", Summary: "A motion."})
	path := filepath.Join(t.TempDir(), "motion.yaml")
	if err := proposals.WriteDraft(path, d); err != nil {
		t.Fatal(err)
	}
	first := run(t, flags, "proposal", "submit", path, "--neuron", "81", "--yes")
	second := run(t, flags, "proposal", "submit", path, "--neuron", "81", "--yes", "--json")
	var doc struct {
		ProposalID uint64 `json:"proposal_id"`
		Existing   bool   `json:"existing"`
	}
	if err := json.Unmarshal([]byte(second.Stdout), &doc); err != nil || first.Code != ExitOK || second.Code != ExitOK ||
		!doc.Existing || strconv.FormatUint(doc.ProposalID, 10) != strings.TrimSpace(first.Stdout) {
		t.Errorf("retry: first %d %q, second %d %q %q", first.Code, first.Stdout, second.Code, second.Stdout, second.Stderr)
	}
}

func TestProposalSubmitMainnetNeedsRisk(t *testing.T) {
	isolateConfig(t)
	draft := writeElectDraft(t, "9999999999999999999999999999999999999999")
	r := runCLI(t, "proposal", "submit", draft, "--neuron", "80", "--network", "ic", "--identity", "anonymous", "--yes")
	if r.Code != ExitUsage || !strings.Contains(r.Stderr, "--accept-risk=mainnet") {
		t.Errorf("mainnet without risk: %d %q", r.Code, r.Stderr)
	}
}

// TestProposalSubmitExecutedTwinIsExisting checks the documented meaning
// of jsonout.Submit.Existing for its third case: an executed proposal
// whose effect is still in place (the version it elected is still
// elected) is reported as the existing twin, and nothing is submitted.
func TestProposalSubmitExecutedTwinIsExisting(t *testing.T) {
	n, flags := cliNet(t)
	draft := writeElectDraft(t, "7777777777777777777777777777777777777777")
	first := run(t, flags, "proposal", "submit", draft, "--neuron", "80", "--yes")
	if first.Code != ExitOK {
		t.Fatalf("submit: %d %s", first.Code, first.Stderr)
	}
	id := strings.TrimSpace(first.Stdout)
	var shown jsonout.ProposalShow
	if err := json.Unmarshal([]byte(run(t, flags, "proposal", "show", id, "--json").Stdout), &shown); err != nil || shown.Proposal.Status != governance.StatusExecuted {
		t.Fatalf("proposal %s is not executed: %v %+v", id, err, shown.Proposal.Status)
	}
	before := proposalCount(n)
	second := run(t, flags, "proposal", "submit", draft, "--neuron", "80", "--yes", "--json")
	var doc jsonout.Submit
	if err := json.Unmarshal([]byte(second.Stdout), &doc); err != nil || second.Code != ExitOK ||
		!doc.Existing || strconv.FormatUint(doc.ProposalID, 10) != id {
		t.Errorf("retry after execution: %d %q %q", second.Code, second.Stdout, second.Stderr)
	}
	if after := proposalCount(n); after != before {
		t.Errorf("the retry submitted %d proposal(s)", after-before)
	}
}
