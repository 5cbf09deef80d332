package proposals

import (
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

const (
	testV1     = "a5e6cdef0123456789abcdef0123456789abcdef"
	testV2     = "d69648b2f5a3d69648b2f5a3d69648b2f5a3d696"
	testV3     = "43670245ed6943670245ed6943670245ed694367"
	testSHA    = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	testSubnet = "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"
	testForum  = "https://forum.dfinity.org/t/proposal-to-elect-new-release/12345"
)

// testMeasurements returns n distinct 48-byte measurements, the first with
// metadata.
func testMeasurements(n int) *GuestLaunchMeasurements {
	m := &GuestLaunchMeasurements{GuestLaunchMeasurements: []GuestLaunchMeasurement{}}
	for i := range n {
		b := make([]byte, SEVMeasurementBytes)
		for j := range b {
			b[j] = byte(i*31 + j)
		}
		gm := GuestLaunchMeasurement{Measurement: b}
		if i == 0 {
			cmd := "console=ttyS0 quiet"
			gm.Metadata = &GuestLaunchMeasurementMetadata{KernelCmdline: &cmd}
		}
		m.GuestLaunchMeasurements = append(m.GuestLaunchMeasurements, gm)
	}
	return m
}

// samplePayloads returns one payload of every Go payload type, with the
// corner cases (empty lists, unset opts) spread across them.
func samplePayloads(t *testing.T) map[string]FunctionPayload {
	t.Helper()
	nodes := []principal.Principal{principal.MustDecode(RegistryCanisterID), principal.MustDecode(GovernanceCanisterID)}
	return map[string]FunctionPayload{
		"elect_guestos": ReviseElectedGuestosVersions{
			ReleasePackageURLs: DefaultPackageURLs("guest-os", testV1), ReplicaVersionsToUnelect: []string{testV2, testV3},
			ReplicaVersionToElect: strPtr(testV1), ReleasePackageSHA256Hex: strPtr(testSHA),
			GuestLaunchMeasurements: testMeasurements(3),
		},
		"unelect_guestos": ReviseElectedGuestosVersions{
			ReleasePackageURLs: []string{}, ReplicaVersionsToUnelect: []string{testV2},
		},
		"old_elect": UpdateElectedReplicaVersions{
			ReplicaVersionToElect: strPtr(testV1), ReleasePackageSHA256Hex: strPtr(testSHA),
			ReleasePackageURLs: []string{"https://x.example/a"}, GuestLaunchMeasurementSHA256Hex: strPtr(testSHA),
			ReplicaVersionsToUnelect: []string{},
		},
		"deploy_guestos":    DeployGuestosToAllSubnetNodes{SubnetID: principal.MustDecode(testSubnet), ReplicaVersionID: testV1},
		"deploy_unassigned": DeployGuestosToAllUnassignedNodes{ElectedReplicaVersion: testV1},
		"elect_hostos": ReviseElectedHostosVersions{
			ReleasePackageURLs: DefaultPackageURLs("host-os", testV1), HostosVersionToElect: strPtr(testV1),
			HostosVersionsToUnelect: []string{testV3}, ReleasePackageSHA256Hex: strPtr(testSHA),
		},
		"deploy_hostos":   DeployHostosToSomeNodes{HostosVersionID: strPtr(testV1), NodeIDs: nodes},
		"deploy_hostos_0": DeployHostosToSomeNodes{NodeIDs: []principal.Principal{}},
		"bless": BlessReplicaVersion{
			ReplicaVersionID: testV3, ReleasePackageURL: "https://x.example/p", ReleasePackageSHA256Hex: testSHA,
			ReleasePackageURLs: &[]string{"https://x.example/p"},
		},
		"retire":                RetireReplicaVersion{ReplicaVersionIDs: []string{testV2}},
		"unassigned_config":     UpdateUnassignedNodesConfig{ReplicaVersion: strPtr(testV2), SSHReadonlyAccess: &[]string{"ssh-ed25519 AAAA"}},
		"unassigned_config_nil": UpdateUnassignedNodesConfig{},
		"old_elect_hostos":      UpdateElectedHostosVersions{ReleasePackageURLs: []string{}, HostosVersionsToUnelect: []string{testV2}},
		"old_deploy_hostos":     UpdateNodesHostosVersion{HostosVersionID: strPtr(testV2), NodeIDs: nodes[:1]},
	}
}

// testWasm is a tiny stand-in wasm module (the magic and version header).
var testWasm = []byte("\x00asm\x01\x00\x00\x00")

// sampleDrafts returns one valid draft of every kind, built with the
// builders (regular mode), keyed by kind.
func sampleDrafts(t *testing.T) map[Kind]Draft {
	t.Helper()
	must := func(d Draft, err error) Draft {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	texts := Texts{ForumURL: testForum}
	code := InstallCode{CanisterID: RegistryCanisterID, WasmPath: "registry.wasm", ArgHex: "4449444c0000", Wasm: testWasm}
	return map[Kind]Draft{
		KindElectGuestOS: must(NewElectGuestOS(ElectOptions{Texts: texts, Version: testV1, SHA256: testSHA,
			Unelect: []string{testV2}, Measurements: testMeasurements(2), ReleaseTag: "release-2026-07-23_04-21-base",
			ReleaseNotes: "## Features\n\n- Faster state sync."})),
		KindDeployGuestOS:    must(NewDeployGuestOS(DeployOptions{Texts: texts, SubnetID: principal.MustDecode(testSubnet), Version: testV1})),
		KindDeployUnassigned: must(NewDeployUnassigned(UnassignedOptions{Texts: texts, Version: testV1})),
		KindDeployAPIBoundaryNodes: must(NewDeployAPIBoundaryNodes(APIBoundaryNodesOptions{Texts: texts, Version: testV1,
			NodeIDs: []principal.Principal{principal.MustDecode(RegistryCanisterID), principal.MustDecode(LedgerCanisterID)}})),
		KindElectHostOS: must(NewElectHostOS(ElectOptions{Texts: texts, Version: testV1, SHA256: testSHA, Unelect: []string{testV3}})),
		KindDeployHostOS: must(NewDeployHostOS(DeployHostOSOptions{Texts: texts, Version: testV1,
			NodeIDs: []principal.Principal{principal.MustDecode(RegistryCanisterID), principal.MustDecode(LedgerCanisterID)}})),
		KindUpgradeCanister: must(NewUpgradeCanister(UpgradeCanisterOptions{Texts: texts, Code: code, ReleaseNotes: "Registry maintenance release."})),
		KindMotion:          NewMotion("Adopt a rollback policy for IC OS releases.", Texts{Title: "Motion: rollback policy", Summary: "Why a policy helps.", ForumURL: testForum}),
	}
}
