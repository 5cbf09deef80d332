// Precedence, highest first: flag > env (NNSPATCH_*) > file > default.
// Each case below sets some layers and checks the winning value and the
// reported source of one key.
package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

// isolate points every config location at a fresh temp dir and clears the
// NNSPATCH_* variables a developer's shell might set; it returns the dir
// searched by default.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("NNSPATCH_CONFIG_HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	for _, k := range Keys {
		t.Setenv(EnvPrefix+"_"+strings.ToUpper(k), "")
	}
	return dir
}

// globalFlags builds the root's flag set, parsed from args.
func globalFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("nnspatch", pflag.ContinueOnError)
	fs.String("network", "", "")
	fs.String("identity", "", "")
	fs.Bool("json", false, "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		env        map[string]string
		args       []string
		key        string
		want       any
		wantSource Source
	}{
		{name: "default", key: "network", want: "local", wantSource: SourceDefault},
		{name: "file over default", file: "network: ic\n", key: "network", want: "ic", wantSource: SourceFile},
		{name: "env over file", file: "network: ic\n", env: map[string]string{"NNSPATCH_NETWORK": "http://127.0.0.1:9"},
			key: "network", want: "http://127.0.0.1:9", wantSource: SourceEnv},
		{name: "flag over env", file: "network: ic\n", env: map[string]string{"NNSPATCH_NETWORK": "ic"},
			args: []string{"--network", "local"}, key: "network", want: "local", wantSource: SourceFlag},
		{name: "flag equal to default still wins", env: map[string]string{"NNSPATCH_NETWORK": "ic"},
			args: []string{"--network=local"}, key: "network", want: "local", wantSource: SourceFlag},
		{name: "identity from env", env: map[string]string{"NNSPATCH_IDENTITY": "alice"},
			key: "identity", want: "alice", wantSource: SourceEnv},
		{name: "neuron from file", file: "neuron: 42\n", key: "neuron", want: uint64(42), wantSource: SourceFile},
		{name: "neuron env over file", file: "neuron: 42\n", env: map[string]string{"NNSPATCH_NEURON": "7"},
			key: "neuron", want: uint64(7), wantSource: SourceEnv},
		{name: "json flag over file output", file: "output: text\n", args: []string{"--json"},
			key: "output", want: "json", wantSource: SourceFlag},
		{name: "json=false flag over env output", env: map[string]string{"NNSPATCH_OUTPUT": "json"},
			args: []string{"--json=false"}, key: "output", want: "text", wantSource: SourceFlag},
		{name: "output from env", env: map[string]string{"NNSPATCH_OUTPUT": "json"}, key: "output", want: "json", wantSource: SourceEnv},
		{name: "deny words from env split on commas", env: map[string]string{"NNSPATCH_DENY_WORDS": "foo,bar baz"},
			key: "deny_words", want: []string{"foo", "bar baz"}, wantSource: SourceEnv},
		{name: "ingress expiry from file", file: "ingress_expiry: 90s\n", key: "ingress_expiry", want: "1m30s", wantSource: SourceFile},
		{name: "alert window default", key: "alert_window", want: "15m0s", wantSource: SourceDefault},
		{name: "alert window env over file", file: "alert_window: 1h\n", env: map[string]string{"NNSPATCH_ALERT_WINDOW": "30m"},
			key: "alert_window", want: "30m0s", wantSource: SourceEnv},
		{name: "query from file", file: "query_alerts: 'ALERTS[{{.Window}}]'\n", key: "query_alerts", want: "ALERTS[{{.Window}}]", wantSource: SourceFile},
		{name: "query env over file", file: "query_version: a\n", env: map[string]string{"NNSPATCH_QUERY_VERSION": "b"},
			key: "query_version", want: "b", wantSource: SourceEnv},
		{name: "local_url env over file", file: "local_url: http://127.0.0.1:1\n",
			env: map[string]string{"NNSPATCH_LOCAL_URL": "http://127.0.0.1:2"}, key: "local_url", want: "http://127.0.0.1:2", wantSource: SourceEnv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			if tt.file != "" {
				writeFile(t, filepath.Join(dir, "config.yaml"), tt.file)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			l, err := Load(Options{Flags: globalFlags(t, tt.args...)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, l.Config.Value(tt.key)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.key, diff)
			}
			if got := l.Sources[tt.key]; got != tt.wantSource {
				t.Errorf("source of %s = %s, want %s", tt.key, got, tt.wantSource)
			}
		})
	}
}

func TestSearchPath(t *testing.T) {
	tests := []struct {
		name       string
		home, xdg  string
		configFlag string
		want       string // relative to the temp dir
	}{
		{name: "NNSPATCH_CONFIG_HOME first", home: "h", xdg: "x", want: "h/config.yaml"},
		{name: "then XDG_CONFIG_HOME", xdg: "x", want: "x/nnspatch/config.yaml"},
		{name: "--config wins over both", home: "h", xdg: "x", configFlag: "c/my.yaml", want: "c/my.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("NNSPATCH_CONFIG_HOME", join(dir, tt.home))
			t.Setenv("XDG_CONFIG_HOME", join(dir, tt.xdg))
			want := filepath.Join(dir, tt.want)
			writeFile(t, want, "network: ic\n")
			l, err := Load(Options{File: join(dir, tt.configFlag)})
			if err != nil {
				t.Fatal(err)
			}
			if l.Path != want || !l.FileFound || l.Config.Network != "ic" {
				t.Errorf("Load read %s (found %v, network %s), want %s with network ic", l.Path, l.FileFound, l.Config.Network, want)
			}
		})
	}
}

func join(dir, rel string) string {
	if rel == "" {
		return ""
	}
	return filepath.Join(dir, rel)
}

func TestHomeFallback(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("NNSPATCH_CONFIG_HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	if got, want := DefaultPath(), filepath.Join(home, ".config", "nnspatch", "config.yaml"); got != want {
		t.Errorf("DefaultPath() = %s, want %s", got, want)
	}
}

func TestMissingFile(t *testing.T) {
	isolate(t)
	l, err := Load(Options{})
	if err != nil {
		t.Fatalf("missing default file: %v", err)
	}
	if l.FileFound {
		t.Error("FileFound = true for a missing file")
	}
	if _, err := Load(Options{File: filepath.Join(t.TempDir(), "nope.yaml")}); err == nil {
		t.Error("a missing --config file loaded without error")
	}
}

func TestMalformedFile(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{name: "syntax", content: "network: ic\nnetworks: [\n", want: []string{"line 2"}},
		{name: "unknown key", content: "network: ic\n\nnetwrk: local\n", want: []string{"line 3", "unknown key netwrk (the keys are network, networks,"}},
		{name: "unknown network key", content: "networks:\n  st:\n    urll: x\n", want: []string{"line 3", "unknown key urll (a network has url and root_key)"}},
		{name: "wrong type", content: "neuron: lots\n", want: []string{"line 1", "neuron"}},
		{name: "bad duration", content: "ingress_expiry: soon\n", want: []string{"line 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			path := filepath.Join(dir, "config.yaml")
			writeFile(t, path, tt.content)
			_, err := Load(Options{})
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Load() error = %v, want ErrMalformed", err)
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		errKey string
	}{
		{name: "output", file: "output: yaml\n", errKey: "output"},
		{name: "ingress too long", file: "ingress_expiry: 10m\n", errKey: "ingress_expiry"},
		{name: "local url", file: "local_url: ftp://x\n", errKey: "local_url"},
		{name: "prometheus url", file: "prometheus_url: nope\n", errKey: "prometheus_url"},
		{name: "alert window", file: "alert_window: 0s\n", errKey: "alert_window"},
		{name: "query template", file: "query_finalizing: 'delta(x[{{.Window]'\n", errKey: "query_finalizing"},
		{name: "network url", file: "networks:\n  staging:\n    url: nope\n", errKey: "networks.staging.url"},
		{name: "network root key", file: "networks:\n  staging:\n    url: https://x.example\n    root_key: zz\n", errKey: "networks.staging.root_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			writeFile(t, filepath.Join(dir, "config.yaml"), tt.file)
			_, err := Load(Options{})
			if err == nil || !strings.Contains(err.Error(), tt.errKey+":") {
				t.Fatalf("Load() error = %v, want one naming %s", err, tt.errKey)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Load() error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestNetworksMerge(t *testing.T) {
	dir := isolate(t)
	writeFile(t, filepath.Join(dir, "config.yaml"), "local_url: http://127.0.0.1:7777\nnetworks:\n  staging:\n    url: http://127.0.0.1:5000\n")
	l, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := l.Config.Resolver()
	for name, wantURL := range map[string]string{"staging": "http://127.0.0.1:5000", "local": "http://127.0.0.1:7777", "ic": "https://icp-api.io"} {
		n, err := r.Resolve(name, "")
		if err != nil {
			t.Fatalf("Resolve(%s): %v", name, err)
		}
		if n.URL != wantURL {
			t.Errorf("Resolve(%s).URL = %s, want %s", name, n.URL, wantURL)
		}
	}
}

func TestDefaultFileMatchesDefaultConfig(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, DefaultFile())
	l, err := Load(Options{})
	if err != nil {
		t.Fatalf("load the default file: %v", err)
	}
	want := DefaultConfig()
	if err := want.Validate(); err != nil {
		t.Fatal(err)
	}
	want.ReleasesDir = expandHome("~/.local/share/nnspatch/releases")
	if diff := cmp.Diff(want, l.Config); diff != "" {
		t.Errorf("DefaultFile() differs from DefaultConfig() (-want +got):\n%s", diff)
	}
	if want.IngressExpiry != 4*time.Minute {
		t.Errorf("default ingress expiry %s", want.IngressExpiry)
	}
}

func TestHealthQueries(t *testing.T) {
	dir := isolate(t)
	writeFile(t, filepath.Join(dir, "config.yaml"), "query_alerts: 'ALERTS[{{.Window}}]'\nalert_window: 20m\n")
	l, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := l.Config.HealthQueries()
	if q.Alerts != "ALERTS[{{.Window}}]" || q.Version != "" || q.Finalizing != "" {
		t.Errorf("HealthQueries() = %+v, want only Alerts set", q)
	}
	if l.Config.AlertWindow != 20*time.Minute {
		t.Errorf("AlertWindow = %s, want 20m", l.Config.AlertWindow)
	}
}
