package localnet_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// governanceRead builds the command running jspeer/governance_read.mjs
// (the official JS governance client, certified and query reads) for one
// proposal. A missing node_modules fails the test: the suite installs it
// first.
func governanceRead(t *testing.T, url string, id uint64) *exec.Cmd {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "jspeer"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@icp-sdk", "canisters")); err != nil {
		t.Fatalf("JS peer not installed (%v); run: npm ci --prefix jspeer", err)
	}
	cmd := exec.Command("node", filepath.Join(dir, "governance_read.mjs"), url, strconv.FormatUint(id, 10))
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// runGovernanceRead runs governance_read.mjs and decodes both reads.
func runGovernanceRead(t *testing.T, url string, id uint64) map[string]struct{ Status, Title string } {
	t.Helper()
	out, err := governanceRead(t, url, id).Output()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		t.Fatalf("governance_read.mjs: %v\n%s", err, ee.Stderr)
	} else if err != nil {
		t.Fatalf("governance_read.mjs: %v", err)
	}
	var got map[string]struct{ Status, Title string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("governance_read.mjs output %q: %v", out, err)
	}
	return got
}

// TestJSPeerAfterAdvance checks that the official JS governance client, in
// both certified modes, still reads governance after the virtual clock moved
// days ahead (its certified /time then runs ahead of real time), and sees
// the deadline's outcome.
func TestJSPeerAfterAdvance(t *testing.T) {
	n := localnettest.Start(t)
	dev := newGovClient(t, n.URL(), developer(t, n))
	id, err := dev.propose(devNeuron, "A motion decided at its deadline", motion("text"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(4*24*time.Hour + time.Minute); err != nil {
		t.Fatal(err)
	}
	got := runGovernanceRead(t, n.URL(), id)
	for _, mode := range []string{"certified", "query"} {
		// Executed (4): the developer's yes is over 3% of the total and
		// nobody voted no.
		if p := got[mode]; p.Status != "4" || p.Title != "A motion decided at its deadline" {
			t.Errorf("%s read after advance: %+v, want the executed motion", mode, p)
		}
	}
}

// TestJSPeerRefusesBadRootKey checks that the official JS governance client
// fails against a network whose advertised root key does not sign its
// certificates, rather than reading unverified data.
func TestJSPeerRefusesBadRootKey(t *testing.T) {
	n := localnettest.Start(t, localnettest.WithBadRootKey())
	out, err := governanceRead(t, n.URL(), 1).CombinedOutput()
	var ee *exec.ExitError
	t.Logf("%s", out)
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(strings.ToLower(string(out)), "signature") {
		t.Fatalf("governance_read.mjs against a bad root key: %v\n%s\nwant exit 1 with a signature verification failure", err, out)
	}
}
