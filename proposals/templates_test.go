package proposals

import (
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

// TestTemplates pins every built-in title and summary with golden files.
func TestTemplates(t *testing.T) {
	drafts := sampleDrafts(t)
	cases := map[string]Draft{
		"elect-guestos":             drafts[KindElectGuestOS],
		"elect-guestos-security":    securityElect(t),
		"deploy-guestos":            drafts[KindDeployGuestOS],
		"deploy-unassigned":         drafts[KindDeployUnassigned],
		"elect-hostos":              drafts[KindElectHostOS],
		"deploy-hostos":             drafts[KindDeployHostOS],
		"deploy-api-boundary-nodes": drafts[KindDeployAPIBoundaryNodes],
		"upgrade-canister":          drafts[KindUpgradeCanister],
	}
	retire, err := NewElectGuestOS(ElectOptions{Unelect: []string{testV2, testV3}})
	if err != nil {
		t.Fatal(err)
	}
	cases["retire-guestos"] = retire
	sec, err := NewUpgradeCanister(UpgradeCanisterOptions{Mode: ModeSecurity, Code: InstallCode{CanisterID: RootCanisterID, Wasm: testWasm}})
	if err != nil {
		t.Fatal(err)
	}
	cases["upgrade-canister-security"] = sec
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			golden(t, name, []byte("title: "+d.Title+"\n---\n"+d.Summary))
		})
	}
}

func TestTemplateTitles(t *testing.T) {
	drafts := sampleDrafts(t)
	tests := map[Kind]string{
		KindElectGuestOS:           "Elect new IC/GuestOS revision (commit a5e6cde), and retire old version(s) d69648b2",
		KindElectHostOS:            "Elect new IC/HostOS revision (commit a5e6cde), and retire old version(s) 43670245",
		KindDeployGuestOS:          "Update subnet " + testSubnet + " to GuestOS version " + testV1,
		KindDeployUnassigned:       "Update all unassigned nodes",
		KindDeployHostOS:           "Set HostOS version a5e6cdef on 2 node(s)",
		KindDeployAPIBoundaryNodes: "Update 2 API boundary node(s) to GuestOS version a5e6cdef",
		KindUpgradeCanister:        "Upgrade NNS canister registry to wasm with SHA-256 ",
	}
	for k, want := range tests {
		if got := drafts[k].Title; !strings.HasPrefix(got, want) {
			t.Errorf("%s title = %q, want prefix %q", k, got, want)
		}
	}
	d, _ := NewElectGuestOS(ElectOptions{Version: testV1, SHA256: testSHA, Measurements: testMeasurements(1)})
	if d.Title != "Elect new IC/GuestOS revision (commit a5e6cde)" {
		t.Errorf("plain election title = %q", d.Title)
	}
	d, _ = NewElectGuestOS(ElectOptions{Unelect: []string{testV2, testV3}})
	if d.Title != "Retire IC/GuestOS version(s) d69648b2, 43670245" {
		t.Errorf("retire title = %q", d.Title)
	}
}

func TestTemplateOverrides(t *testing.T) {
	subnet := principal.MustDecode(testSubnet)
	d, err := NewDeployGuestOS(DeployOptions{SubnetID: subnet, Version: testV1, Texts: Texts{
		Title: "Roll back subnet tdb26", ForumURL: testForum,
		Templates: Templates{TplDeploySummary: "Back to {{.Version}} on {{.SubnetID}}."},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Roll back subnet tdb26" || d.Summary != "Back to "+testV1+" on "+testSubnet+".\n" || d.URL != testForum {
		t.Errorf("overrides not applied: %q / %q / %q", d.Title, d.Summary, d.URL)
	}
	d, err = NewElectGuestOS(ElectOptions{Mode: ModeSecurity, Version: testV1, SHA256: testSHA, Texts: Texts{
		Summary: "Given summary.", ForumURL: testForum, Templates: Templates{TplSecurityPolicy: "POLICY {{.PolicyProposal}}/{{.DisclosureDays}}"},
	}})
	if err != nil || d.Summary != "Given summary." {
		t.Errorf("summary override: %q, %v", d.Summary, err)
	}
	out, err := Templates{TplSecurityPolicy: "POLICY {{.PolicyProposal}}/{{.DisclosureDays}}"}.Execute(TplSecurityElectSummary, TemplateData{OS: "GuestOS", Version: testV1})
	if err != nil || !strings.Contains(out, "POLICY 48792/10") {
		t.Errorf("policy override: %q, %v", out, err)
	}
	if _, err := (Templates{TplDeployTitle: "{{.Nope}}"}).Execute(TplDeployTitle, TemplateData{}); err == nil || !strings.Contains(err.Error(), "render template deploy.title") {
		t.Errorf("unknown field: err = %v", err)
	}
	if _, err := (Templates{TplDeployTitle: "{{"}).Execute(TplDeployTitle, TemplateData{}); err == nil || !strings.Contains(err.Error(), "parse template deploy.title") {
		t.Errorf("bad syntax: err = %v", err)
	}
	if _, err := (Templates{}).Execute("nope", TemplateData{}); err == nil {
		t.Error("unknown template name accepted")
	}
	if _, err := NewDeployUnassigned(UnassignedOptions{Texts: Texts{Templates: Templates{TplUnassignedTitle: "{{"}}}); err == nil {
		t.Error("builder swallowed a template error")
	}
	if got := len(DefaultTemplates()); got != len(defaultTemplateTexts) {
		t.Errorf("DefaultTemplates has %d entries", got)
	}
}
