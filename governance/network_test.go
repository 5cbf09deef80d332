package governance

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

func TestResolve(t *testing.T) {
	mainKey, _ := hex.DecodeString(certification.RootKey)
	r := Resolver{Networks: map[string]NetworkConfig{
		"staging": {URL: "https://staging.example.org", RootKey: certification.RootKey},
		"local":   {URL: "http://127.0.0.1:8080/"},
		"remote":  {URL: "https://testnet.example.org"},
	}}
	cases := []struct {
		name, net, rootKey, env string
		want                    Network
	}{
		{"ic built-in key", "ic", "", "", Network{Name: "ic", URL: MainnetURL, RootKey: mainKey}},
		{"local from config fetches", "local", "", "", Network{Name: "local", URL: "http://127.0.0.1:8080", FetchRootKey: true}},
		{"empty means DFX_NETWORK", "", "", "ic", Network{Name: "ic", URL: MainnetURL, RootKey: mainKey}},
		{"empty means local", "", "", "", Network{Name: "local", URL: "http://127.0.0.1:8080", FetchRootKey: true}},
		{"configured key", "staging", "", "", Network{Name: "staging", URL: "https://staging.example.org", RootKey: mainKey}},
		{"url with fetch", "https://x.example.org", "fetch", "", Network{Name: "https://x.example.org", URL: "https://x.example.org", FetchRootKey: true}},
		{"url with hex", "https://x.example.org", certification.RootKey, "", Network{Name: "https://x.example.org", URL: "https://x.example.org", RootKey: mainKey}},
		{"flag overrides config", "remote", "fetch", "", Network{Name: "remote", URL: "https://testnet.example.org", FetchRootKey: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rr := r
			rr.Env = c.env
			got, err := rr.Resolve(c.net, c.rootKey)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != c.want.Name || got.URL != c.want.URL || got.FetchRootKey != c.want.FetchRootKey || !bytes.Equal(got.RootKey, c.want.RootKey) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	r := Resolver{Networks: map[string]NetworkConfig{"remote": {URL: "https://testnet.example.org"}, "bad": {URL: "ftp://x"}}}
	// Each error says what is wrong; the typed ones let the CLI say what
	// to do next.
	cases := []struct {
		name, net, rootKey, fact string
		kind                     error
	}{
		{"ic key cannot be replaced", "ic", "fetch", "built-in IC root key", ErrMainnetRootKey},
		{"unknown name", "nowhere", "", "add it under networks", ErrNetwork},
		{"remote without key", "remote", "", "network remote needs a root key", ErrNoRootKey},
		{"url without key", "https://x.example.org", "", "needs a root key", ErrNoRootKey},
		{"bad hex", "https://x.example.org", "zz", "not hex", ErrBadRootKey},
		{"not a BLS key", "https://x.example.org", "3003020100", "whole DER key in hex", ErrBadRootKey},
		{"bad scheme", "bad", "fetch", "want http(s)://host[:port]", ErrNetwork},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.Resolve(c.net, c.rootKey)
			if !errors.Is(err, ErrNetwork) || !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.fact) {
				t.Errorf("err = %v, want ErrNetwork and %v saying %q", err, c.kind, c.fact)
			}
		})
	}
	u := &UnreachableError{Network: "http://127.0.0.1:1", URL: "http://127.0.0.1:1", Err: errors.New("refused")}
	if got := u.Error(); strings.Count(got, "127.0.0.1:1") != 1 {
		t.Errorf("unreachable URL network names its URL twice: %q", got)
	}
	n, err := Resolver{}.Resolve("local", "")
	if err != nil || n.URL != DefaultLocalURL || !n.FetchRootKey {
		t.Errorf("zero resolver local = %+v, %v", n, err)
	}
}

// TestResolveLoopbackIsAnAddress checks that a root key is fetched only from
// loopback addresses: IP literals in 127.0.0.0/8 or ::1, or localhost as it
// resolves. A name that merely starts with "127." is a remote host and needs
// an explicit root key, as does a non-loopback local_url.
func TestResolveLoopbackIsAnAddress(t *testing.T) {
	fetches := []string{"http://127.0.0.1:4943", "http://127.3.2.1:8080", "http://[::1]:4943", "http://localhost:4943"}
	for _, u := range fetches {
		n, err := Resolver{}.Resolve(u, "")
		if err != nil || !n.FetchRootKey {
			t.Errorf("%s: got %+v, %v; want a fetched root key", u, n, err)
		}
		n, err = Resolver{Networks: map[string]NetworkConfig{"local": {URL: u, RootKey: "fetch"}}}.Resolve("local", "")
		if err != nil || !n.FetchRootKey {
			t.Errorf("local_url %s: got %+v, %v; want a fetched root key", u, n, err)
		}
	}
	remote := []string{"https://127.attacker.example", "http://127.0.0.1.attacker.example:4943", "http://localhost.attacker.example", "http://[::2]:4943"}
	for _, u := range remote {
		if n, err := (Resolver{}).Resolve(u, ""); !errors.Is(err, ErrNetwork) || !errors.Is(err, ErrNoRootKey) {
			t.Errorf("%s: got %+v, %v; want ErrNetwork: ErrNoRootKey", u, n, err)
		}
		r := Resolver{Networks: map[string]NetworkConfig{"local": {URL: u, RootKey: "fetch"}}}
		if n, err := r.Resolve("local", ""); !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("local_url %s: got %+v, %v; want ErrNetwork: not a loopback address", u, n, err)
		}
		// An explicit --root-key fetch is the user's own choice.
		if n, err := r.Resolve("local", "fetch"); err != nil || !n.FetchRootKey {
			t.Errorf("local_url %s with --root-key fetch: %+v, %v", u, n, err)
		}
	}
}

// TestResolveMainnetHosts checks that a network on a mainnet host, or one
// carrying the IC's root key, is mainnet, and that a mainnet host's root
// key is never fetched.
func TestResolveMainnetHosts(t *testing.T) {
	for _, u := range []string{"https://icp-api.io", "https://ic0.app", "https://nns.ic0.app/", "https://ICP0.IO", "https://boundary.icp-api.io."} {
		n, err := Resolver{}.Resolve(u, "")
		if err != nil || n.FetchRootKey || !IsMainnetRootKey(n.RootKey) || !n.IsMainnet() {
			t.Errorf("%s: got %+v, %v; want mainnet with the built-in key", u, n, err)
		}
		if _, err := (Resolver{}).Resolve(u, "fetch"); !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), "never fetched") {
			t.Errorf("%s with --root-key fetch: %v; want a refusal", u, err)
		}
		r := Resolver{Networks: map[string]NetworkConfig{"prod": {URL: u, RootKey: "fetch"}}}
		if _, err := r.Resolve("prod", ""); !errors.Is(err, ErrNetwork) {
			t.Errorf("config network on %s with root_key fetch: %v; want a refusal", u, err)
		}
	}
	if _, err := (Resolver{}).Resolve("https://icp-api.io", testRootKeyHex(t)); !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), "not the IC's") {
		t.Errorf("mainnet host with a foreign key: %v", err)
	}
	n, err := Resolver{Networks: map[string]NetworkConfig{"fake": {URL: "http://127.0.0.1:1", RootKey: certification.RootKey}}}.Resolve("fake", "")
	if err != nil || !n.IsMainnet() {
		t.Errorf("a local URL with the IC root key: %+v, %v; want mainnet", n, err)
	}
	for _, u := range []string{"https://icp-api.io.attacker.example", "https://xic0.app", "http://127.0.0.1:4943"} {
		n := Network{Name: u, URL: u}
		if n.IsMainnet() {
			t.Errorf("%s counts as mainnet", u)
		}
	}
	if !(Network{Name: "ic"}).IsMainnet() {
		t.Error("the name ic is not mainnet")
	}
}

// testRootKeyHex is a real DER root key that is not the IC's: a local
// network's.
func testRootKeyHex(t *testing.T) string {
	t.Helper()
	return hex.EncodeToString(localnettest.Start(t).RootKey())
}
