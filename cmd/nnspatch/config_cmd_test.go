package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
)

func TestConfigShow(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
	}{
		{name: "defaults"},
		{name: "layers", file: "network: ic\nneuron: 42\nidentity: alice\nnetworks:\n  staging:\n    url: http://127.0.0.1:5000\n",
			env:  map[string]string{"NNSPATCH_IDENTITY": "bob", "NNSPATCH_INGRESS_EXPIRY": "2m"},
			args: []string{"--network", "staging"}},
		{name: "json", file: "neuron: 7\n", args: []string{"--json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolateConfig(t)
			if tt.file != "" {
				if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			r := runCLI(t, append([]string{"config", "show"}, tt.args...)...)
			if r.Code != ExitOK {
				t.Fatalf("exit %d: %s", r.Code, r.Stderr)
			}
			golden(t, strings.ReplaceAll(r.Stdout, dir, "$NNSPATCH_CONFIG_HOME"))
		})
	}
}

func TestConfigInit(t *testing.T) {
	dir := isolateConfig(t)
	path := filepath.Join(dir, "config.yaml")
	r := runCLI(t, "config", "init")
	if r.Code != ExitOK || strings.TrimSpace(r.Stdout) != path {
		t.Fatalf("first init: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if err := os.WriteFile(path, []byte("network: ic\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "config", "init")
	if r.Code != ExitError || !strings.Contains(r.Stderr, "--force") {
		t.Errorf("init over an existing file: exit %d, stderr %q; want exit 1 mentioning --force", r.Code, r.Stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != "network: ic\n" {
		t.Errorf("init without --force changed the file to %q", data)
	}
	if r = runCLI(t, "config", "init", "--force"); r.Code != ExitOK {
		t.Fatalf("init --force: exit %d: %s", r.Code, r.Stderr)
	}
	r = runCLI(t, "config", "show", "--json")
	var doc struct {
		FileFound bool `json:"file_found"`
		Values    []struct{ Key, Source string }
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("config show --json: %v\n%s", err, r.Stdout)
	}
	if !doc.FileFound || doc.Values[0].Source != "default" {
		t.Errorf("after init, config show says file_found=%v, network from %s; want the written file, leaving network to dfx", doc.FileFound, doc.Values[0].Source)
	}
}

// TestConfigInitKeepsDFXChoices checks that a fresh config file leaves
// the network and identity to DFX_NETWORK and DFX_IDENTITY, and that
// `config show` names them as the sources.
func TestConfigInitKeepsDFXChoices(t *testing.T) {
	isolateConfig(t)
	if r := runCLI(t, "config", "init"); r.Code != ExitOK {
		t.Fatalf("init: %d %s", r.Code, r.Stderr)
	}
	t.Setenv("DFX_NETWORK", "ic")
	t.Setenv("DFX_IDENTITY", "release-bot")
	r := runCLI(t, "config", "show")
	for _, want := range []string{"network", "ic", "(DFX_NETWORK)", "release-bot", "(DFX_IDENTITY)"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("config show lacks %q:\n%s", want, r.Stdout)
		}
	}
	t.Setenv("NNSPATCH_NETWORK", "local")
	r = runCLI(t, "config", "show", "--json")
	var doc struct {
		Values []struct{ Key, Source string }
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, v := range doc.Values {
		if (v.Key == "network" && v.Source != "env") || (v.Key == "identity" && v.Source != "DFX_IDENTITY") {
			t.Errorf("%s from %s", v.Key, v.Source)
		}
	}
}

func TestConfigPath(t *testing.T) {
	dir := isolateConfig(t)
	if r := runCLI(t, "config", "path"); strings.TrimSpace(r.Stdout) != filepath.Join(dir, "config.yaml") {
		t.Errorf("config path = %q", r.Stdout)
	}
	if r := runCLI(t, "--config", "/etc/x.yaml", "config", "path"); strings.TrimSpace(r.Stdout) != "/etc/x.yaml" {
		t.Errorf("config path --config = %q", r.Stdout)
	}
}

func TestConfigMalformed(t *testing.T) {
	dir := isolateConfig(t)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("network: ic\nneuron: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "config", "show")
	if r.Code != ExitError || !strings.Contains(r.Stderr, path) || !strings.Contains(r.Stderr, "line ") {
		t.Errorf("malformed file: exit %d, stderr %q; want exit 1 naming file and line", r.Code, r.Stderr)
	}
	// Offline commands that do not need the config still work.
	if r := runCLI(t, "version"); r.Code != ExitOK {
		t.Errorf("version with a malformed config: exit %d: %s", r.Code, r.Stderr)
	}
}

// TestREADMEConfigFile keeps the README's config section equal to what
// `nnspatch config init` writes.
func TestREADMEConfigFile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```yaml\n"+config.DefaultFile()+"```") {
		t.Error("README.md's yaml block differs from config.DefaultFile(); paste the new file into README.md")
	}
}

func TestNetworkCompletion(t *testing.T) {
	dir := isolateConfig(t)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("networks:\n  staging:\n    url: http://127.0.0.1:5000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "__complete", "version", "--network", "")
	if r.Code != ExitOK {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	if got, want := strings.Fields(r.Stdout), []string{"ic", "local", "staging", ":4"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("completions = %q, want %q", got, want)
	}
}
