package proposals

import (
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

// securityElect returns a valid security-mode GuestOS election built with
// the default templates.
func securityElect(t *testing.T) Draft {
	t.Helper()
	d, err := NewElectGuestOS(ElectOptions{
		Mode: ModeSecurity, Version: testV1, SHA256: testSHA, Unelect: []string{testV2},
		Measurements: testMeasurements(1), Texts: Texts{ForumURL: testForum},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSecurityTemplatesPassTheirOwnPolicy(t *testing.T) {
	d := securityElect(t)
	if want := "Elect new IC/GuestOS revision (commit " + testV1[:7] + "), and retire old version(s) " + testV2[:8]; d.Title != want {
		t.Errorf("title = %q", d.Title)
	}
	for _, frag := range []string{
		"Security Patch Policy", "[48792](https://dashboard.internetcomputer.org/proposal/48792)",
		"no later than 10 days after", "every subnet", "after the fact",
		"_These steps become available once the source has been released._", "repro-check -c " + testV1,
	} {
		if !strings.Contains(d.Summary, frag) {
			t.Errorf("security summary lacks %q:\n%s", frag, d.Summary)
		}
	}
	if ps := Validate(d); len(ps) != 0 {
		t.Errorf("security draft from the default templates has problems:\n%s", formatProblems(ps))
	}
	h, err := NewElectHostOS(ElectOptions{Mode: ModeSecurity, Version: testV1, SHA256: testSHA})
	if err != nil {
		t.Fatal(err)
	}
	if ps := Validate(h); len(ps) != 0 || !strings.Contains(h.Summary, "--hostos") {
		t.Errorf("HostOS security draft: %v\n%s", ps, h.Summary)
	}
}

// TestRegularTextsFailSecurityMode shows why security mode needs its own
// texts: the regular summary links the source at the commit.
func TestRegularTextsFailSecurityMode(t *testing.T) {
	d := sampleDrafts(t)[KindElectGuestOS]
	d.Mode = ModeSecurity
	ps := Validate(d)
	if !HasErrors(ps) || !strings.Contains(formatProblems(ps), "summary: links to source or a diff (https://raw.githubusercontent.com/dfinity/ic/"+testV1) {
		t.Errorf("regular texts accepted in security mode:\n%s", formatProblems(ps))
	}
}

func TestSecurityChecks(t *testing.T) {
	other := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name  string
		field string // title, summary or url
		text  string
		msg   string // "" means no problem
	}{
		{"github commit", "summary", "see https://github.com/dfinity/ic/commit/" + testV1, "links to source or a diff"},
		{"github tree", "summary", "https://github.com/dfinity/ic/tree/release-2026-07-23", "links to source or a diff"},
		{"github compare", "summary", "github.com/dfinity/ic/compare/abc...def", "links to source or a diff"},
		{"github pull", "summary", "fixed in https://github.com/dfinity/ic/pull/9854.", "links to source or a diff"},
		{"gitlab merge request", "summary", "https://gitlab.com/dfinity-lab/ic/-/merge_requests/12", "links to source or a diff"},
		{"gitlab commit", "summary", "https://gitlab.com/dfinity-lab/public/ic/-/commit/" + testV1, "links to source or a diff"},
		{"github hash path", "summary", "https://github.com/dfinity/ic/" + testV1[:12], "links to source or a diff"},
		{"raw file at commit", "summary", "https://raw.githubusercontent.com/dfinity/ic/" + testV1 + "/ci/scripts/repro-check", "links to source or a diff"},
		{"commit in other link", "summary", "https://example.org/builds/" + testV1 + "/log", "a link contains commit a5e6cdef"},
		{"another commit", "summary", "built on top of " + other, "looks like a commit id other than the version id"},
		{"short other commit", "title", "Security patch update 0123456789ab", "looks like a commit id"},
		{"deny vulnerability", "title", "Fix a Vulnerability in the replica", "\"vulnerability\""},
		{"deny CVE", "summary", "Addresses CVE-2026-1234.", "\"CVE-\""},
		{"deny phrase", "summary", "a buffer overflow in the parser", "\"buffer overflow\""},
		{"deny in url", "url", "https://forum.dfinity.org/t/exploit-fixed/1", "\"exploit\""},
		{"version id allowed", "summary", "Elects `" + testV1 + "`.", ""},
		{"dashboard release link allowed", "summary", "[" + testV1 + "](https://dashboard.internetcomputer.org/release/" + testV1 + ")", ""},
		{"sha256 allowed", "summary", "hash " + testSHA, ""},
		{"word boundary", "summary", "take the recommended dose of patience", ""},
		{"forum link allowed", "url", "https://forum.dfinity.org/t/security-patch-update/12345", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := securityElect(t)
			switch tt.field {
			case "title":
				d.Title = tt.text
			case "summary":
				d.Summary += "\n" + tt.text + "\n"
			case "url":
				d.URL = tt.text
			}
			ps := Validate(d)
			if tt.msg == "" {
				if len(ps) != 0 {
					t.Errorf("unexpected problems:\n%s", formatProblems(ps))
				}
				return
			}
			found := false
			for _, p := range ps {
				if p.Path == tt.field && p.Severity == SeverityError && strings.Contains(p.Message, tt.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s error containing %q; got:\n%s", tt.field, tt.msg, formatProblems(ps))
			}
			d.Mode = ModeRegular
			for _, p := range Validate(d) {
				if strings.Contains(p.Message, tt.msg) {
					t.Errorf("regular mode applied the security check: %v", p)
				}
			}
		})
	}
}

func TestSecurityDenyListConfigurable(t *testing.T) {
	d := securityElect(t)
	d.Summary += "\nIncludes the hardening of the sandbox.\n"
	if ps := Validate(d); len(ps) != 0 {
		t.Fatalf("default policy flags it: %v", ps)
	}
	p := Policy{DenyWords: []string{"Hardening", ""}}
	ps := ValidateWith(d, p)
	checkProblems(t, ps, want{"summary", SeverityError, `contains "Hardening"`})
	d.Summary += "\nvulnerability\n"
	if ps := ValidateWith(d, Policy{}); len(ps) != 0 {
		t.Errorf("empty deny list still flags words: %v", ps)
	}
}

func TestSecurityCanisterUpgrade(t *testing.T) {
	d, err := NewUpgradeCanister(UpgradeCanisterOptions{
		Mode: ModeSecurity, Code: InstallCode{CanisterID: GovernanceCanisterID, WasmPath: "g.wasm", Wasm: testWasm},
	})
	if err != nil {
		t.Fatal(err)
	}
	hash := d.UpgradeCanister.WasmHash()
	if d.UpgradeCanister.WasmSHA256 != hash || d.UpgradeCanister.InstallMode != InstallModeUpgrade {
		t.Errorf("builder did not fill hash/mode: %+v", d.UpgradeCanister)
	}
	for _, frag := range []string{"Security patch update", "governance", "48792", "no later than 10 days", hash, "checksum this proposal commits to", "once the source has been released"} {
		if !strings.Contains(d.Title+d.Summary, frag) {
			t.Errorf("security canister texts lack %q:\n%s\n%s", frag, d.Title, d.Summary)
		}
	}
	if ps := Validate(d); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	d.Summary += "\nFixes https://github.com/dfinity/ic/pull/1\n"
	checkProblems(t, Validate(d), want{"summary", SeverityError, "links to source"})
}

func TestSecurityMotionWarns(t *testing.T) {
	d := sampleDrafts(t)[KindMotion]
	d.Mode = ModeSecurity
	checkProblems(t, Validate(d), want{"mode", SeverityWarning, "no meaning for a motion"})
}

func TestSecurityDeployKeepsVersion(t *testing.T) {
	d, err := NewDeployGuestOS(DeployOptions{Mode: ModeSecurity, SubnetID: principal.MustDecode(testSubnet), Version: testV1})
	if err != nil {
		t.Fatal(err)
	}
	if ps := Validate(d); len(ps) != 0 {
		t.Errorf("deployment naming its version id is fine in security mode: %v", ps)
	}
}

// TestSecurityElectionNeedsForumURL: RequireForumURL refuses a security
// election without a forum post, and nothing else.
func TestSecurityElectionNeedsForumURL(t *testing.T) {
	for _, build := range []func(ElectOptions) (Draft, error){NewElectGuestOS, NewElectHostOS} {
		o := ElectOptions{Mode: ModeSecurity, Version: testV1, SHA256: testSHA, MeasurementsWaiver: "test"}
		d, err := build(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := RequireForumURL(d); !errors.Is(err, ErrNoForumURL) {
			t.Errorf("%s without forum URL: err = %v, want ErrNoForumURL", d.Kind, err)
		}
		o.ForumURL = testForum
		if d, _ := build(o); RequireForumURL(d) != nil || d.URL != testForum {
			t.Errorf("%s with forum URL: %v (url %q)", d.Kind, RequireForumURL(d), d.URL)
		}
		o.ForumURL, o.Mode = "", ModeRegular
		if d, _ := build(o); RequireForumURL(d) != nil {
			t.Errorf("regular %s without forum URL refused: %v", d.Kind, RequireForumURL(d))
		}
	}
	up := sampleDrafts(t)[KindDeployGuestOS]
	up.Mode, up.URL = ModeSecurity, ""
	if err := RequireForumURL(up); err != nil {
		t.Errorf("deployment refused: %v", err)
	}
}
