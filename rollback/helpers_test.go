package rollback

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/nnspatch/nnspatch/governance"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/<TestName>/<name>.golden.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(t.Name()), name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Fixed ids of the fake network.
const (
	subA    = "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"
	subB    = "uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe"
	subC    = "pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae"
	vOld    = "1111111111111111111111111111111111111111"
	vMid    = "2222222222222222222222222222222222222222"
	vPatch  = "3333333333333333333333333333333333333333"
	sumOld  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	sumMid  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	sumPtch = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

// fakeRegistry records mutations as a registry would, one version each.
type fakeRegistry struct {
	version uint64
	deltas  map[string][]*v1.RegistryValue
}

func newFakeRegistry() *fakeRegistry { return &fakeRegistry{deltas: map[string][]*v1.RegistryValue{}} }

func (f *fakeRegistry) set(key string, value []byte) {
	f.version++
	f.deltas[key] = append(f.deltas[key], &v1.RegistryValue{Version: f.version, Value: value})
}

func (f *fakeRegistry) del(key string) {
	f.version++
	f.deltas[key] = append(f.deltas[key], &v1.RegistryValue{Version: f.version, DeletionMarker: true})
}

func (f *fakeRegistry) subnet(id, version string) {
	b, _ := proto.Marshal(&v1.SubnetRecord{ReplicaVersionId: version})
	f.set(prefixSubnet+id, b)
}

func (f *fakeRegistry) unassigned(version string) {
	f.set(keyUnassignedConfig, protowire.AppendString(protowire.AppendTag(nil, 2, protowire.BytesType), version))
}

// apiBoundary writes api_boundary_node_<id> naming version.
func (f *fakeRegistry) apiBoundary(id, version string) {
	f.set(prefixAPIBoundary+id, protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), version))
}

func (f *fakeRegistry) elect(id, sum string, measured bool) {
	var b []byte
	b = protowire.AppendString(protowire.AppendTag(b, 6, protowire.BytesType), sum)
	b = protowire.AppendString(protowire.AppendTag(b, 7, protowire.BytesType), "https://download.dfinity.systems/ic/"+id+"/guest-os/update-img/update-img.tar.zst")
	if measured {
		var meta, m, ms []byte
		meta = protowire.AppendString(protowire.AppendTag(meta, 1, protowire.BytesType), "console=ttyS0")
		m = protowire.AppendBytes(protowire.AppendTag(m, 1, protowire.BytesType), bytes.Repeat([]byte{0x5a}, 48))
		m = protowire.AppendBytes(protowire.AppendTag(m, 2, protowire.BytesType), meta)
		ms = protowire.AppendBytes(protowire.AppendTag(ms, 1, protowire.BytesType), m)
		b = protowire.AppendBytes(protowire.AppendTag(b, 9, protowire.BytesType), ms)
	}
	b = protowire.AppendString(protowire.AppendTag(b, 10, protowire.BytesType), id)
	f.set(prefixReplica+id, b)
}

// ChangesSince implements ChangesSource, three versions per page, newest
// first within a key as the registry does.
func (f *fakeRegistry) ChangesSince(_ context.Context, since uint64) (*v1.RegistryGetChangesSinceResponse, error) {
	upTo := since + 3
	resp := &v1.RegistryGetChangesSinceResponse{Version: f.version}
	for key, vals := range f.deltas {
		d := &v1.RegistryDelta{Key: []byte(key)}
		for i := len(vals) - 1; i >= 0; i-- {
			if vals[i].Version > since && vals[i].Version <= upTo {
				d.Values = append(d.Values, vals[i])
			}
		}
		if len(d.Values) > 0 {
			resp.Deltas = append(resp.Deltas, d)
		}
	}
	return resp, nil
}

// scenario builds the standard history: three subnets on vMid (subC on
// vOld), the patch elected and deployed to subC, then subA, then subB
// (and the unassigned nodes); vOld is unelected after subC left it.
func scenario(t *testing.T, unelectOld bool) (*fakeRegistry, *governance.Registry, *History) {
	t.Helper()
	f := newFakeRegistry()
	f.elect(vOld, sumOld, true)
	f.elect(vMid, sumMid, false)
	f.subnet(subA, vMid)
	f.subnet(subB, vMid)
	f.subnet(subC, vOld)
	f.unassigned(vMid)
	f.elect(vPatch, sumPtch, true)
	f.subnet(subC, vPatch)
	if unelectOld {
		f.del(prefixReplica + vOld)
	}
	f.subnet(subA, vPatch)
	f.subnet(subB, vPatch)
	f.unassigned(vPatch)
	h, err := ReadHistory(context.Background(), f)
	if err != nil {
		t.Fatalf("ReadHistory: %v", err)
	}
	reg := &governance.Registry{Version: f.version,
		Subnets: []governance.Subnet{
			{ID: subA, GuestOSVersion: vPatch}, {ID: subB, GuestOSVersion: vPatch}, {ID: subC, GuestOSVersion: vPatch},
		},
		GuestOS:           []governance.GuestOSVersion{{ID: vMid, SHA256: sumMid}, {ID: vPatch, SHA256: sumPtch}},
		UnassignedVersion: vPatch,
	}
	if !unelectOld {
		reg.GuestOS = append(reg.GuestOS, governance.GuestOSVersion{ID: vOld, SHA256: sumOld})
	}
	return f, reg, h
}
