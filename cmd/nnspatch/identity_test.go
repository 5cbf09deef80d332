package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// cliNet starts a local network and returns it with the flags that point
// a command at it as the developer identity (root key fetched).
func cliNet(t *testing.T, opts ...localnettest.Option) (*localnet.Network, []string) {
	t.Helper()
	isolateConfig(t)
	n := localnettest.Start(t, opts...)
	return n, []string{"--network", n.URL(), "--root-key", "fetch", "--identity", n.DeveloperIdentityPath()}
}

// run runs nnspatch with cmd args followed by flags.
func run(t *testing.T, flags []string, args ...string) cliResult {
	t.Helper()
	return runCLI(t, append(args, flags...)...)
}

func TestIdentityWhoami(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "k.pem")
	if out, err := exec.Command("openssl", "genpkey", "-algorithm", "ed25519", "-out", key).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	id, err := governance.LoadIdentity(key, governance.IdentityEnv{})
	if err != nil {
		t.Fatal(err)
	}
	want := id.Sender().Encode()

	r := runCLI(t, "identity", "whoami", "--identity", key)
	if r.Code != ExitOK || r.Stdout != want+"\n" {
		t.Errorf("whoami = %d %q %q, want %s", r.Code, r.Stdout, r.Stderr, want)
	}
	t.Setenv("NNSPATCH_IDENTITY", key)
	r = runCLI(t, "identity", "whoami", "--json")
	var doc struct {
		SchemaVersion int    `json:"schema_version"`
		Principal     string `json:"principal"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || doc.Principal != want || doc.SchemaVersion != 1 {
		t.Errorf("whoami --json via NNSPATCH_IDENTITY = %q (%v)", r.Stdout, err)
	}
	if strings.Contains(r.Stdout+r.Stderr, "PRIVATE KEY") {
		t.Error("key material printed")
	}
}

func TestIdentityErrorsExitCodes(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "enc.pem")
	cmd := exec.Command("openssl", "genpkey", "-algorithm", "ed25519", "-aes256", "-pass", "pass:secret1234", "-out", key)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	r := runCLI(t, "identity", "whoami", "--identity", key)
	if r.Code != ExitAuth || !strings.Contains(r.Stderr, "encrypted") || !strings.Contains(r.Stderr, "hint:") {
		t.Errorf("encrypted key: %d %q", r.Code, r.Stderr)
	}
	t.Setenv("HOME", dir)
	r = runCLI(t, "identity", "whoami", "--identity", "nobody")
	if r.Code != ExitAuth || !strings.Contains(r.Stderr, `"nobody"`) {
		t.Errorf("missing identity: %d %q", r.Code, r.Stderr)
	}
}

func TestRegistryCommands(t *testing.T) {
	n, flags := cliNet(t)
	topo := n.Topology()
	r := run(t, flags, "subnets", "--json")
	var subnets struct {
		SchemaVersion int `json:"schema_version"`
		Subnets       []governance.Subnet
	}
	if err := json.Unmarshal([]byte(r.Stdout), &subnets); err != nil || r.Code != ExitOK || len(subnets.Subnets) != len(topo.Subnets) {
		t.Fatalf("subnets --json: %d %v %q", r.Code, err, r.Stderr)
	}
	r = run(t, flags, "subnets")
	if !strings.Contains(r.Stdout, topo.Subnets[0].ID) || !strings.Contains(r.Stdout, "GUESTOS") {
		t.Errorf("subnets table:\n%s", r.Stdout)
	}
	r = run(t, flags, "versions")
	for _, v := range append(topo.GuestOSVersions, topo.HostOSVersions...) {
		if !strings.Contains(r.Stdout, v.ID) {
			t.Errorf("versions lacks %s:\n%s", v.ID, r.Stdout)
		}
	}
	r = run(t, flags, "version", "show", topo.GuestOSVersions[0].ID)
	if r.Code != ExitOK || !strings.Contains(r.Stdout, topo.GuestOSVersions[0].SHA256) {
		t.Errorf("version show: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = run(t, flags, "version", "show", "ffffffffffffffffffffffffffffffffffffffff")
	if r.Code != ExitError || !strings.Contains(r.Stderr, "record not found") {
		t.Errorf("unknown version: %d %q", r.Code, r.Stderr)
	}
}

func TestTrustAndReachabilityExitCodes(t *testing.T) {
	n, flags := cliNet(t, localnettest.WithBadRootKey())
	r := run(t, flags, "proposals", "list")
	if r.Code != ExitUntrusted || !strings.Contains(r.Stderr, "network "+n.URL()) || !strings.Contains(r.Stderr, "--root-key") {
		t.Errorf("bad root key: %d %q", r.Code, r.Stderr)
	}
	r = runCLI(t, "subnets", "--network", "http://127.0.0.1:1", "--root-key", "fetch")
	if r.Code != ExitNetwork {
		t.Errorf("unreachable: %d %q", r.Code, r.Stderr)
	}
	r = runCLI(t, "subnets", "--network", "https://x.example.org")
	if r.Code != ExitError || !strings.Contains(r.Stderr, "root key") {
		t.Errorf("URL without root key: %d %q", r.Code, r.Stderr)
	}
}

func TestDFXNetworkIsHonoured(t *testing.T) {
	n, _ := cliNet(t)
	t.Setenv("DFX_NETWORK", n.URL())
	r := runCLI(t, "subnets", "--root-key", "fetch", "--identity", "anonymous")
	if r.Code != ExitOK || !strings.Contains(r.Stdout, n.Topology().Subnets[0].ID) {
		t.Errorf("DFX_NETWORK: %d %q", r.Code, r.Stderr)
	}
	t.Setenv("NNSPATCH_NETWORK", "http://127.0.0.1:1")
	r = runCLI(t, "subnets", "--root-key", "fetch", "--identity", "anonymous")
	if r.Code != ExitNetwork {
		t.Errorf("NNSPATCH_NETWORK must win over DFX_NETWORK: %d %q", r.Code, r.Stderr)
	}
}
