package governance

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/certification"
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
	// Each error says what to do next.
	cases := []struct{ name, net, rootKey, advice string }{
		{"ic key cannot be replaced", "ic", "fetch", "built-in root key"},
		{"unknown name", "nowhere", "", "add it under networks"},
		{"remote without key", "remote", "", "pass --root-key HEX"},
		{"url without key", "https://x.example.org", "", "pass --root-key HEX"},
		{"bad hex", "https://x.example.org", "zz", "DER key in hex"},
		{"not a BLS key", "https://x.example.org", "3003020100", "whole DER key in hex"},
		{"bad scheme", "bad", "fetch", "want http(s)://host[:port]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.Resolve(c.net, c.rootKey)
			if !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), c.advice) {
				t.Errorf("err = %v, want ErrNetwork saying %q", err, c.advice)
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
