package drill

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

func TestShippedScenariosParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("scenarios", "*.yaml"))
	if len(files) < 3 {
		t.Fatalf("%d scenarios ship; want at least 3", len(files))
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("scenarios", "stall-early-batch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"unknown key":    string(base) + "surprise: true\n",
		"schema":         strings.Replace(string(base), "schema_version: 1", "schema_version: 2", 1),
		"no fault batch": strings.Replace(string(base), "fault: {batch: 2, index: 0}", "fault: {index: 0}", 1),
		"bad duration":   strings.Replace(string(base), "tick: 5m", "tick: soon", 1),
		"bad mode":       strings.Replace(string(base), "mode: security", "mode: secret", 1),
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(text))
			if !errors.Is(err, ErrScenario) {
				t.Fatalf("Parse = %v; want ErrScenario", err)
			}
			if name == "unknown key" && !strings.Contains(err.Error(), "unknown key surprise") {
				t.Fatalf("Parse = %v; want it to name the unknown key", err)
			}
		})
	}
}

func TestCommitIsStable(t *testing.T) {
	c := Commit("base")
	if len(c) != 40 || Commit("base") != c || Commit(c) != c || Commit("old") == c {
		t.Fatalf("Commit(base) = %s", c)
	}
}

// TestDrillFailsAnAssertion expects a re-election the plan does not make:
// the drill runs to the end and reports the failed assertion.
func TestDrillFailsAnAssertion(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join("scenarios", "stall-early-batch.yaml"))
	s, err := Parse([]byte(strings.Replace(string(b), "reelect: []", "reelect: [base]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := Run(ctx, s, Options{})
	var ae *AssertionError
	if !errors.As(err, &ae) || !errors.Is(err, ErrAssertionFailed) || rep.Passed {
		t.Fatalf("Run = %v (passed %v); want an AssertionError", err, rep != nil && rep.Passed)
	}
	if len(ae.Failed) != 1 || ae.Failed[0].Name != "reelect" {
		t.Fatalf("failed assertions = %+v", ae.Failed)
	}
}

// TestDrillAgainstRunningNetwork plays a scenario against a network
// started separately (the --network path: admin endpoints over HTTP).
func TestDrillAgainstRunningNetwork(t *testing.T) {
	s, err := Load(filepath.Join("scenarios", "nns-last-batch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	n := localnettest.Start(t, localnettest.WithConfig(func(c *localnet.Config) { *c = NetworkConfig(s, c.StateDir, c.Listen) }))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := Run(ctx, s, Options{NetworkURL: n.URL()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.Network != n.URL() || !rep.Passed {
		t.Fatalf("report network %s passed %v", rep.Network, rep.Passed)
	}
}

// Every scenario file is built into the binary and opens by name.
func TestShippedScenarios(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("scenarios", "*.yaml"))
	ss, err := Shipped()
	if err != nil || len(ss) != len(files) || len(ss) == 0 {
		t.Fatalf("Shipped: %d scenarios, %d files, %v", len(ss), len(files), err)
	}
	for _, s := range ss {
		got, err := Open(s.Name)
		if err != nil || got.Name != s.Name {
			t.Errorf("Open(%q): %v", s.Name, err)
		}
	}
	if _, err := Open("no-such-drill"); !errors.Is(err, ErrUnknownScenario) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := Open(filepath.Join("scenarios", ss[0].Name+".yaml")); err != nil {
		t.Errorf("open by path: %v", err)
	}
}
