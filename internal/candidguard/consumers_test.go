package candidguard_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet/govmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"github.com/nnspatch/nnspatch/internal/candidguard"
	"github.com/nnspatch/nnspatch/proposals"
)

// TestSeedsThroughConsumers feeds every FuzzCheck seed (the former
// crashers of proposals and regmodel, the govmodel crasher and every
// hostile message) through the real decode path of each consumer: the
// process must survive, and a message candidguard refuses must come back as
// the consumer's own clean error (a payload error, a registry rejection, a
// canister trap) carrying the guard's reason.
func TestSeedsThroughConsumers(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzCheck/*")
	if err != nil || len(files) < 100 {
		t.Fatalf("%d seeds, %v", len(files), err)
	}
	at := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	reg, err := regmodel.New(regmodel.Seed{Genesis: at})
	if err != nil {
		t.Fatal(err)
	}
	gov := govmodel.New(govmodel.Config{}, govmodel.Seed{Genesis: at})
	refused := 0
	for _, f := range files {
		msg := seed(t, f)
		name := filepath.Base(f)
		payloadErr := candidguard.PayloadLimits.Check(msg)
		if _, err := proposals.DecodePayload(int32(proposals.FnReviseElectedGuestosVersions), msg); payloadErr != nil &&
			(!errors.Is(err, proposals.ErrDecodePayload) || !errors.Is(err, candidguard.ErrUnsafe)) {
			t.Errorf("%s: proposals.DecodePayload() = %v; want ErrDecodePayload and ErrUnsafe", name, err)
		}
		if err := reg.ExecuteNnsFunction(regmodel.FnReviseElectedGuestosVersions, msg, at); payloadErr != nil &&
			(!regmodel.IsRejected(err) || !strings.Contains(err.Error(), "unsafe candid message")) {
			t.Errorf("%s: regmodel.ExecuteNnsFunction() = %v; want a rejection naming the guard", name, err)
		}
		argErr := candidguard.Check(msg)
		for _, method := range []string{"get_proposal_info", "manage_neuron", "list_proposals"} {
			_, rej := gov.Execute(replica.Call{Method: method, Arg: msg, Now: at, Replicated: method == "manage_neuron"})
			if argErr != nil && (rej == nil || rej.ErrorCode != "IC0503" || !strings.Contains(rej.Message, "unsafe candid message")) {
				t.Errorf("%s: govmodel %s reject = %+v; want a trap naming the guard", name, method, rej)
			}
		}
		if payloadErr != nil {
			refused++
		}
	}
	if refused < 40 {
		t.Fatalf("only %d seeds refused; the corpus lost its crashers", refused)
	}
}

// seed returns the []byte value of a one-argument fuzz corpus file.
func seed(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, lit, ok := strings.Cut(strings.TrimSpace(string(raw)), "\n[]byte(")
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if !ok || err != nil {
		t.Fatalf("%s is not a one-argument fuzz seed: %v", path, err)
	}
	return []byte(s)
}
