package localnet_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nnspatch/nnspatch/governance/localnet"
)

// writeDurableLog runs a real durable network, submits proposals through
// agent-go and returns the state directory and the byte offsets of the
// records in its wal.log.
func writeDurableLog(t *testing.T) (string, []int64) {
	t.Helper()
	dir := t.TempDir()
	n, err := localnet.Start(context.Background(), localnet.Config{StateDir: dir, Listen: "127.0.0.1:0", Seed: loadSeed(2)})
	if err != nil {
		t.Fatal(err)
	}
	dev := newGovClient(t, n.URL(), localnet.DeveloperIdentity("load"))
	for i := 0; i < 6; i++ {
		if _, err := dev.propose(devNeuron, fmt.Sprintf("WAL motion %d", i), motion("wal")); err != nil {
			t.Fatal(err)
		}
	}
	n.Close()
	os.Remove(filepath.Join(dir, "url"))
	b, err := os.ReadFile(filepath.Join(dir, "wal.log"))
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for off := int64(0); off < int64(len(b)); {
		offs = append(offs, off)
		off += 8 + int64(binary.LittleEndian.Uint32(b[off:]))
	}
	if len(offs) < 4 {
		t.Fatalf("only %d records in wal.log", len(offs))
	}
	return dir, offs
}

// TestRestartRefusesMidLogDamage flips one bit in a mid-file record's length
// field and, separately, in its payload: restart must refuse with the byte
// offset and leave wal.log byte-identical.
func TestRestartRefusesMidLogDamage(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   func(off int64) int64
		bit  byte
	}{
		{"length field", func(off int64) int64 { return off + 3 }, 0x10},
		{"payload", func(off int64) int64 { return off + 8 + 2 }, 0x01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, offs := writeDurableLog(t)
			mid := offs[len(offs)/2]
			path := filepath.Join(dir, "wal.log")
			b, _ := os.ReadFile(path)
			b[tc.at(mid)] ^= tc.bit
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			n, err := localnet.Start(context.Background(), localnet.Config{StateDir: dir, Listen: "127.0.0.1:0", Seed: loadSeed(2)})
			if err == nil {
				n.Close()
				t.Fatal("restart accepted a log damaged in the middle")
			}
			var ce *localnet.CorruptLogError
			if !errors.As(err, &ce) || !errors.Is(err, localnet.ErrCorruptLog) {
				t.Fatalf("err = %v, want *CorruptLogError", err)
			}
			if ce.Offset != mid || ce.Path != path {
				t.Fatalf("error names %s byte %d, want %s byte %d", ce.Path, ce.Offset, path, mid)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, b) {
				t.Fatalf("wal.log changed: %d bytes before, %d after", len(b), len(after))
			}
		})
	}
}

// TestRestartTruncatesTornLastRecord cuts the last record short: restart
// truncates it and keeps every earlier record.
func TestRestartTruncatesTornLastRecord(t *testing.T) {
	dir, offs := writeDurableLog(t)
	path := filepath.Join(dir, "wal.log")
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, b[:len(b)-3], 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := localnet.Start(context.Background(), localnet.Config{StateDir: dir, Listen: "127.0.0.1:0", Seed: loadSeed(2)})
	if err != nil {
		t.Fatalf("torn last record refused: %v", err)
	}
	n.Close()
	after, _ := os.ReadFile(path)
	if last := offs[len(offs)-1]; !bytes.Equal(after[:last], b[:last]) {
		t.Fatal("records before the torn tail changed")
	}
}
