package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aviate-labs/agent-go/certification"
)

// countingServer is an HTTP server on 127.0.0.1 that answers every request
// with 503 and counts them: a network that must never be contacted.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "not a network", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestMainnetGateEveryWrite checks that every write refuses mainnet
// without --accept-risk=mainnet, however mainnet is named: a mainnet URL,
// a config network on a mainnet host, a config network carrying the IC's
// root key (here on a local URL that counts requests, so a refusal is
// proven to come before anything is sent), or DFX_NETWORK=ic.
func TestMainnetGateEveryWrite(t *testing.T) {
	dir := isolateConfig(t)
	srv, hits := countingServer(t)
	writeFile(t, filepath.Join(dir, "config.yaml"), "networks:\n"+
		"  prod:\n    url: https://icp-api.io\n"+
		"  boundary:\n    url: https://nns.ic0.app\n"+
		"  fake:\n    url: "+srv.URL+"\n    root_key: "+certification.RootKey+"\n")
	key := writeTestKey(t)
	draft := writeElectDraft(t, "9999999999999999999999999999999999999999")
	signed := filepath.Join(t.TempDir(), "vote.json")
	if r := runCLI(t, "vote", "12", "yes", "--neuron", "80", "--sign-only", signed, "--network", srv.URL, "--identity", key); r.Code != ExitOK {
		t.Fatalf("sign-only: %d %s", r.Code, r.Stderr)
	}
	// Signed for network ic through DFX_NETWORK: sent there by default.
	signedIC := filepath.Join(t.TempDir(), "vote-ic.json")
	t.Setenv("DFX_NETWORK", "ic")
	if r := runCLI(t, "vote", "12", "yes", "--neuron", "80", "--sign-only", signedIC, "--identity", key); r.Code != ExitOK {
		t.Fatalf("sign-only for ic: %d %s", r.Code, r.Stderr)
	}
	t.Setenv("DFX_NETWORK", "")
	writes := map[string][]string{
		"submit":          {"proposal", "submit", draft, "--neuron", "80"},
		"vote":            {"vote", "12", "yes", "--neuron", "80"},
		"send":            {"send", signed},
		"rollout advance": {"rollout", "advance", t.TempDir(), "--neuron", "80"},
		"rollback submit": {"rollback", "submit", "--version", "9999999999999999999999999999999999999999", "--neuron", "80"},
	}
	networks := map[string][]string{
		"url icp-api.io":      {"--network", "https://icp-api.io"},
		"url ic0.app":         {"--network", "https://ic0.app"},
		"config mainnet url":  {"--network", "prod"},
		"config mainnet host": {"--network", "boundary"},
		"config mainnet key":  {"--network", "fake"},
		"DFX_NETWORK=ic":      nil,
	}
	for wname, args := range writes {
		for nname, netArgs := range networks {
			t.Run(wname+"/"+nname, func(t *testing.T) {
				hits.Store(0)
				if netArgs == nil {
					t.Setenv("DFX_NETWORK", "ic")
					if wname == "send" {
						args = []string{"send", signedIC}
					}
				}
				all := append(append(append([]string{}, args...), netArgs...), "--identity", key, "--yes")
				r := runCLI(t, all...)
				if r.Code != ExitUsage || !strings.Contains(r.Stderr, "Internet Computer mainnet") || !strings.Contains(r.Stderr, "--accept-risk=mainnet") {
					t.Errorf("nnspatch %s: exit %d, want %d asking for --accept-risk=mainnet\n%s", strings.Join(all, " "), r.Code, ExitUsage, r.Stderr)
				}
				if strings.Contains(r.Stderr, "Usage:") || !strings.Contains(r.Stderr, "hint: nothing was sent") {
					t.Errorf("nnspatch %s: want the message and its hint, not the usage text:\n%s", strings.Join(all, " "), r.Stderr)
				}
				if n := hits.Load(); n != 0 {
					t.Errorf("nnspatch %s: the network got %d request(s) before the refusal", strings.Join(all, " "), n)
				}
			})
		}
	}
	// The control: with the flag the same writes do reach the network.
	for _, args := range [][]string{writes["vote"], writes["submit"]} {
		hits.Store(0)
		all := append(append([]string{}, args...), "--network", "fake", "--identity", key, "--yes", "--accept-risk=mainnet")
		runCLI(t, all...)
		if hits.Load() == 0 {
			t.Errorf("nnspatch %s never reached the network", strings.Join(all, " "))
		}
	}
}
