package rollback

import (
	"context"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestReadHistoryPagesAndDecodes(t *testing.T) {
	f, _, h := scenario(t, true)
	if h.Latest != f.version {
		t.Fatalf("latest = %d; want %d", h.Latest, f.version)
	}
	vs, err := h.SubnetVersions(subC)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Version != vOld || vs[1].Version != vPatch || vs[1].Registry != 8 {
		t.Fatalf("subnet C versions = %+v", vs)
	}
	un, err := h.UnassignedVersions()
	if err != nil || len(un) != 2 || un[1].Version != vPatch {
		t.Fatalf("unassigned versions = %+v, %v", un, err)
	}
	rel, ok, err := h.Release(vOld)
	if err != nil || !ok {
		t.Fatalf("Release(vOld) = %v, %v", ok, err)
	}
	if rel.SHA256 != sumOld || len(rel.URLs) != 1 || rel.Measurements == nil ||
		len(rel.Measurements.GuestLaunchMeasurements) != 1 ||
		len(rel.Measurements.GuestLaunchMeasurements[0].Measurement) != 48 ||
		rel.Measurements.GuestLaunchMeasurements[0].Metadata.Cmdline() != "console=ttyS0" {
		t.Fatalf("recovered release = %+v", rel)
	}
	if del := h.Unelections()[vOld]; len(del) != 1 || del[0] != 9 {
		t.Fatalf("unelections of vOld = %v", del)
	}
	if got := VersionAt(vs, 7); got != vOld {
		t.Fatalf("VersionAt(7) = %s", got)
	}
	if _, ok, _ := h.Release("ffff"); ok {
		t.Fatal("Release of an unknown version reported found")
	}
}

func TestDecodeReleaseRefusesMalformedRecords(t *testing.T) {
	// field 6 (sha256) announces 5 bytes but carries 1
	if _, err := decodeRelease([]byte{6<<3 | 2, 5, 'a'}); err == nil {
		t.Fatal("decodeRelease accepted a truncated record")
	}
}

func TestReleasesListsEveryElection(t *testing.T) {
	f, _, _ := scenario(t, true)
	f.elect(vOld, sumOld, true)
	f.elect(vMid, sumPtch, false)
	h, err := ReadHistory(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	old, err := h.Releases(vOld)
	if err != nil || len(old) != 2 || !reflect.DeepEqual(old[0], old[1]) || old[0].Measurements == nil {
		t.Fatalf("Releases(old) = %+v, %v; want two identical measured records", old, err)
	}
	mid, err := h.Releases(vMid)
	if err != nil || len(mid) != 2 || mid[0].SHA256 != sumMid || mid[1].SHA256 != sumPtch {
		t.Fatalf("Releases(mid) = %+v, %v", mid, err)
	}
}

func TestAPIBoundaryVersions(t *testing.T) {
	f, _, _ := scenario(t, false)
	bn := func(v string) []byte {
		return protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), v)
	}
	f.set(prefixAPIBoundary+"bn-1", bn(vMid))
	f.set(prefixAPIBoundary+"bn-1", bn(vPatch))
	h, err := ReadHistory(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := h.APIBoundaryVersions("bn-1")
	if err != nil || len(vs) != 2 || vs[0].Version != vMid || vs[1].Version != vPatch || VersionAt(vs, vs[1].Registry-1) != vMid {
		t.Fatalf("APIBoundaryVersions = %+v, %v", vs, err)
	}
	if ids := h.APIBoundaryIDs(); len(ids) != 1 || ids[0] != "bn-1" {
		t.Fatalf("APIBoundaryIDs = %q", ids)
	}
}
