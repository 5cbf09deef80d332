package localnet

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// collect opens the log at path and returns the replayed payloads.
func collect(t *testing.T, path string) (*wal, [][]byte, error) {
	t.Helper()
	var got [][]byte
	w, err := openWAL(path, func(p []byte) error {
		got = append(got, bytes.Clone(p))
		return nil
	})
	return w, got, err
}

func writeRecords(t *testing.T, path string, n int) {
	t.Helper()
	w, _, err := collect(t, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := w.wait(w.appendRecord([]byte(fmt.Sprintf("record-%03d", i)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
}

func TestWALReplaysInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	writeRecords(t, path, 5)
	w, got, err := collect(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	if len(got) != 5 || string(got[0]) != "record-000" || string(got[4]) != "record-004" {
		t.Fatalf("replayed %q", got)
	}
}

func TestWALTornTail(t *testing.T) {
	tests := []struct {
		name   string
		damage func(b []byte) []byte
		want   int
	}{
		{"cut mid payload", func(b []byte) []byte { return b[:len(b)-3] }, 4},
		{"cut mid header", func(b []byte) []byte { return b[:len(b)-(frameHeader+10)+4] }, 4},
		{"bad crc on last", func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b }, 4},
		{"zero fill after", func(b []byte) []byte { return append(b, make([]byte, 100)...) }, 5},
		{"garbage header then zeros", func(b []byte) []byte {
			return append(b, append([]byte{9, 0, 0, 0, 1, 2, 3, 4}, make([]byte, 30)...)...)
		}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log")
			writeRecords(t, path, 5)
			b, _ := os.ReadFile(path)
			if err := os.WriteFile(path, tt.damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			w, got, err := collect(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("replayed %d records, want %d", len(got), tt.want)
			}
			// The log stays appendable after truncation.
			if err := w.wait(w.appendRecord([]byte("after"))); err != nil {
				t.Fatal(err)
			}
			w.close()
			w, got, err = collect(t, path)
			if err != nil {
				t.Fatal(err)
			}
			w.close()
			if string(got[len(got)-1]) != "after" || len(got) != tt.want+1 {
				t.Fatalf("after reopen: %q", got)
			}
		})
	}
}

func TestWALCorruptMiddle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	writeRecords(t, path, 5)
	b, _ := os.ReadFile(path)
	b[frameHeader+2] ^= 0x01 // first record's payload
	os.WriteFile(path, b, 0o600)
	_, _, err := collect(t, path)
	if !errors.Is(err, ErrCorruptLog) {
		t.Fatalf("err = %v, want ErrCorruptLog", err)
	}
}

func TestWALGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w, _, err := collect(t, path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 32, 20
	var mu sync.Mutex // callers serialize appends, as the network does
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < each; j++ {
				mu.Lock()
				seq := w.appendRecord([]byte(fmt.Sprintf("%d/%d", i, j)))
				mu.Unlock()
				if err := w.wait(seq); err != nil {
					t.Error(err)
				}
			}
		}(i)
	}
	wg.Wait()
	syncs := w.fsyncs()
	w.close()
	if syncs >= writers*each {
		t.Errorf("%d fsyncs for %d records: no batching", syncs, writers*each)
	}
	_, got, err := collect(t, path)
	if err != nil || len(got) != writers*each {
		t.Fatalf("replayed %d records, err %v", len(got), err)
	}
}
