package candidguard

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// realMessages returns Candid messages real peers send: governance
// arguments encoded by the JS IDL (recursive type tables) and governance
// replies encoded by agent-go from the generated bindings.
func realMessages(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	raw, err := os.ReadFile("../../governance/localnet/govmodel/testdata/js_args.hex")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Fields(string(raw)) {
		b, err := hex.DecodeString(line)
		if err != nil {
			t.Fatal(err)
		}
		out["js arg "+strconv.Itoa(i)] = b
	}
	title := "Elect GuestOS version"
	info := func(id uint64, ballots int) govdid.ProposalInfo {
		p := govdid.ProposalInfo{Id: &govdid.ProposalId{Id: id}, Status: 1, Topic: 13,
			LatestTally: &govdid.Tally{Yes: 1 << 40, Total: 1 << 41},
			Proposal: &govdid.Proposal{Title: &title, Summary: strings.Repeat("s", 200), Url: "https://forum.dfinity.org/t/1",
				Action: &govdid.Action{Motion: &govdid.Motion{MotionText: "yes"}}}}
		for n := range ballots {
			p.Ballots = append(p.Ballots, struct {
				Field0 uint64        `ic:"0,tuple" json:"0"`
				Field1 govdid.Ballot `ic:"1,tuple" json:"1"`
			}{uint64(n), govdid.Ballot{Vote: 1, VotingPower: 1 << 30}})
		}
		return p
	}
	var page govdid.ListProposalInfoResponse
	for id := range uint64(100) {
		page.ProposalInfo = append(page.ProposalInfo, info(id, 30))
	}
	var sparse govdid.ListProposalInfoResponse
	for range 100 {
		sparse.ProposalInfo = append(sparse.ProposalInfo, govdid.ProposalInfo{})
	}
	for name, v := range map[string]any{"list_proposals page": page, "sparse page": sparse,
		"get_proposal_info": &[]govdid.ProposalInfo{info(7, 0)}[0], "missing proposal": (*govdid.ProposalInfo)(nil)} {
		b, err := candid.Marshal([]any{v})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b
	}
	return out
}

func TestCheckAcceptsRealMessages(t *testing.T) {
	for name, msg := range realMessages(t) {
		if err := Check(msg); err != nil {
			t.Errorf("%s: Check() = %v", name, err)
		}
		// The step budget's headroom: the smallest StepsPerByte that
		// accepts the message without BaseSteps.
		need := 0
		for spb := 1; spb <= DefaultLimits.StepsPerByte; spb++ {
			if (Limits{StepsPerByte: spb, BaseSteps: 1}).Check(msg) == nil {
				need = spb
				break
			}
		}
		if need == 0 {
			t.Errorf("%s needs the base steps", name)
		}
		t.Logf("%s: %d bytes, accepted with %d steps per byte", name, len(msg), need)
	}
}

func TestPayloadLimitsAcceptSeedPayloads(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzCheck/proposals_*")
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, f := range files {
		msg := readSeed(t, f)
		if strings.Contains(f, "truncated") {
			continue
		}
		if strings.Contains(f, "_js_") || strings.Contains(f, "_go_") {
			if err := PayloadLimits.Check(msg); err != nil {
				t.Errorf("%s: PayloadLimits.Check() = %v", f, err)
			}
			accepted++
		}
	}
	if accepted < 30 {
		t.Fatalf("only %d encoder-made seed payloads found", accepted)
	}
}

// readSeed returns the []byte value of a one-argument fuzz corpus file.
func readSeed(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("%s is not a one-argument fuzz seed", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
