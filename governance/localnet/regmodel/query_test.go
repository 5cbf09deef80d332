package regmodel_test

import (
	"testing"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// fields decodes a protobuf message into field number -> raw values, as an
// independent check of field numbers on the wire. Length-delimited fields
// keep their payload; varints are re-encoded as varint bytes.
func fields(t *testing.T, b []byte) map[protowire.Number][][]byte {
	t.Helper()
	out := map[protowire.Number][][]byte{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				t.Fatalf("bad bytes: %v", protowire.ParseError(m))
			}
			out[num] = append(out[num], v)
			b = b[m:]
		case protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				t.Fatalf("bad varint: %v", protowire.ParseError(m))
			}
			out[num] = append(out[num], protowire.AppendVarint(nil, v))
			b = b[m:]
		default:
			t.Fatalf("unexpected wire type %v", typ)
		}
	}
	return out
}

// strs turns raw field values into strings.
func strs(vals [][]byte) []string {
	out := []string{}
	for _, v := range vals {
		out = append(out, string(v))
	}
	return out
}

func TestGetValueEveryKeyType(t *testing.T) {
	r := newRegistry(t, testSeed())

	list := &v1.SubnetListRecord{}
	if err := proto.Unmarshal(mustValue(t, r, "subnet_list", 0), list); err != nil {
		t.Fatal(err)
	}
	if len(list.Subnets) != 2 || !pp(list.Subnets[0]).Equal(nnsSubnet) {
		t.Errorf("subnet_list = %x", list.Subnets)
	}

	rec := &v1.SubnetRecord{}
	if err := proto.Unmarshal(mustValue(t, r, "subnet_record_"+appSubnet.String(), 0), rec); err != nil {
		t.Fatal(err)
	}
	if rec.ReplicaVersionId != verOld || rec.SubnetType != v1.SubnetType_SUBNET_TYPE_APPLICATION ||
		len(rec.Membership) != 1 || !pp(rec.Membership[0]).Equal(node2) {
		t.Errorf("subnet record = %v", rec)
	}
	// replica_version_id is field 9 on the wire.
	raw := mustValue(t, r, "subnet_record_"+nnsSubnet.String(), 0)
	if got := strs(fields(t, raw)[9]); !cmp.Equal(got, []string{verCur}) {
		t.Errorf("subnet record field 9 = %q", got)
	}

	nns := &v1.SubnetId{}
	if err := proto.Unmarshal(mustValue(t, r, "nns_subnet_id", 0), nns); err != nil {
		t.Fatal(err)
	}
	if !pp(nns.GetPrincipalId().GetRaw()).Equal(nnsSubnet) {
		t.Errorf("nns_subnet_id = %x", nns.GetPrincipalId().GetRaw())
	}

	blessed := fields(t, mustValue(t, r, "blessed_replica_versions", 0))
	if got := strs(blessed[1]); !cmp.Equal(got, []string{verOld, verCur, verUnused, verAPI}) {
		t.Errorf("blessed_replica_versions field 1 = %q", got)
	}

	rv := fields(t, mustValue(t, r, "replica_version_"+verCur, 0))
	if string(rv[6][0]) != sha || !cmp.Equal(strs(rv[7]), []string{pkgURL(verCur)}) {
		t.Errorf("replica_version fields 6/7 = %q %q", rv[6], strs(rv[7]))
	}
	glm := fields(t, rv[9][0])   // GuestLaunchMeasurements
	one := fields(t, glm[1][0])  // GuestLaunchMeasurement
	meta := fields(t, one[2][0]) // metadata
	if len(one[1][0]) != 48 || string(meta[1][0]) != "console=ttyS0" {
		t.Errorf("measurement = %x, metadata = %q", one[1][0], meta[1])
	}

	un := fields(t, mustValue(t, r, "unassigned_nodes_config", 0))
	if got := strs(un[2]); !cmp.Equal(got, []string{verOld}) {
		t.Errorf("unassigned_nodes_config field 2 = %q", got)
	}

	bn := fields(t, mustValue(t, r, "api_boundary_node_"+apiNode.String(), 0))
	if got := strs(bn[1]); !cmp.Equal(got, []string{verAPI}) {
		t.Errorf("api_boundary_node field 1 = %q", got)
	}

	hv := fields(t, mustValue(t, r, "hostos_version_"+hostA, 0))
	if string(hv[2][0]) != sha || string(hv[3][0]) != hostA || len(hv[1]) != 1 {
		t.Errorf("hostos_version fields = %q", hv)
	}

	node := &v1.NodeRecord{}
	if err := proto.Unmarshal(mustValue(t, r, "node_record_"+node1.String(), 0), node); err != nil {
		t.Fatal(err)
	}
	if node.GetHostosVersionId() != hostA {
		t.Errorf("node hostos_version_id = %q", node.GetHostosVersionId())
	}
	if got := strs(fields(t, mustValue(t, r, "node_record_"+node1.String(), 0))[17]); !cmp.Equal(got, []string{hostA}) {
		t.Errorf("node record field 17 = %q", got)
	}
	node3rec := &v1.NodeRecord{}
	if err := proto.Unmarshal(mustValue(t, r, "node_record_"+node3.String(), 0), node3rec); err != nil || node3rec.HostosVersionId != nil {
		t.Errorf("node3 hostos_version_id = %v, err %v; want unset", node3rec.HostosVersionId, err)
	}
}

// TestGetValueBeyondLatest: a version beyond the latest answers the latest
// value, as the real canister does (domain.md Addendum).
func TestGetValueBeyondLatest(t *testing.T) {
	r := newRegistry(t, testSeed())
	latest := getValue(t, r, "subnet_list", 0)
	beyond := getValue(t, r, "subnet_list", 99)
	if beyond.Error != nil || !cmp.Equal(beyond.Value, latest.Value) || beyond.Version != latest.Version {
		t.Fatalf("get_value at 99 = %v; want the latest value %v", beyond, latest)
	}
}

func TestGetValueErrors(t *testing.T) {
	r := newRegistry(t, testSeed())
	tests := []struct {
		name    string
		key     string
		version uint64
		code    v1.RegistryError_Code
	}{
		{"missing key", "replica_version_" + verNew, 0, v1.RegistryError_KEY_NOT_PRESENT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := getValue(t, r, tt.key, tt.version)
			if resp.Error == nil || resp.Error.Code != tt.code {
				t.Fatalf("error = %v; want code %v", resp.Error, tt.code)
			}
			if string(resp.Error.Key) != tt.key || resp.Value != nil {
				t.Errorf("error key %q value %x", resp.Error.Key, resp.Value)
			}
		})
	}
}

func TestGetValueCarriesVersionAndTimestamp(t *testing.T) {
	r := newRegistry(t, testSeed())
	reply, rej := r.Execute(replica.Call{Method: "get_value", Arg: mustMarshal(t, &v1.RegistryGetValueRequest{Key: []byte("subnet_list")})})
	if rej != nil {
		t.Fatal(rej)
	}
	f := fields(t, reply)
	v, _ := protowire.ConsumeVarint(f[2][0])
	ts, _ := protowire.ConsumeVarint(f[5][0])
	if v != 1 || ts != uint64(genesis.UnixNano()) {
		t.Errorf("version %d timestamp %d; want 1, %d", v, ts, genesis.UnixNano())
	}
}

func TestMalformedRequestTraps(t *testing.T) {
	r := newRegistry(t, testSeed())
	for _, m := range []string{"get_value", "get_changes_since", "get_certified_changes_since"} {
		_, rej := r.Execute(replica.Call{Method: m, Arg: []byte{0xff, 0xff}})
		if rej == nil || rej.Code != 5 || rej.ErrorCode != "IC0503" {
			t.Errorf("%s(garbage) reject = %+v; want code 5 IC0503", m, rej)
		}
	}
}

// mustMarshal encodes m.
func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pp wraps raw principal bytes.
func pp(raw []byte) principal.Principal { return principal.Principal{Raw: raw} }
