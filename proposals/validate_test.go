package proposals

import (
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

func TestSampleDraftsAreValid(t *testing.T) {
	for k, d := range sampleDrafts(t) {
		if ps := Validate(d); len(ps) != 0 {
			t.Errorf("%s: unexpected problems %v", k, ps)
		}
		sec := d
		sec.Mode = ModeSecurity
		if k == KindMotion {
			continue
		}
		// The regular texts of elections link to the source, so only the
		// deployment texts are also fine in security mode.
		if k == KindDeployGuestOS || k == KindDeployUnassigned || k == KindDeployHostOS || k == KindDeployAPIBoundaryNodes {
			if ps := Validate(sec); len(ps) != 0 {
				t.Errorf("%s in security mode: unexpected problems %v", k, ps)
			}
		}
	}
}

// want is an expected problem: its path, severity and a message fragment.
type want struct {
	path     string
	severity Severity
	msg      string
}

func checkProblems(t *testing.T, got []Problem, wants ...want) {
	t.Helper()
	for _, w := range wants {
		found := false
		for _, p := range got {
			if p.Path == w.path && p.Severity == w.severity && strings.Contains(p.Message, w.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing %s problem at %s containing %q; got:\n%s", w.severity, w.path, w.msg, formatProblems(got))
		}
	}
	if len(got) != len(wants) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(wants), formatProblems(got))
	}
}

func formatProblems(ps []Problem) string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

func TestValidate(t *testing.T) {
	const (
		el = "elect_guestos"
		E  = SeverityError
		W  = SeverityWarning
	)
	tests := []struct {
		name   string
		kind   Kind
		mutate func(d *Draft)
		wants  []want
	}{
		{"short title", KindElectGuestOS, func(d *Draft) { d.Title = "abc" }, []want{{"title", E, "is 3 bytes"}}},
		{"empty title", KindElectGuestOS, func(d *Draft) { d.Title = "  " }, []want{{"title", E, "required"}}},
		{"long title", KindElectGuestOS, func(d *Draft) { d.Title = strings.Repeat("x", 257) }, []want{{"title", E, "257 bytes"}}},
		{"long summary", KindElectGuestOS, func(d *Draft) { d.Summary = strings.Repeat("y", 30001) }, []want{{"summary", E, "30001 bytes"}}},
		{"empty summary", KindDeployUnassigned, func(d *Draft) { d.Summary = "" }, []want{{"summary", W, "empty"}}},
		{"url not forum", KindElectGuestOS, func(d *Draft) { d.URL = "https://github.com/dfinity/ic" }, []want{{"url", E, "forum.dfinity.org"}}},
		{"url http", KindElectGuestOS, func(d *Draft) { d.URL = "http://forum.dfinity.org/t/x" }, []want{{"url", E, "not a forum post"}}},
		{"url empty ok", KindElectGuestOS, func(d *Draft) { d.URL = "" }, nil},
		{"schema", KindElectGuestOS, func(d *Draft) { d.SchemaVersion = 0 }, []want{{"schema_version", E, "set schema_version: 1"}}},
		{"bad kind", KindElectGuestOS, func(d *Draft) { d.Kind = "bless" }, []want{{"kind", E, "unknown kind"}, {el, E, "set but kind is bless"}}},
		{"bad mode", KindElectGuestOS, func(d *Draft) { d.Mode = "secret" }, []want{{"mode", E, "regular or security"}}},
		{"two actions", KindElectGuestOS, func(d *Draft) { d.Motion = &Motion{MotionText: "x"} }, []want{{"motion", E, "set but kind is elect-guestos"}}},
		{"action missing", KindDeployGuestOS, func(d *Draft) { d.DeployGuestOS = nil }, []want{{"deploy_guestos", E, "missing"}}},
		{"short version", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.ReplicaVersionToElect = strPtr("a5e6cdef") }, []want{{el + ".replica_version_to_elect", E, "40-character"}}},
		{"upper version", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.ReplicaVersionToElect = strPtr(strings.ToUpper(testV1)) }, []want{{el + ".replica_version_to_elect", E, "lowercase"}}},
		{"bad sha", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.ReleasePackageSHA256Hex = strPtr(testSHA[:63] + "G") }, []want{{el + ".release_package_sha256_hex", E, "64 lowercase hex"}}},
		{"http package url", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.ReleasePackageURLs[1] = "http://x/y" }, []want{{el + ".release_package_urls[1]", E, "not an https URL"}}},
		{"duplicate package url", KindElectGuestOS, func(d *Draft) {
			d.ElectGuestOS.ReleasePackageURLs[1] = d.ElectGuestOS.ReleasePackageURLs[0]
		}, []want{{el + ".release_package_urls[1]", E, "listed twice"}}},
		{"elect fields partly set", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.ReleasePackageURLs = nil }, []want{{el, E, "all be set or all be unset"}}},
		{"hash missing", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.ReleasePackageSHA256Hex = nil }, []want{{el, E, "all be set or all be unset"}}},
		{"nothing to do", KindElectGuestOS, func(d *Draft) {
			*d.ElectGuestOS = ReviseElectedGuestosVersions{}
		}, []want{{el, E, "elects nothing and unelects nothing"}}},
		{"elect and unelect", KindElectGuestOS, func(d *Draft) {
			d.ElectGuestOS.ReplicaVersionsToUnelect = []string{testV2, testV1, testV2}
		}, []want{{el + ".replica_versions_to_unelect[1]", E, "both elected and unelected"}, {el + ".replica_versions_to_unelect[2]", E, "listed twice"}}},
		{"bad unelect", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.ReplicaVersionsToUnelect = []string{"main"} }, []want{{el + ".replica_versions_to_unelect[0]", E, "not a version id"}}},
		{"no measurements", KindElectGuestOS, func(d *Draft) { d.ElectGuestOS.GuestLaunchMeasurements = nil }, []want{{el + ".guest_launch_measurements", E, "launch_measurements_waiver"}}},
		{"measurements waived", KindElectGuestOS, func(d *Draft) {
			d.ElectGuestOS.GuestLaunchMeasurements = &GuestLaunchMeasurements{}
			d.LaunchMeasurementsWaiver = "release for non-SEV test subnets only"
		}, []want{{el + ".guest_launch_measurements", W, "waived: release for non-SEV"}}},
		{"short measurement", KindElectGuestOS, func(d *Draft) {
			d.ElectGuestOS.GuestLaunchMeasurements.GuestLaunchMeasurements[1].Measurement = []byte{1, 2}
		}, []want{{el + ".guest_launch_measurements[1].measurement", E, "is 2 bytes"}}},
		{"control character in kernel_cmdline", KindElectGuestOS, func(d *Draft) {
			d.ElectGuestOS.GuestLaunchMeasurements.GuestLaunchMeasurements[0].Metadata = &GuestLaunchMeasurementMetadata{KernelCmdline: strPtr("console=ttyS0\x1b]0;pwned\x07")}
		}, []want{{el + ".guest_launch_measurements[0].metadata.kernel_cmdline", E, "U+001B at byte 13"}}},
		{"newline in kernel_cmdline", KindElectGuestOS, func(d *Draft) {
			d.ElectGuestOS.GuestLaunchMeasurements.GuestLaunchMeasurements[1].Metadata = &GuestLaunchMeasurementMetadata{KernelCmdline: strPtr("quiet\ninit=/bin/sh")}
		}, []want{{el + ".guest_launch_measurements[1].metadata.kernel_cmdline", E, "U+000A"}}},
		{"measurements without election", KindElectGuestOS, func(d *Draft) {
			a := d.ElectGuestOS
			a.ReplicaVersionToElect, a.ReleasePackageSHA256Hex, a.ReleasePackageURLs = nil, nil, []string{}
		}, []want{{el + ".guest_launch_measurements", E, "no version is elected"}}},
		{"unelect only", KindElectGuestOS, func(d *Draft) {
			a := d.ElectGuestOS
			a.ReplicaVersionToElect, a.ReleasePackageSHA256Hex, a.ReleasePackageURLs, a.GuestLaunchMeasurements = nil, nil, nil, nil
		}, nil},
		{"payload too large", KindElectGuestOS, func(d *Draft) {
			for i := range 1000 {
				d.ElectGuestOS.ReleasePackageURLs = append(d.ElectGuestOS.ReleasePackageURLs, "https://mirror.example/"+strings.Repeat("p", 60)+string(rune('a'+i%26))+strings.Repeat("q", i%7)+"/"+itoa(i))
			}
		}, []want{{el, E, "governance accepts at most 70000"}}},
		{"deploy no subnet", KindDeployGuestOS, func(d *Draft) { d.DeployGuestOS.SubnetID = principal.Principal{} }, []want{{"deploy_guestos.subnet_id", E, "required"}}},
		{"deploy bad version", KindDeployGuestOS, func(d *Draft) { d.DeployGuestOS.ReplicaVersionID = "" }, []want{{"deploy_guestos.replica_version_id", E, "required"}}},
		{"unassigned bad version", KindDeployUnassigned, func(d *Draft) { d.DeployUnassigned.ElectedReplicaVersion = "xyz" }, []want{{"deploy_unassigned.elected_replica_version", E, "not a version id"}}},
		{"hostos nothing", KindElectHostOS, func(d *Draft) { *d.ElectHostOS = ReviseElectedHostosVersions{} }, []want{{"elect_hostos", E, "elects nothing"}}},
		{"hostos elect unelect", KindElectHostOS, func(d *Draft) { d.ElectHostOS.HostosVersionsToUnelect = []string{testV1} }, []want{{"elect_hostos.hostos_versions_to_unelect[0]", E, "both elected and unelected"}}},
		{"deploy api bn no nodes", KindDeployAPIBoundaryNodes, func(d *Draft) { d.DeployAPIBoundaryNodes.NodeIDs = nil }, []want{{"deploy_api_boundary_nodes.node_ids", E, "empty"}}},
		{"deploy api bn dup node", KindDeployAPIBoundaryNodes, func(d *Draft) {
			d.DeployAPIBoundaryNodes.NodeIDs = append(d.DeployAPIBoundaryNodes.NodeIDs, d.DeployAPIBoundaryNodes.NodeIDs[1])
		}, []want{{"deploy_api_boundary_nodes.node_ids[2]", E, "listed twice"}}},
		{"deploy api bn no version", KindDeployAPIBoundaryNodes, func(d *Draft) { d.DeployAPIBoundaryNodes.Version = "" }, []want{{"deploy_api_boundary_nodes.version", E, ""}}},
		{"deploy hostos no nodes", KindDeployHostOS, func(d *Draft) { d.DeployHostOS.NodeIDs = nil }, []want{{"deploy_hostos.node_ids", E, "empty"}}},
		{"deploy hostos dup node", KindDeployHostOS, func(d *Draft) {
			d.DeployHostOS.NodeIDs = append(d.DeployHostOS.NodeIDs, d.DeployHostOS.NodeIDs[0])
		}, []want{{"deploy_hostos.node_ids[2]", E, "listed twice"}}},
		{"deploy hostos no version", KindDeployHostOS, func(d *Draft) { d.DeployHostOS.HostosVersionID = nil }, []want{{"deploy_hostos.hostos_version_id", E, "required"}}},
		{"canister bad id", KindUpgradeCanister, func(d *Draft) { d.UpgradeCanister.CanisterID = "rwlgt-iiaaa-aaaaa-aaaaa-caj" }, []want{{"upgrade_canister.canister_id", E, "not a valid canister id"}}},
		{"canister no id", KindUpgradeCanister, func(d *Draft) { d.UpgradeCanister.CanisterID = "" }, []want{{"upgrade_canister.canister_id", E, "required"}}},
		{"canister bad mode", KindUpgradeCanister, func(d *Draft) { d.UpgradeCanister.InstallMode = 0 }, []want{{"upgrade_canister.install_mode", E, "unspecified is not allowed"}}},
		{"root reinstall", KindUpgradeCanister, func(d *Draft) {
			d.UpgradeCanister.CanisterID, d.UpgradeCanister.InstallMode = RootCanisterID, InstallModeReinstall
		}, []want{{"upgrade_canister.install_mode", E, "root can only be upgraded"}}},
		{"wasm hash mismatch", KindUpgradeCanister, func(d *Draft) { d.UpgradeCanister.WasmSHA256 = testSHA }, []want{{"upgrade_canister.wasm_sha256", E, "does not match the module"}}},
		{"wasm not loaded", KindUpgradeCanister, func(d *Draft) { d.UpgradeCanister.Wasm = nil }, []want{{"upgrade_canister.wasm_path", E, "not loaded"}}},
		{"wasm hash missing", KindUpgradeCanister, func(d *Draft) { d.UpgradeCanister.WasmSHA256 = "" }, []want{{"upgrade_canister.wasm_sha256", E, "required"}}},
		{"arg not hex", KindUpgradeCanister, func(d *Draft) { d.UpgradeCanister.ArgHex = "zz" }, []want{{"upgrade_canister.arg_hex", E, "not hex"}}},
		{"motion empty", KindMotion, func(d *Draft) { d.Motion.MotionText = "" }, []want{{"motion.motion_text", E, "required"}}},
		{"motion long", KindMotion, func(d *Draft) { d.Motion.MotionText = strings.Repeat("m", 10001) }, []want{{"motion.motion_text", E, "10001 bytes"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sampleDrafts(t)[tt.kind]
			tt.mutate(&d)
			checkProblems(t, Validate(d), tt.wants...)
		})
	}
}

func itoa(i int) string {
	return string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

// TestValidateReportsEveryProblem breaks many fields at once; all must be
// reported, not just the first.
func TestValidateReportsEveryProblem(t *testing.T) {
	d := sampleDrafts(t)[KindElectGuestOS]
	d.Title = "x"
	d.URL = "https://example.com/"
	d.ElectGuestOS.ReplicaVersionToElect = strPtr("v1")
	d.ElectGuestOS.ReleasePackageSHA256Hex = strPtr("abc")
	d.ElectGuestOS.ReleasePackageURLs = []string{"ftp://x"}
	d.ElectGuestOS.GuestLaunchMeasurements = nil
	ps := Validate(d)
	checkProblems(t, ps,
		want{"title", SeverityError, "is 1 bytes"},
		want{"url", SeverityError, "not a forum post"},
		want{"elect_guestos.replica_version_to_elect", SeverityError, "not a version id"},
		want{"elect_guestos.release_package_sha256_hex", SeverityError, "not a SHA-256"},
		want{"elect_guestos.release_package_urls[0]", SeverityError, "not an https URL"},
		want{"elect_guestos.guest_launch_measurements", SeverityError, "missing"},
	)
	err := &InvalidError{Problems: ps}
	if !errors.Is(err, ErrDraftInvalid) || !strings.Contains(err.Error(), "6 problems") {
		t.Errorf("InvalidError = %v", err)
	}
	if !HasErrors(ps) || HasErrors([]Problem{{Severity: SeverityWarning}}) {
		t.Error("HasErrors is off")
	}
}

func TestValidateObsoleteAction(t *testing.T) {
	// A draft cannot select an obsolete function through a kind, but the
	// check guards the payload path any FunctionPayload takes.
	var ps problems
	validatePayloadSize(&ps, Draft{Kind: KindElectGuestOS}, RetireReplicaVersion{ReplicaVersionIDs: []string{testV1}})
	checkProblems(t, ps, want{"elect_guestos", SeverityError, "RetireReplicaVersion is obsolete and governance refuses it; use ReviseElectedGuestosVersions"})
}
