package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/proposals"
)

// writeDraft builds a draft with the proposals library and writes it.
func writeDraft(t *testing.T, dir, name string, d proposals.Draft, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := proposals.WriteDraft(p, d); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProposalRender(t *testing.T) {
	dir := t.TempDir()
	m := proposals.GuestLaunchMeasurements{GuestLaunchMeasurements: []proposals.GuestLaunchMeasurement{{Measurement: genBytes(48)}}}
	elect, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: proposals.ModeSecurity, Version: testCommit, SHA256: testSHA, Measurements: &m})
	files := map[string]string{"elect_security": writeDraft(t, dir, "elect.yaml", elect, err)}
	motion := proposals.NewMotion("Run a rollback drill every month.", proposals.Texts{Title: "Monthly drills", Summary: "Practise.\x1b[31m red\n"})
	files["motion_sanitized"] = writeDraft(t, dir, "motion.yaml", motion, nil)
	for _, name := range []string{"elect_security", "motion_sanitized"} {
		t.Run(name, func(t *testing.T) {
			isolateConfig(t)
			r := runCLI(t, "proposal", "render", files[name])
			if r.Code != ExitOK {
				t.Fatalf("exit %d: %s", r.Code, r.Stderr)
			}
			if strings.Contains(r.Stdout, "\x1b") {
				t.Error("render printed an escape sequence from the draft")
			}
			golden(t, r.Stdout)
		})
	}
	t.Run("json", func(t *testing.T) {
		isolateConfig(t)
		r := runCLI(t, "proposal", "render", "--json", files["elect_security"])
		var doc struct {
			SchemaVersion int `json:"schema_version"`
			Proposal      struct {
				PayloadHex    string `json:"payload_hex"`
				PayloadSHA256 string `json:"payload_sha256"`
				Topic         string
			}
		}
		if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r.Stdout)
		}
		if doc.SchemaVersion != 1 || len(doc.Proposal.PayloadSHA256) != 64 || !strings.HasPrefix(doc.Proposal.PayloadHex, "4449444c") {
			t.Errorf("render --json = %+v", doc)
		}
	})
}

func TestProposalValidate(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	bad := writeTestFile(t, dir, "bad.yaml", []byte("schema_version: 1\nkind: deploy-guestos\nmode: security\ntitle: x\n"+
		"url: https://example.com\ndeploy_guestos:\n  subnet_id: "+testSubnet+"\n  replica_version_id: nope\n"))
	r := runCLI(t, "proposal", "validate", bad)
	if r.Code != ExitDraftInvalid {
		t.Fatalf("exit %d, want 3; stderr %s", r.Code, r.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	for _, want := range []string{"error: title: ", "error: url: ", "error: deploy_guestos.replica_version_id: "} {
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Errorf("no line starting %q in:\n%s", want, r.Stdout)
		}
	}
	d, err := proposals.NewDeployUnassigned(proposals.UnassignedOptions{Version: testCommit})
	good := writeDraft(t, dir, "good.yaml", d, err)
	if r := runCLI(t, "proposal", "validate", good); r.Code != ExitOK || !strings.Contains(r.Stderr, "is valid") {
		t.Errorf("valid draft: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if r := runCLI(t, "proposal", "validate", filepath.Join(dir, "missing.yaml")); r.Code != ExitDraftInvalid || !strings.Contains(r.Stderr, "missing.yaml") {
		t.Errorf("missing file: exit %d, stderr %q", r.Code, r.Stderr)
	}
}
