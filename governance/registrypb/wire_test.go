package registrypb_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// The HighCapacity reply must decode what an older registry (and agent-go's
// pre-HighCapacity types) encode, value for value.
func TestHighCapacityReadsPlainChanges(t *testing.T) {
	old := &v1.RegistryGetChangesSinceResponse{Version: 7, Deltas: []*v1.RegistryDelta{{
		Key: []byte("subnet_list"),
		Values: []*v1.RegistryValue{
			{Value: []byte{1, 2}, Version: 7},
			{Version: 5, DeletionMarker: true},
		},
	}}}
	raw, err := proto.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	var hc registrypb.HighCapacityRegistryGetChangesSinceResponse
	if err := proto.Unmarshal(raw, &hc); err != nil {
		t.Fatal(err)
	}
	vals := hc.GetDeltas()[0].GetValues()
	if hc.GetVersion() != 7 || len(vals) != 2 {
		t.Fatalf("decoded %v", &hc)
	}
	if !bytes.Equal(vals[0].GetValue(), []byte{1, 2}) || vals[0].GetVersion() != 7 {
		t.Errorf("value 0 = %v", vals[0])
	}
	if !vals[1].GetDeletionMarker() || vals[1].GetVersion() != 5 {
		t.Errorf("value 1 = %v", vals[1])
	}
}

// A chunked value keeps its chunk hashes in order.
func TestChunkKeysRoundTrip(t *testing.T) {
	in := &registrypb.HighCapacityRegistryValue{Version: 3, TimestampNanoseconds: 42,
		Content: &registrypb.HighCapacityRegistryValue_LargeValueChunkKeys{LargeValueChunkKeys: &registrypb.LargeValueChunkKeys{
			ChunkContentSha256S: [][]byte{bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)}}}}
	raw, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out registrypb.HighCapacityRegistryValue
	if err := proto.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(in, &out) {
		t.Fatalf("round trip: %v != %v", &out, in)
	}
}

// The committed Go code is what `go generate` makes from the pinned protos.
// It needs protoc (Debian's protobuf-compiler); the test set-up installs it.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("protoc"); err != nil {
		t.Fatalf("protoc not on PATH (scripts/setup-test.sh installs protobuf-compiler): %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "gen.go", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("regenerate: %v\n%s", err, out)
	}
	files, _ := filepath.Glob("*.pb.go")
	if len(files) == 0 {
		t.Fatal("no generated files")
	}
	for _, f := range files {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from a fresh `go generate` (err %v): run go generate ./governance/registrypb", f, err)
		}
	}
}
