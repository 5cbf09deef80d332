package rollout

import (
	"errors"
	"testing"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

func TestPackageOf(t *testing.T) {
	v, sum := testVersion, "4d3870d4655ed773027a713ea136507d22e076248e0e9cc920a996039653b76f"
	urls := []string{"https://download.dfinity.systems/ic/" + v + "/guest-os/update-img/update-img.tar.zst"}
	tests := []struct {
		name    string
		payload proposals.FunctionPayload
		os      string
		wantErr bool
	}{
		{"revise", proposals.ReviseElectedGuestosVersions{ReleasePackageURLs: urls, ReplicaVersionsToUnelect: []string{}, ReplicaVersionToElect: &v, ReleasePackageSHA256Hex: &sum}, "GuestOS", false},
		{"update elected 2023", proposals.UpdateElectedReplicaVersions{ReplicaVersionToElect: &v, ReleasePackageSHA256Hex: &sum, ReleasePackageURLs: urls, ReplicaVersionsToUnelect: []string{}}, "GuestOS", false},
		{"bless 2021", proposals.BlessReplicaVersion{ReplicaVersionID: v, ReleasePackageURL: urls[0], ReleasePackageSHA256Hex: sum}, "GuestOS", false},
		{"hostos", proposals.ReviseElectedHostosVersions{ReleasePackageURLs: urls, HostosVersionToElect: &v, HostosVersionsToUnelect: []string{}, ReleasePackageSHA256Hex: &sum}, "HostOS", false},
		{"unelect only", proposals.ReviseElectedGuestosVersions{ReleasePackageURLs: []string{}, ReplicaVersionsToUnelect: []string{v}}, "", true},
		{"deploy", proposals.DeployGuestosToAllUnassignedNodes{ElectedReplicaVersion: v}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := proposals.EncodePayload(tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			p := &governance.Proposal{ID: 9, Action: governance.Action{Kind: "ExecuteNnsFunction", NNSFunction: int32(tt.payload.NnsFunction()), Payload: b}}
			got, err := PackageOf(p)
			if tt.wantErr {
				if !errors.Is(err, ErrNotElection) {
					t.Fatalf("err = %v, want ErrNotElection", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.SHA256 != sum || got.Version != v || got.OS != tt.os || len(got.URLs) != 1 || got.URLs[0] != urls[0] {
				t.Errorf("got %+v", got)
			}
		})
	}
	if _, err := PackageOf(&governance.Proposal{Action: governance.Action{Kind: "Motion"}}); !errors.Is(err, ErrNotElection) {
		t.Errorf("motion: %v", err)
	}
}
