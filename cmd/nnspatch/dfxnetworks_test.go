package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDFXNetworksByName uses networks from dfx's user networks.json
// (local.bind moves "local") and from a project's dfx.json by name.
func TestDFXNetworksByName(t *testing.T) {
	n, _ := cliNet(t)
	u, err := url.Parse(n.URL())
	must(t, err)
	root := filepath.Join(os.Getenv("DFX_CONFIG_ROOT"), ".config", "dfx")
	must(t, os.MkdirAll(root, 0o700))
	must(t, os.WriteFile(filepath.Join(root, "networks.json"),
		[]byte(`{"local": {"bind": "`+u.Host+`", "type": "ephemeral"}, "far": {"providers": ["https://far.example.org"]}}`), 0o600))
	project := t.TempDir()
	must(t, os.WriteFile(filepath.Join(project, "dfx.json"),
		[]byte(`{"canisters": {}, "networks": {"staging": {"providers": ["`+n.URL()+`"], "type": "persistent"}}}`), 0o600))
	t.Chdir(project)

	subnet := n.Topology().Subnets[0].ID
	for _, network := range []string{"local", "staging"} {
		r := runCLI(t, "subnets", "--network", network, "--identity", "anonymous")
		if r.Code != ExitOK || !strings.Contains(r.Stdout, subnet) {
			t.Errorf("--network %s: %d %q", network, r.Code, r.Stderr)
		}
	}
	t.Setenv("DFX_NETWORK", "staging")
	if r := runCLI(t, "subnets", "--identity", "anonymous"); r.Code != ExitOK || !strings.Contains(r.Stdout, subnet) {
		t.Errorf("DFX_NETWORK=staging: %d %q", r.Code, r.Stderr)
	}
	r := runCLI(t, "config", "show")
	shown := strings.Join(strings.Fields(r.Stdout), " ") // the key column's width follows the longest key
	for _, want := range []string{"networks.local http://" + u.Host, "networks.staging " + n.URL(), "(dfx)", "network staging", "(DFX_NETWORK)"} {
		if !strings.Contains(shown, want) {
			t.Errorf("config show lacks %q:\n%s", want, r.Stdout)
		}
	}
	// A remote dfx network still needs its root key, as any other.
	if r := runCLI(t, "subnets", "--network", "far", "--identity", "anonymous"); r.Code != ExitError || !strings.Contains(r.Stderr, "root key") {
		t.Errorf("far without root key: %d %q", r.Code, r.Stderr)
	}
	// local_url set explicitly wins over dfx's bind.
	t.Setenv("NNSPATCH_LOCAL_URL", "http://127.0.0.1:1")
	if r := runCLI(t, "subnets", "--network", "local", "--identity", "anonymous"); r.Code != ExitNetwork {
		t.Errorf("NNSPATCH_LOCAL_URL must win over local.bind: %d %q", r.Code, r.Stderr)
	}
}
