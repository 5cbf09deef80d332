package governance

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// jsProposal is one proposal as jspeer/governance_read.mjs prints it.
type jsProposal struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	Topic       string `json:"topic"`
	Proposer    string `json:"proposer"`
	NNSFunction string `json:"nns_function"`
	PayloadHex  string `json:"payload_hex"`
	Tally       struct {
		Yes, No, Total string
	} `json:"tally"`
}

// runJSPeer runs a jspeer script with node and returns its stdout. A
// missing node_modules fails the test: the suite runs `npm ci --prefix
// jspeer` first, so a missing peer is a broken setup, never a skip.
func runJSPeer(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "jspeer"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@icp-sdk", "canisters")); err != nil {
		t.Fatalf("JS peer not installed (%v); run: npm ci --prefix jspeer", err)
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir, script)}, args...)...)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("node %s: %v\n%s", script, err, ee.Stderr)
	}
	if err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	return out
}

func TestJSPeerReadsWhatWeWrote(t *testing.T) {
	net, c := startLocal(t)
	ctx := testCtx(t)
	electReq, motionReq := electRequest(t, "5555555555555555555555555555555555555555"), motionRequest("cross-check")
	elect, err := c.MakeProposal(ctx, devNeuron, electReq)
	if err != nil {
		t.Fatal(err)
	}
	motion, err := c.MakeProposal(ctx, 81, motionReq)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Vote(ctx, devNeuron, motion, VoteNo); err != nil {
		t.Fatal(err)
	}
	sent := map[uint64]govdid.MakeProposalRequest{elect: electReq, motion: motionReq}
	for _, id := range []uint64{elect, motion} {
		t.Run(strconv.FormatUint(id, 10), func(t *testing.T) {
			ours, err := c.GetProposal(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			// What we read back is what we sent, byte for byte; the JS
			// client must then read the same.
			req := sent[id]
			var payload []byte
			if fn := req.Action.ExecuteNnsFunction; fn != nil {
				payload = fn.Payload
			}
			if ours.Title != *req.Title || !bytes.Equal(ours.Action.Payload, payload) {
				t.Errorf("read back title %q payload %x, sent %q %x", ours.Title, ours.Action.Payload, *req.Title, payload)
			}
			if id == motion && ours.Tally.No == 0 {
				t.Errorf("the developer's no vote is missing from the tally: %+v", ours.Tally)
			}
			var got struct{ Certified, Query *jsProposal }
			if err := json.Unmarshal(runJSPeer(t, "governance_read.mjs", net.URL(), strconv.FormatUint(id, 10)), &got); err != nil {
				t.Fatal(err)
			}
			for name, js := range map[string]*jsProposal{"certified": got.Certified, "query": got.Query} {
				if js == nil {
					t.Fatalf("%s: JS client found no proposal %d", name, id)
				}
				want := jsProposal{ID: strconv.FormatUint(ours.ID, 10), Title: ours.Title, Status: strconv.Itoa(int(ours.Status)),
					Topic: strconv.Itoa(int(ours.Topic)), Proposer: strconv.FormatUint(ours.Proposer, 10), PayloadHex: hex.EncodeToString(ours.Action.Payload)}
				if ours.Action.Kind == "ExecuteNnsFunction" {
					want.NNSFunction = strconv.Itoa(int(ours.Action.NNSFunction))
				}
				want.Tally.Yes, want.Tally.No, want.Tally.Total = u(ours.Tally.Yes), u(ours.Tally.No), u(ours.Tally.Total)
				if *js != want {
					t.Errorf("%s: JS read %+v, we read %+v", name, *js, want)
				}
			}
		})
	}
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }
