package regmodel_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Versions and ids of the test topology.
const (
	verOld    = "1111111111111111111111111111111111111111"
	verCur    = "2222222222222222222222222222222222222222"
	verNew    = "3333333333333333333333333333333333333333"
	verUnused = "4444444444444444444444444444444444444444"
	verAPI    = "5555555555555555555555555555555555555555"
	hostA     = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	hostB     = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	sha       = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

var (
	nnsSubnet  = principal.MustDecode("tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe")
	appSubnet  = testPrincipal(0xA1)
	governance = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	node1      = testPrincipal(0x01)
	node2      = testPrincipal(0x02)
	node3      = testPrincipal(0x03)
	apiNode    = testPrincipal(0x0B)
	genesis    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// testPrincipal returns a distinct 29-byte self-authenticating-like id.
func testPrincipal(b byte) principal.Principal {
	raw := make([]byte, 29)
	raw[0] = b
	raw[28] = 0x02
	return principal.Principal{Raw: raw}
}

// pkgURL returns a release package URL for a version.
func pkgURL(v string) string {
	return "https://download.dfinity.systems/ic/" + v + "/guest-os/update-img/update-img.tar.zst"
}

// testSeed is the topology most tests start from: an NNS subnet on verCur,
// an application subnet on verOld, unassigned nodes on verOld, one API
// boundary node on verAPI, elected verOld/verCur/verUnused/verAPI, and two
// HostOS versions with hostA in use.
func testSeed() regmodel.Seed {
	guest := func(id string) regmodel.GuestOSVersion {
		return regmodel.GuestOSVersion{ID: id, SHA256Hex: sha, URLs: []string{pkgURL(id)}}
	}
	cmd := "console=ttyS0"
	cur := guest(verCur)
	cur.Measurements = []regmodel.LaunchMeasurement{{Measurement: make([]byte, 48), KernelCmdline: &cmd}}
	return regmodel.Seed{
		NNSSubnetID: nnsSubnet,
		Subnets: []regmodel.Subnet{
			{ID: nnsSubnet, Type: regmodel.SubnetSystem, Nodes: []principal.Principal{node1}, Version: verCur},
			{ID: appSubnet, Type: regmodel.SubnetApplication, Nodes: []principal.Principal{node2}, Version: verOld},
		},
		GuestOSVersions:   []regmodel.GuestOSVersion{guest(verOld), cur, guest(verUnused), guest(verAPI)},
		UnassignedVersion: verOld,
		APIBoundaryNodes:  []regmodel.APIBoundaryNode{{ID: apiNode, Version: verAPI}},
		HostOSVersions: []regmodel.HostOSVersion{
			{ID: hostA, SHA256Hex: sha, URLs: []string{"https://example.org/hostos-a.tar.zst"}},
			{ID: hostB, SHA256Hex: sha, URLs: []string{"https://example.org/hostos-b.tar.zst"}},
		},
		Nodes: []regmodel.Node{
			{ID: node1, HostOSVersion: hostA},
			{ID: node2, HostOSVersion: hostA},
			{ID: node3},
		},
		Genesis: genesis,
	}
}

// newRegistry builds a registry from seed and fails the test on error.
func newRegistry(t testing.TB, seed regmodel.Seed) *regmodel.Registry {
	t.Helper()
	r, err := regmodel.New(seed)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// query runs a protobuf query method through the Canister interface and
// decodes the reply into out.
func query(t testing.TB, r *regmodel.Registry, method string, arg, out proto.Message) {
	t.Helper()
	var raw []byte
	if arg != nil {
		var err error
		if raw, err = proto.Marshal(arg); err != nil {
			t.Fatalf("marshal %s arg: %v", method, err)
		}
	}
	kind, ok := r.Method(method)
	if !ok || kind != replica.Query {
		t.Fatalf("Method(%s) = %v, %v; want query", method, kind, ok)
	}
	reply, rej := r.Execute(replica.Call{Method: method, Arg: raw, Now: genesis})
	if rej != nil {
		t.Fatalf("%s rejected: %+v", method, rej)
	}
	if err := proto.Unmarshal(reply, out); err != nil {
		t.Fatalf("unmarshal %s reply: %v", method, err)
	}
}

// getValue reads key at version (0 = latest) through get_value.
func getValue(t testing.TB, r *regmodel.Registry, key string, version uint64) *v1.RegistryGetValueResponse {
	t.Helper()
	req := &v1.RegistryGetValueRequest{Key: []byte(key)}
	if version != 0 {
		req.Version = wrapperspb.UInt64(version)
	}
	resp := &v1.RegistryGetValueResponse{}
	query(t, r, "get_value", req, resp)
	return resp
}

// mustValue reads key at version and fails when it is absent.
func mustValue(t testing.TB, r *regmodel.Registry, key string, version uint64) []byte {
	t.Helper()
	resp := getValue(t, r, key, version)
	if resp.Error != nil {
		t.Fatalf("get_value(%s@%d) error: %v", key, version, resp.Error)
	}
	return resp.Value
}

// encode Candid-encodes one payload value, failing the test on error.
func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := candid.Marshal([]any{v})
	if err != nil {
		t.Fatalf("candid marshal %T: %v", v, err)
	}
	return b
}

// encodeText Candid-encodes a payload written in Candid text syntax, an
// encoding path independent of struct tags.
func encodeText(t testing.TB, text string) []byte {
	t.Helper()
	b, err := candid.EncodeValueString(text)
	if err != nil {
		t.Fatalf("candid encode %q: %v", text, err)
	}
	return b
}

// wantRejected asserts err is an *ExecError of kind with msg in its message.
func wantRejected(t testing.TB, err, kind error, msg string) {
	t.Helper()
	var ee *regmodel.ExecError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v; want *ExecError", err)
	}
	if !errors.Is(err, regmodel.ErrRejected) || !errors.Is(err, kind) {
		t.Fatalf("err = %v (kind %v); want kind %v", err, ee.Kind, kind)
	}
	if !strings.Contains(ee.Message, msg) {
		t.Fatalf("message %q does not contain %q", ee.Message, msg)
	}
}

// Payload structs written in the tests, independent of the package's own.
type (
	revisePayload struct {
		ReleasePackageURLs       []string                 `ic:"release_package_urls"`
		ReplicaVersionsToUnelect []string                 `ic:"replica_versions_to_unelect"`
		ReplicaVersionToElect    *string                  `ic:"replica_version_to_elect,omitempty"`
		GuestLaunchMeasurements  *guestLaunchMeasurements `ic:"guest_launch_measurements,omitempty"`
		ReleasePackageSHA256Hex  *string                  `ic:"release_package_sha256_hex,omitempty"`
	}
	guestLaunchMeasurements struct {
		GuestLaunchMeasurements []measurement `ic:"guest_launch_measurements"`
	}
	measurement struct {
		Metadata    *metadata `ic:"metadata,omitempty"`
		Measurement []byte    `ic:"measurement"`
	}
	metadata struct {
		KernelCmdline string `ic:"kernel_cmdline"`
	}
	deploySubnet struct {
		SubnetID         principal.Principal `ic:"subnet_id"`
		ReplicaVersionID string              `ic:"replica_version_id"`
	}
	deployUnassigned struct {
		ElectedReplicaVersion string `ic:"elected_replica_version"`
	}
	deployAPI struct {
		Version string                `ic:"version"`
		NodeIDs []principal.Principal `ic:"node_ids"`
	}
	reviseHost struct {
		ReleasePackageURLs      []string `ic:"release_package_urls"`
		HostOSVersionToElect    *string  `ic:"hostos_version_to_elect,omitempty"`
		HostOSVersionsToUnelect []string `ic:"hostos_versions_to_unelect"`
		ReleasePackageSHA256Hex *string  `ic:"release_package_sha256_hex,omitempty"`
	}
	deployHost struct {
		HostOSVersionID *string               `ic:"hostos_version_id,omitempty"`
		NodeIDs         []principal.Principal `ic:"node_ids"`
	}
)

// ptr returns a pointer to s.
func ptr(s string) *string { return &s }

// elect is a payload electing v with the test hash and URL.
func elect(v string, unelect ...string) revisePayload {
	return revisePayload{
		ReleasePackageURLs:       []string{pkgURL(v)},
		ReplicaVersionsToUnelect: append([]string{}, unelect...),
		ReplicaVersionToElect:    ptr(v),
		ReleasePackageSHA256Hex:  ptr(sha),
	}
}
