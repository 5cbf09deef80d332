package governance

import (
	"strings"
	"testing"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// field appends a length-delimited protobuf field.
func field(b []byte, num protowire.Number, v string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, v)
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sampleRegistry builds registry values for two subnets, two elected GuestOS
// versions, one HostOS version, two nodes and one API boundary node.
func sampleRegistry(t *testing.T) (map[string][]byte, []string) {
	t.Helper()
	nns := principal.MustDecode("tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe")
	app := principal.MustDecode("pae4o-o6dxf-xki7q-ezclx-znyd6-fnk6w-vkv5z-5lfwh-xym2i-otrrw-fqe")
	n1, n2 := principal.NewSelfAuthenticating([]byte("node-1")), principal.NewSelfAuthenticating([]byte("node-2"))
	vA, vB := "aaaa000000000000000000000000000000000000", "bbbb000000000000000000000000000000000000"
	hostos := "cccc000000000000000000000000000000000000"
	var blessed []byte
	blessed = field(field(blessed, 1, vA), 1, vB)
	measurement := field(nil, 1, string(make([]byte, 48)))
	measurements := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), measurement)
	recB := field(field(field(field(nil, 6, "beef"), 7, "https://a/x.tar.zst"), 7, "https://b/x.tar.zst"), 10, vB)
	recB = protowire.AppendBytes(protowire.AppendTag(recB, 9, protowire.BytesType), measurements)
	hv := hostos
	values := map[string][]byte{
		keySubnetList:                   marshal(t, &v1.SubnetListRecord{Subnets: [][]byte{nns.Raw, app.Raw}}),
		prefixSubnet + nns.Encode():     marshal(t, &v1.SubnetRecord{ReplicaVersionId: vA, SubnetType: v1.SubnetType_SUBNET_TYPE_SYSTEM, Membership: [][]byte{n1.Raw}}),
		prefixSubnet + app.Encode():     marshal(t, &v1.SubnetRecord{ReplicaVersionId: vB, SubnetType: v1.SubnetType_SUBNET_TYPE_APPLICATION, Membership: [][]byte{n2.Raw}, IsHalted: true}),
		keyBlessedVersions:              blessed,
		prefixReplica + vA:              field(field(nil, 6, "cafe"), 7, "https://a/a.tar.zst"),
		prefixReplica + vB:              recB,
		keyUnassignedConfig:             field(field(nil, 1, "ssh-ed25519 AAAA"), 2, vB),
		prefixNode + n1.Encode():        marshal(t, &v1.NodeRecord{HostosVersionId: &hv}),
		prefixNode + n2.Encode():        marshal(t, &v1.NodeRecord{HostosVersionId: &hv}),
		prefixHostOS + hostos:           field(field(field(nil, 1, "https://h/h.tar.zst"), 2, "f00d"), 3, hostos),
		prefixAPIBoundary + n2.Encode(): field(nil, 1, vA),
		"unrelated_key":                 []byte{0xff, 0xff},
	}
	return values, []string{nns.Encode(), app.Encode(), n1.Encode(), n2.Encode(), vA, vB, hostos}
}

func TestDecodeRegistry(t *testing.T) {
	values, ids := sampleRegistry(t)
	nns, app, n1, n2, vA, vB, hostos := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]
	got, err := DecodeRegistry(values, 42)
	if err != nil {
		t.Fatal(err)
	}
	want := &Registry{
		Version: 42,
		Subnets: []Subnet{
			{ID: nns, Type: "system", GuestOSVersion: vA, Nodes: []string{n1}},
			{ID: app, Type: "application", GuestOSVersion: vB, Nodes: []string{n2}, Halted: true},
		},
		GuestOS: []GuestOSVersion{
			{ID: vA, SHA256: "cafe", URLs: []string{"https://a/a.tar.zst"}, Subnets: []string{nns}, APIBoundaryNodes: []string{n2}},
			{ID: vB, SHA256: "beef", URLs: []string{"https://a/x.tar.zst", "https://b/x.tar.zst"}, LaunchMeasurements: 1, Subnets: []string{app}, Unassigned: true},
		},
		HostOS:            []HostOSVersion{{ID: hostos, SHA256: "f00d", URLs: []string{"https://h/h.tar.zst"}, Nodes: 2}},
		UnassignedVersion: vB,
		APIBoundaryNodes:  []APIBoundaryNode{{ID: n2, Version: vA}},
		Nodes:             map[string]Node{n1: {ID: n1, HostOSVersion: hostos}, n2: {ID: n2, HostOSVersion: hostos}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("DecodeRegistry (-want +got):\n%s", d)
	}
	if _, ok := got.GuestOSByID("nope"); ok {
		t.Error("GuestOSByID found a version that is not elected")
	}
}

func TestDecodeRegistryMalformed(t *testing.T) {
	for _, key := range []string{keyBlessedVersions, keySubnetList, prefixHostOS + "x", keyUnassignedConfig} {
		t.Run(key, func(t *testing.T) {
			values, _ := sampleRegistry(t)
			values[key] = []byte{0x0a, 0x05, 0x01} // truncated length-delimited field
			_, err := DecodeRegistry(values, 1)
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Fatalf("err = %v, want an error naming %s", err, key)
			}
		})
	}
}

// A cloud engine subnet (SubnetType 5) is named; a type newer than this
// build decodes as "unknown (<n>)" without failing the registry read.
func TestDecodeRegistryNewSubnetTypes(t *testing.T) {
	values, ids := sampleRegistry(t)
	nns, app := ids[0], ids[1]
	values[prefixSubnet+nns] = marshal(t, &v1.SubnetRecord{ReplicaVersionId: ids[4], SubnetType: 5})
	values[prefixSubnet+app] = marshal(t, &v1.SubnetRecord{ReplicaVersionId: ids[5], SubnetType: 9})
	got, err := DecodeRegistry(values, 7)
	if err != nil {
		t.Fatalf("DecodeRegistry with new subnet types: %v", err)
	}
	types := map[string]string{}
	for _, s := range got.Subnets {
		types[s.ID] = s.Type
	}
	if types[nns] != "cloud_engine" || types[app] != "unknown (9)" {
		t.Errorf("subnet types = %v", types)
	}
}
