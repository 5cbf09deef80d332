package regmodel_test

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
)

var execAt = genesis.Add(time.Hour)

func TestReviseGuestOSElectsAndUnelects(t *testing.T) {
	r := newRegistry(t, testSeed())
	p := elect(verNew, verUnused)
	p.GuestLaunchMeasurements = &guestLaunchMeasurements{GuestLaunchMeasurements: []measurement{
		{Measurement: make([]byte, 48), Metadata: &metadata{KernelCmdline: "quiet"}},
	}}
	if err := r.ExecuteNnsFunction(38, encode(t, p), execAt); err != nil {
		t.Fatalf("ExecuteNnsFunction(38): %v", err)
	}
	if r.Version() != 2 {
		t.Fatalf("Version() = %d; want 2 (one batch)", r.Version())
	}
	if diff := cmp.Diff([]string{verOld, verCur, verAPI, verNew}, r.ElectedVersions()); diff != "" {
		t.Errorf("ElectedVersions() (-want +got):\n%s", diff)
	}
	got, ok := r.ElectedVersion(verNew)
	if !ok || got.SHA256Hex != sha || len(got.Measurements) != 1 || *got.Measurements[0].KernelCmdline != "quiet" {
		t.Errorf("ElectedVersion(new) = %+v, %v", got, ok)
	}
	if resp := getValue(t, r, "replica_version_"+verUnused, 0); resp.Error == nil {
		t.Errorf("replica_version_%s still present after unelect", verUnused)
	}
	// The old record stays readable at version 1.
	if resp := getValue(t, r, "replica_version_"+verUnused, 1); resp.Error != nil || resp.Version != 1 {
		t.Errorf("replica_version_%s@1 = %v", verUnused, resp)
	}
	if len(r.Deployments()) != 0 {
		t.Errorf("an election recorded a deployment: %+v", r.Deployments())
	}
}

func TestReviseGuestOSTextEncodedPayload(t *testing.T) {
	r := newRegistry(t, testSeed())
	payload := encodeText(t, `(record {
		release_package_urls = vec { "`+pkgURL(verNew)+`" };
		replica_versions_to_unelect = vec {};
		replica_version_to_elect = opt "`+verNew+`";
		guest_launch_measurements = null;
		release_package_sha256_hex = opt "`+sha+`";
	})`)
	if err := r.ExecuteNnsFunction(38, payload, execAt); err != nil {
		t.Fatalf("ExecuteNnsFunction(38): %v", err)
	}
	if _, ok := r.ElectedVersion(verNew); !ok {
		t.Fatal("version not elected")
	}
}

func TestReviseGuestOSFailuresAreAtomic(t *testing.T) {
	tests := []struct {
		name    string
		payload func(t *testing.T) []byte
		kind    error
		msg     string
	}{
		{"unelect version on subnet", func(t *testing.T) []byte { return encode(t, elect(verNew, verOld, verUnused)) },
			regmodel.ErrVersionInUse,
			`[Registry] Cannot retire versions {"` + verOld + `"}, because they are currently deployed to a subnet!`},
		{"unelect two versions on subnets", func(t *testing.T) []byte { return encode(t, elect(verNew, verCur, verOld)) },
			regmodel.ErrVersionInUse,
			`Cannot retire versions {"` + verOld + `", "` + verCur + `"}, because they are currently deployed to a subnet!`},
		{"unelect version of api boundary node", func(t *testing.T) []byte { return encode(t, elect(verNew, verAPI)) },
			regmodel.ErrVersionInUse, "Using a version that isn't blessed."},
		{"elect already elected", func(t *testing.T) []byte { return encode(t, elect(verUnused)) },
			regmodel.ErrAlreadyElected, "Key already present: replica_version_" + verUnused},
		{"unelect unknown version", func(t *testing.T) []byte { return encode(t, elect(verNew, "nope")) },
			regmodel.ErrUnknownVersion, "Key not present: replica_version_nope"},
		{"elect and unelect same", func(t *testing.T) []byte { return encode(t, elect(verNew, verNew)) },
			regmodel.ErrInvalidPayload, "cannot elect and unelect the same version"},
		{"missing hash", func(t *testing.T) []byte {
			p := elect(verNew)
			p.ReleasePackageSHA256Hex = nil
			return encode(t, p)
		}, regmodel.ErrInvalidPayload, "All parameters to elect a version have to be either set or unset."},
		{"missing urls", func(t *testing.T) []byte {
			p := elect(verNew)
			p.ReleasePackageURLs = nil
			return encode(t, p)
		}, regmodel.ErrInvalidPayload, "All parameters to elect a version have to be either set or unset."},
		{"nothing to do", func(t *testing.T) []byte { return encode(t, revisePayload{}) },
			regmodel.ErrInvalidPayload, "At least one version has to be elected or unelected."},
		{"malformed hash", func(t *testing.T) []byte {
			p := elect(verNew)
			p.ReleasePackageSHA256Hex = ptr("not-hex")
			return encode(t, p)
		}, regmodel.ErrInvariant, "Hash contains at least one invalid character"},
		{"empty measurements", func(t *testing.T) []byte {
			p := elect(verNew)
			p.GuestLaunchMeasurements = &guestLaunchMeasurements{GuestLaunchMeasurements: []measurement{}}
			return encode(t, p)
		}, regmodel.ErrInvariant, "guest_launch_measurements must not be an empty vector"},
		{"not candid", func(t *testing.T) []byte { return []byte("nonsense") },
			regmodel.ErrInvalidPayload, "Failed to decode payload"},
		{"wrong record", func(t *testing.T) []byte { return encode(t, deployUnassigned{ElectedReplicaVersion: verNew}) },
			regmodel.ErrInvalidPayload, "Failed to decode payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, testSeed())
			before := r.CertifiedData()
			err := r.ExecuteNnsFunction(38, tt.payload(t), execAt)
			wantRejected(t, err, tt.kind, tt.msg)
			if r.Version() != 1 {
				t.Errorf("Version() = %d after a refused proposal; want 1", r.Version())
			}
			if _, ok := r.ElectedVersion(verNew); ok {
				t.Errorf("%s elected although the proposal failed", verNew)
			}
			if diff := cmp.Diff([]string{verOld, verCur, verUnused, verAPI}, r.ElectedVersions()); diff != "" {
				t.Errorf("elected set changed (-want +got):\n%s", diff)
			}
			if !cmp.Equal(before, r.CertifiedData()) {
				t.Errorf("certified data changed after a refused proposal")
			}
		})
	}
}

func TestReviseGuestOSUnassignedInUse(t *testing.T) {
	seed := testSeed()
	seed.Subnets[1].Version = verCur // only the unassigned nodes use verOld
	r := newRegistry(t, seed)
	err := r.ExecuteNnsFunction(38, encode(t, elect(verNew, verOld)), execAt)
	wantRejected(t, err, regmodel.ErrVersionInUse,
		"[Registry] Cannot retire version "+verOld+", because it is currently deployed to unassigned nodes!")
	if _, ok := r.ElectedVersion(verNew); ok || r.Version() != 1 {
		t.Errorf("refused proposal changed the registry")
	}
}

func TestDeployGuestOSToSubnet(t *testing.T) {
	r := newRegistry(t, testSeed())
	if err := r.ExecuteNnsFunction(11, encode(t, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verUnused}), execAt); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if v, _ := r.SubnetVersion(appSubnet); v != verUnused {
		t.Errorf("SubnetVersion = %q; want %q", v, verUnused)
	}
	want := []regmodel.Deployment{{Target: regmodel.TargetSubnet, SubnetID: appSubnet, Version: verUnused,
		RegistryVersion: 2, At: execAt}}
	if diff := cmp.Diff(want, r.Deployments(), cmp.Comparer(principal.Principal.Equal)); diff != "" {
		t.Errorf("Deployments() (-want +got):\n%s", diff)
	}
	// Rollback: deploying the older elected version again is allowed.
	if err := r.ExecuteNnsFunction(11, encode(t, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verOld}), execAt); err != nil {
		t.Fatalf("rollback deploy: %v", err)
	}
	if v, _ := r.SubnetVersion(appSubnet); v != verOld || r.Version() != 3 {
		t.Errorf("after rollback: version %q at registry version %d", v, r.Version())
	}
}

func TestDeployGuestOSToSubnetFailures(t *testing.T) {
	tests := []struct {
		name    string
		payload deploySubnet
		kind    error
		msg     string
	}{
		{"not elected", deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verNew}, regmodel.ErrNotElected,
			"Attempt to check if the replica version to '" + verNew + "' is blessed was rejected, because that version is NOT blessed. " +
				"The list of blessed replica versions is: [" + verOld + ", " + verCur + ", " + verUnused + ", " + verAPI + "]."},
		{"unknown subnet", deploySubnet{SubnetID: testPrincipal(0xEE), ReplicaVersionID: verCur}, regmodel.ErrUnknownSubnet,
			"Error while fetching the subnet record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, testSeed())
			wantRejected(t, r.ExecuteNnsFunction(11, encode(t, tt.payload), execAt), tt.kind, tt.msg)
			if r.Version() != 1 || len(r.Deployments()) != 0 {
				t.Errorf("refused deploy changed the registry: version %d, deployments %v", r.Version(), r.Deployments())
			}
		})
	}
}

func TestDeployGuestOSToUnassignedNodes(t *testing.T) {
	r := newRegistry(t, testSeed())
	wantRejected(t, r.ExecuteNnsFunction(48, encode(t, deployUnassigned{ElectedReplicaVersion: verNew}), execAt),
		regmodel.ErrNotElected, "is NOT blessed")
	if err := r.ExecuteNnsFunction(48, encode(t, deployUnassigned{ElectedReplicaVersion: verCur}), execAt); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if v, _ := r.UnassignedVersion(); v != verCur {
		t.Errorf("UnassignedVersion() = %q", v)
	}
	d := r.Deployments()
	if len(d) != 1 || d[0].Target != regmodel.TargetUnassigned || d[0].Version != verCur || d[0].RegistryVersion != 2 {
		t.Errorf("Deployments() = %+v", d)
	}
}

func TestDeployUnassignedFreesVersion(t *testing.T) {
	seed := testSeed()
	seed.Subnets[1].Version = verCur // only the unassigned nodes use verOld
	r := newRegistry(t, seed)
	if err := r.ExecuteNnsFunction(48, encode(t, deployUnassigned{ElectedReplicaVersion: verCur}), execAt); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if err := r.ExecuteNnsFunction(38, encode(t, revisePayload{ReplicaVersionsToUnelect: []string{verOld}}), execAt); err != nil {
		t.Fatalf("unelect freed version: %v", err)
	}
	if diff := cmp.Diff([]string{verCur, verUnused, verAPI}, r.ElectedVersions()); diff != "" {
		t.Errorf("ElectedVersions() (-want +got):\n%s", diff)
	}
}

func TestDeployGuestOSToAPIBoundaryNodes(t *testing.T) {
	r := newRegistry(t, testSeed())
	wantRejected(t, r.ExecuteNnsFunction(47, encode(t, deployAPI{Version: verCur, NodeIDs: []principal.Principal{node1}}), execAt),
		regmodel.ErrUnknownNode, "record not found")
	wantRejected(t, r.ExecuteNnsFunction(47, encode(t, deployAPI{Version: verNew, NodeIDs: []principal.Principal{apiNode}}), execAt),
		regmodel.ErrNotElected, "is NOT blessed")
	if err := r.ExecuteNnsFunction(47, encode(t, deployAPI{Version: verCur, NodeIDs: []principal.Principal{apiNode}}), execAt); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if bn := r.APIBoundaryNodes(); bn[0].Version != verCur {
		t.Errorf("API BN version = %q", bn[0].Version)
	}
	// verAPI is now unused and can be unelected.
	if err := r.ExecuteNnsFunction(38, encode(t, revisePayload{ReplicaVersionsToUnelect: []string{verAPI}}), execAt); err != nil {
		t.Fatalf("unelect freed version: %v", err)
	}
}
