//go:build cgo

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/hsmtest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/rollout"
)

// tokenNeuron is the neuron the seed of hsmNet gives the token's key.
const tokenNeuron = "4242"

// hsmNet starts a local network whose seed adds neuron 4242 controlled
// by the SoftHSM2 token's P-256 key and makes neuron 27 (which the
// trusted neurons follow) follow it on the IC OS topics, so proposals it
// makes are adopted at once. It returns the token and the flags that sign
// with the token (module from NNSPATCH_HSM_MODULE, PIN from
// NNSPATCH_HSM_PIN, as a script would run it).
func hsmNet(t *testing.T) (*localnet.Network, hsmtest.Token, []string) {
	t.Helper()
	tok := hsmtest.Get(t)
	isolateConfig(t)
	seed := localnet.DefaultSeed()
	for i := range seed.Neurons {
		if seed.Neurons[i].ID == 27 {
			seed.Neurons[i].Follow = map[int32][]uint64{12: {4242}, 13: {4242}}
		}
	}
	seed.Neurons = append(seed.Neurons, localnet.NeuronSeed{ID: 4242, Name: "release key in a token",
		Controller: tok.P256Principal, StakeICP: 400000, DissolveDelayDays: 2922})
	n := localnettest.Start(t, localnettest.WithSeed(seed))
	t.Setenv("NNSPATCH_HSM_MODULE", tok.Module)
	t.Setenv("NNSPATCH_HSM_PIN", tok.PIN)
	return n, tok, []string{"--network", n.URL(), "--root-key", "fetch", "--identity", "hsm:id=" + hsmtest.P256ID}
}

// TestHSMIdentityCommands drives whoami, proposal submit, vote,
// vote --sign-only and send with --identity hsm:id=01; localnet's replica
// checks every signature the token made.
func TestHSMIdentityCommands(t *testing.T) {
	n, tok, flags := hsmNet(t)
	r := run(t, flags[4:], "identity", "whoami", "--json")
	var who struct{ Principal, Identity string }
	if err := json.Unmarshal([]byte(r.Stdout), &who); err != nil || who.Principal != tok.P256Principal {
		t.Fatalf("whoami: %d %q %q, want %s (from the token's public key)", r.Code, r.Stdout, r.Stderr, tok.P256Principal)
	}
	if strings.Contains(r.Stdout+r.Stderr, tok.PIN) {
		t.Error("PIN printed")
	}

	motion := filepath.Join(t.TempDir(), "motion.yaml")
	writeMotion(t, motion, "submitted with a token")
	r = run(t, flags, "proposal", "submit", motion, "--neuron", tokenNeuron, "--yes")
	if r.Code != ExitOK {
		t.Fatalf("submit: %d %s", r.Code, r.Stderr)
	}

	devFlags := []string{"--network", n.URL(), "--root-key", "fetch", "--identity", n.DeveloperIdentityPath()}
	other := submitMotion(t, devFlags, "vote on me with a token")
	r = run(t, flags, "vote", other, "yes", "--neuron", tokenNeuron, "--yes")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "✓ voted") {
		t.Fatalf("vote: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}

	third := submitMotion(t, devFlags, "sign offline with a token")
	file := filepath.Join(t.TempDir(), "vote.json")
	r = run(t, flags, "vote", third, "no", "--neuron", tokenNeuron, "--sign-only", file)
	if r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), tok.P256Principal) {
		t.Errorf("signed file does not name the token's principal as sender")
	}
	// send carries the token's signatures; it needs neither token nor PIN.
	t.Setenv("NNSPATCH_HSM_PIN", "")
	r = run(t, []string{"--network", n.URL(), "--root-key", "fetch"}, "send", file, "--yes")
	if r.Code != ExitOK {
		t.Fatalf("send: %d %s", r.Code, r.Stderr)
	}
	// Governance shows a caller the ballots of its own neurons only.
	t.Setenv("NNSPATCH_HSM_PIN", tok.PIN)
	for id, vote := range map[string]string{other: "yes", third: "no"} {
		if !hasBallot(t, flags, id, 4242, vote) {
			t.Errorf("proposal %s has no %s ballot of neuron 4242", id, vote)
		}
	}
}

// TestHSMIdentityExitCodes checks that a wrong PIN, a missing token, an
// unsupported key and a missing PIN each fail with a clear error, a hint
// and exit 4.
func TestHSMIdentityExitCodes(t *testing.T) {
	_, tok, flags := hsmNet(t)
	cases := []struct {
		name, identity, pin string
		want                []string
	}{
		{"wrong PIN", "hsm:id=01", "999999", []string{"PIN rejected", "CKR_PIN_INCORRECT", "hint:"}},
		{"missing token", "hsm:token=no-such-token,id=01", tok.PIN, []string{"token not found", `"no-such-token"`, "pkcs11-tool", "hint:"}},
		{"RSA key", "hsm:id=" + hsmtest.RSAID, tok.PIN, []string{"key type unsupported", "RSA", "P-256", "hint:"}},
		{"secp256k1 key", "hsm:id=" + hsmtest.K1ID, tok.PIN, []string{"key type unsupported", "secp256k1", "hint:"}},
		{"no PIN without a terminal", "hsm:id=01", "", []string{"no terminal", "NNSPATCH_HSM_PIN", "hint:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("NNSPATCH_HSM_PIN", c.pin)
			fl := append(append([]string{}, flags[:4]...), "--identity", c.identity)
			for _, args := range [][]string{{"identity", "whoami"}, {"vote", "1", "yes", "--neuron", tokenNeuron, "--yes"}} {
				if args[0] == "identity" {
					fl = fl[4:]
				}
				r := run(t, fl, args...)
				if r.Code != ExitAuth {
					t.Fatalf("%v: exit %d, want %d\n%s", args, r.Code, ExitAuth, r.Stderr)
				}
				for _, w := range c.want {
					if !strings.Contains(r.Stderr, w) {
						t.Errorf("%v: stderr lacks %q:\n%s", args, w, r.Stderr)
					}
				}
				if strings.Contains(r.Stderr, "anonymous") {
					t.Errorf("%v: fell back to the anonymous identity:\n%s", args, r.Stderr)
				}
			}
		})
	}
}

// TestHSMPINPrompt types the PIN at a (test) terminal: the prompt names
// the token, and the PIN is read through the no-echo reader, never shown.
func TestHSMPINPrompt(t *testing.T) {
	_, tok, flags := hsmNet(t)
	t.Setenv("NNSPATCH_HSM_PIN", "")
	reads := typeSecret(t, tok.PIN)
	r := runTTY(t, append([]string{"identity", "whoami"}, flags[4:]...)...)
	if r.Code != ExitOK || strings.TrimSpace(r.Stdout) != tok.P256Principal {
		t.Fatalf("whoami: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
	if *reads != 1 || !strings.Contains(r.Stderr, `Enter the PIN for PKCS#11 token "`+tok.Label+`"`) || strings.Contains(r.Stderr, tok.PIN) {
		t.Errorf("prompt: %d reads, stderr %q", *reads, r.Stderr)
	}
}

// TestDFXHSMIdentity uses a dfx HSM identity (identity.json with an hsm
// section) by name, with the PIN in DFX_HSM_PIN as dfx reads it.
func TestDFXHSMIdentity(t *testing.T) {
	_, tok, _ := hsmNet(t)
	t.Setenv("NNSPATCH_HSM_PIN", "")
	t.Setenv("DFX_HSM_PIN", tok.PIN)
	dir := filepath.Join(os.Getenv("DFX_CONFIG_ROOT"), ".config", "dfx", "identity", "hardware")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := `{"hsm": {"pkcs11_lib_path": "` + tok.Module + `", "key_id": "01"}}`
	if err := os.WriteFile(filepath.Join(dir, "identity.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DFX_IDENTITY", "hardware")
	r := runCLI(t, "identity", "whoami")
	if r.Code != ExitOK || strings.TrimSpace(r.Stdout) != tok.P256Principal || !strings.Contains(r.Stderr, "PKCS#11 token") {
		t.Errorf("whoami as dfx HSM identity: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
}

// TestTUIVotesWithTokenInTmux runs the real binary in a real terminal
// (tmux) with --identity hsm:id=01 and no PIN in the environment: the TUI
// asks for the PIN before it starts (the typed PIN is not echoed), then
// votes yes on a motion with the token's neuron, and governance records
// the ballot.
func TestTUIVotesWithTokenInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is not installed; run scripts/setup-test.sh: %v", err)
	}
	n, tok, flags := hsmNet(t)
	devFlags := []string{"--network", n.URL(), "--root-key", "fetch", "--identity", n.DeveloperIdentityPath()}
	id := submitMotion(t, devFlags, "vote from the TUI with a token")
	dir := t.TempDir()
	bin := filepath.Join(dir, "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Setenv("NNSPATCH_HSM_PIN", "") // the tmux server inherits this process's environment
	s := tmuxSession{t: t, socket: fmt.Sprintf("nnspatch-hsm-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { s.run("kill-server") })
	cmdline := strings.Join(append([]string{bin, "tui", "--neuron", tokenNeuron, "--refresh", "2s", "--log-file", filepath.Join(dir, "tui.log")}, flags...), " ")
	args := []string{"new-session", "-d", "-s", "tui", "-x", "80", "-y", "24", "-e", "NO_COLOR=1"}
	for _, k := range []string{"SOFTHSM2_CONF", "NNSPATCH_HSM_MODULE", "NNSPATCH_CONFIG_HOME", "DFX_CONFIG_ROOT", "XDG_DATA_HOME"} {
		args = append(args, "-e", k+"="+os.Getenv(k))
	}
	if out, err := s.run(append(args, cmdline)...); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	s.waitScreen(`Enter the PIN for PKCS#11 token "` + tok.Label + `"`)
	s.run("send-keys", "-t", "tui", "-l", tok.PIN)
	if scr := s.screen(); strings.Contains(scr, tok.PIN) {
		t.Fatalf("the PIN is echoed:\n%s", scr)
	}
	s.run("send-keys", "-t", "tui", "Enter")
	s.waitScreen("Motion: vote from the TUI")
	s.run("send-keys", "-t", "tui", "Enter")
	s.waitScreen("motion_text: vote from the TUI with a token")
	s.run("send-keys", "-t", "tui", "y")
	s.waitScreen("y confirm")
	s.run("send-keys", "-t", "tui", "y")
	s.waitScreen("voted yes on #" + id)
	s.run("send-keys", "-t", "tui", "q")
	t.Setenv("NNSPATCH_HSM_PIN", tok.PIN)
	if !hasBallot(t, flags, id, 4242, "yes") {
		t.Errorf("proposal %s has no yes ballot of neuron 4242", id)
	}
}

// TestHSMReleaseRolloutRollback runs a security release with the release
// key in a token: release submit (the election), rollout advance (the
// deployment proposals) and rollback submit all sign with hsm:id=01 from
// neuron 4242, and every proposal they make names 4242 as proposer.
func TestHSMReleaseRolloutRollback(t *testing.T) {
	n, _, flags := hsmNet(t)
	t.Setenv("NNSPATCH_LOCAL_URL", n.URL())
	t.Setenv("NNSPATCH_IDENTITY", "hsm:id="+hsmtest.P256ID)
	t.Setenv("NNSPATCH_NEURON", tokenNeuron)
	rel, _, election := newTestRelease(t)
	mustRun(t, 0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "2", "--bake", "15m")
	l, err := rollout.Store{Dir: rel}.Read()
	if err != nil {
		t.Fatal(err)
	}
	failing := l.Plan.Batches[0].Subnets[0]
	if err := n.SetFault(localnet.Fault{Version: patchVersion, Subnets: []string{failing}}); err != nil {
		t.Fatal(err)
	}
	before := proposalCount(n)
	mustRun(t, 0, "rollout", "advance", rel, "--yes")
	deployed := proposalCount(n) - before
	if _, err := n.Advance(20 * time.Minute); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ExitRefused, "rollout", "status", rel)
	mustRun(t, 0, "rollback", "submit", "--release", rel, "--yes")
	var doc jsonout.RollbackStatus
	if err := json.Unmarshal([]byte(mustRun(t, 0, "rollback", "status", "--release", rel, "--json").Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	ids := []uint64{election}
	for _, s := range doc.Status.Steps {
		if s.Proposal != 0 {
			ids = append(ids, s.Proposal)
		}
	}
	if deployed < 1 || len(ids) < 2 { // the election and the failing subnet's rollback
		t.Fatalf("rollout made %d proposal(s); rollback steps %+v", deployed, doc.Status.Steps)
	}
	for _, id := range ids {
		r := run(t, flags[:4], "proposal", "show", fmt.Sprint(id), "--json")
		var show struct {
			Proposal struct {
				Proposer uint64 `json:"proposer"`
			} `json:"proposal"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &show); err != nil || show.Proposal.Proposer != 4242 {
			t.Errorf("proposal %d: proposer %d (%v), want the token's neuron 4242\n%s", id, show.Proposal.Proposer, err, r.Stderr)
		}
	}
}
