package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

const testVersion = "2c4fdf9d2d53dffed97a40992b867120e89c9346"

func TestNewCmdLocalnetStart(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		faults  int
		wantErr bool
	}{
		{"defaults", nil, 0, false},
		{"faults", []string{"--fault", testVersion, "--fault", testVersion + "@uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe"}, 2, false},
		{"bad fault", []string{"--fault", "nope"}, 0, true},
		{"voting period", []string{"--voting-period", "2h"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := TestStreams()
			var got *localnetStartOptions
			cmd := newCmdLocalnetStart(NewFactory(ios), func(o *localnetStartOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			var fe *FlagError
			if tt.wantErr != errors.As(err, &fe) {
				t.Fatalf("err = %v", err)
			}
			if !tt.wantErr && len(got.Config.Faults) != tt.faults {
				t.Errorf("faults = %v", got.Config.Faults)
			}
			// Unless given, the voting period is left to the state (or the default).
			if want := map[bool]time.Duration{true: 2 * time.Hour}[tt.name == "voting period"]; !tt.wantErr && got.Config.VotingPeriod != want {
				t.Errorf("voting period = %v, want %v", got.Config.VotingPeriod, want)
			}
		})
	}
}

func TestLocalnetStartRunStopsOnSIGTERM(t *testing.T) {
	ios, _, out, errOut := TestStreams()
	opts := &localnetStartOptions{IO: ios, JSON: func() bool { return true }, LocalURL: func() string { return "" },
		Config: localnet.Config{StateDir: t.TempDir(), Listen: "127.0.0.1:0"}}
	var url string
	opts.Ready = func(n *localnet.Network) {
		url = n.URL()
		go syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
	}
	done := make(chan error, 1)
	go func() { done <- localnetStartRun(context.Background(), opts) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("localnet start did not stop on SIGTERM")
	}
	var info jsonout.Localnet
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	if info.URL != url || len(info.RootKey) < 200 || !strings.HasSuffix(info.DeveloperIdentity, "developer.pem") {
		t.Errorf("info = %+v", info)
	}
	if !strings.Contains(errOut.String(), "Stopping the local network") {
		t.Errorf("stderr = %q", errOut)
	}
}

func TestLocalnetAdvanceAndFault(t *testing.T) {
	isolateConfig(t)
	n := localnettest.Start(t)
	before := n.Now()
	r := runCLI(t, "localnet", "advance", "1d12h", "--url", n.URL())
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "clock offset 1d12h") {
		t.Fatalf("advance: %+v", r)
	}
	if got := n.Now().Sub(before); got < 36*time.Hour {
		t.Errorf("clock moved %v", got)
	}
	r = runCLI(t, "localnet", "fault", testVersion, "--network", n.URL())
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "fault: "+testVersion) || len(n.Faults()) != 1 {
		t.Fatalf("fault: %+v", r)
	}
	r = runCLI(t, "localnet", "fault", testVersion, "--clear", "--url", n.URL(), "--json")
	if r.Code != ExitOK || len(n.Faults()) != 0 || !strings.Contains(r.Stdout, `"schema_version": 1`) {
		t.Fatalf("clear: %+v", r)
	}
}

func TestLocalnetExitCodes(t *testing.T) {
	isolateConfig(t)
	badSeed := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(badSeed, []byte("name: x\nbogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy := t.TempDir()
	running := localnettest.Start(t, localnettest.WithStateDir(busy))
	// busyShort is a stopped network's state, created with a 1h voting period.
	busyShort := t.TempDir()
	if err := localnettest.Start(t, localnettest.WithStateDir(busyShort), localnettest.WithVotingPeriod(time.Hour)).Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want ExitCode
	}{
		{"bad duration", []string{"localnet", "advance", "soon", "--url", "http://127.0.0.1:1"}, ExitUsage},
		{"bad version", []string{"localnet", "fault", "abc", "--url", "http://127.0.0.1:1"}, ExitUsage},
		{"unreachable", []string{"localnet", "advance", "4d", "--url", "http://127.0.0.1:1"}, ExitNetwork},
		{"mainnet refused", []string{"localnet", "advance", "4d", "--network", "ic"}, ExitUsage},
		{"bad seed file", []string{"localnet", "start", "--state", t.TempDir(), "--listen", "127.0.0.1:0", "--seed", badSeed}, ExitUsage},
		{"state in use", []string{"localnet", "start", "--state", busy, "--listen", "127.0.0.1:0"}, ExitRefused},
		{"fault on an unknown subnet at start", []string{"localnet", "start", "--state", t.TempDir(), "--listen", "127.0.0.1:0",
			"--fault", testVersion + "@aaaaa-aa"}, ExitUsage},
		{"fault on an unknown subnet", []string{"localnet", "fault", testVersion, "--subnet", "aaaaa-aa", "--url", running.URL()}, ExitRefused},
		{"listen address without port", []string{"localnet", "start", "--state", t.TempDir(), "--listen", "localhost"}, ExitUsage},
		{"listen address in use", []string{"localnet", "start", "--state", t.TempDir(), "--listen", strings.TrimPrefix(running.URL(), "http://")}, ExitRefused},
		{"voting period differs from the state's", []string{"localnet", "start", "--state", busyShort, "--listen", "127.0.0.1:0", "--voting-period", "2h"}, ExitRefused},
		{"missing seed file", []string{"localnet", "start", "--state", t.TempDir(), "--listen", "127.0.0.1:0", "--seed", filepath.Join(t.TempDir(), "none.yaml")}, ExitUsage},
	}
	// wantStderr is what the message must say, for the cases that check it.
	wantStderr := map[string]string{
		"fault on an unknown subnet at start":    "no subnet aaaaa-aa in this network",
		"fault on an unknown subnet":             "no subnet aaaaa-aa in this network",
		"listen address without port":            "want host:port",
		"listen address in use":                  "pass another host:port to --listen",
		"missing seed file":                      "pass an existing YAML seed file",
		"voting period differs from the state's": "created with a voting period of 1h",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			if r.Code != tt.want {
				t.Errorf("exit %d, want %d; stderr %s", r.Code, tt.want, r.Stderr)
			}
			if want := wantStderr[tt.name]; !strings.Contains(r.Stderr, want) {
				t.Errorf("stderr %q lacks %q", r.Stderr, want)
			}
		})
	}
}

// TestLocalnetAdminResolvesNetwork checks that advance and fault without
// --url steer the network NNSPATCH_NETWORK (or DFX_NETWORK) names, as every
// other command resolves it, and still refuse mainnet.
func TestLocalnetAdminResolvesNetwork(t *testing.T) {
	n := localnettest.Start(t)
	t.Run("NNSPATCH_NETWORK", func(t *testing.T) {
		isolateConfig(t)
		t.Setenv("NNSPATCH_NETWORK", n.URL())
		before := n.Now()
		r := runCLI(t, "localnet", "advance", "2h")
		if r.Code != ExitOK || n.Now().Sub(before) < 2*time.Hour {
			t.Fatalf("advance: %+v; clock moved %v", r, n.Now().Sub(before))
		}
		r = runCLI(t, "localnet", "fault", testVersion)
		if r.Code != ExitOK || len(n.Faults()) != 1 {
			t.Fatalf("fault: %+v", r)
		}
		if r = runCLI(t, "localnet", "fault", testVersion, "--clear"); r.Code != ExitOK || len(n.Faults()) != 0 {
			t.Fatalf("clear: %+v", r)
		}
	})
	t.Run("DFX_NETWORK", func(t *testing.T) {
		isolateConfig(t)
		t.Setenv("DFX_NETWORK", n.URL())
		before := n.Now()
		if r := runCLI(t, "localnet", "advance", "1h"); r.Code != ExitOK || n.Now().Sub(before) < time.Hour {
			t.Fatalf("advance: %+v", r)
		}
	})
	for _, env := range []string{"NNSPATCH_NETWORK", "DFX_NETWORK"} {
		t.Run(env+"=ic", func(t *testing.T) {
			isolateConfig(t)
			t.Setenv(env, "ic")
			r := runCLI(t, "localnet", "advance", "1h")
			if r.Code != ExitUsage || !strings.Contains(r.Stderr, "not ic") {
				t.Fatalf("mainnet: %+v", r)
			}
		})
	}
}
