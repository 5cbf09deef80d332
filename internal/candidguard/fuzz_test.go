package candidguard

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// FuzzCheck feeds arbitrary bytes to Check under both presets. Check must
// not panic; a refusal must be an *UnsafeError; whatever PayloadLimits
// accepts DefaultLimits accepts too; and what Check accepts, agent-go must
// decode and unmarshal without panicking, with an error text that
// terminates. Seeds: testdata/fuzz/FuzzCheck, the union of the former
// corpora of proposals (FuzzDecodePayload) and regmodel
// (FuzzExecuteNnsFunction), the govmodel crasher and every hostile message
// of TestCheckRefusesHostileMessages (hostile_*).
func FuzzCheck(f *testing.F) {
	f.Add([]byte("DIDL\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		errD, errP := Check(data), PayloadLimits.Check(data)
		for _, err := range []error{errD, errP} {
			if err != nil && !errors.Is(err, ErrUnsafe) {
				t.Fatalf("refusal %v is not an *UnsafeError", err)
			}
		}
		if errP == nil && errD != nil {
			t.Fatalf("PayloadLimits accept what DefaultLimits refuse: %v", errD)
		}
		if errD == nil {
			decodeAccepted(t, data)
		}
	})
}

// decodeAccepted runs agent-go on a message Check accepted.
func decodeAccepted(t *testing.T, data []byte) {
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("agent-go panicked on an accepted message: %v", p)
		}
	}()
	_, _, _ = candid.Decode(data)
	var req govdid.ManageNeuronRequest
	if err := Unmarshal(data, []any{&req}); err != nil {
		_ = err.Error()
	}
	var id uint64
	if err := Unmarshal(data, []any{&id}); err != nil {
		_ = err.Error()
	}
}

// maxSeedBytes keeps the corpus small: larger hostile messages (the one
// over MaxBytes) stay in the unit tests only.
const maxSeedBytes = 8 << 10

// TestWriteHostileSeeds keeps the hostile_* seeds of the FuzzCheck corpus
// in step with hostileMessages: it fails when one is missing or differs
// (run with -update-seeds to rewrite them).
func TestWriteHostileSeeds(t *testing.T) {
	for _, h := range hostileMessages() {
		if len(h.msg) > maxSeedBytes {
			continue
		}
		name := filepath.Join("testdata", "fuzz", "FuzzCheck", "hostile_"+strings.ReplaceAll(h.name, " ", "_"))
		want := "go test fuzz v1\n[]byte(" + strconv.Quote(string(h.msg)) + ")\n"
		if *updateSeeds {
			if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("seed %s (%s) is missing or stale; run go test -run TestWriteHostileSeeds -update-seeds", name, h.name)
		}
	}
}
