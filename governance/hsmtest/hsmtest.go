// Package hsmtest gives tests a real PKCS#11 token: a SoftHSM2 token
// created with softhsm2-util and filled with keys by OpenSC's pkcs11-tool
// (both installed by scripts/setup-test.sh). It never imports the code
// under test: the expected principal comes from the public key pkcs11-tool
// reads back from the token.
package hsmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

// Token is a SoftHSM2 token with three key pairs: ECDSA P-256 (id 01,
// label "nns"), RSA 2048 (id 02, label "rsa") and ECDSA secp256k1 (id 03,
// label "k1").
type Token struct {
	// Module is SoftHSM2's PKCS#11 library.
	Module string
	// Label is the token label.
	Label string
	// PIN is the user PIN.
	PIN string
	// P256DER is the DER SubjectPublicKeyInfo of the P-256 key as
	// pkcs11-tool reads it from the token.
	P256DER []byte
	// P256Principal is the self-authenticating principal of P256DER.
	P256Principal string
}

// The token's key ids and labels.
const (
	P256ID    = "01"
	P256Label = "nns"
	RSAID     = "02"
	K1ID      = "03"
)

var (
	once  sync.Once
	token Token
	err   error
)

// Get returns the process's token, creating it on first use. It sets
// SOFTHSM2_CONF for the whole process (SoftHSM2 reads it when the module
// is initialized), so every test of the binary shares the token.
func Get(t testing.TB) Token {
	t.Helper()
	once.Do(func() { token, err = create() })
	if err != nil {
		t.Fatalf("create SoftHSM2 token (run scripts/setup-test.sh to install softhsm2 and opensc): %v", err)
	}
	return token
}

func create() (Token, error) {
	tok := Token{Label: "nnspatch-test", PIN: "246810"}
	for _, p := range []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"} {
		if _, err := os.Stat(p); err == nil {
			tok.Module = p
			break
		}
	}
	if tok.Module == "" {
		return tok, fmt.Errorf("libsofthsm2.so not found")
	}
	dir, err := os.MkdirTemp("", "nnspatch-softhsm-")
	if err != nil {
		return tok, err
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.MkdirAll(filepath.Join(dir, "tokens"), 0o700); err != nil {
		return tok, err
	}
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\n"), 0o600); err != nil {
		return tok, err
	}
	os.Setenv("SOFTHSM2_CONF", conf)
	if _, err := run("softhsm2-util", "--init-token", "--free", "--label", tok.Label, "--so-pin", "13579", "--pin", tok.PIN); err != nil {
		return tok, err
	}
	keys := [][]string{
		{"--key-type", "EC:prime256v1", "--id", P256ID, "--label", P256Label},
		{"--key-type", "rsa:2048", "--id", RSAID, "--label", "rsa"},
		{"--key-type", "EC:secp256k1", "--id", K1ID, "--label", "k1"},
	}
	for _, k := range keys {
		args := append([]string{"--module", tok.Module, "--token-label", tok.Label, "--login", "--pin", tok.PIN, "--keypairgen"}, k...)
		if _, err := run("pkcs11-tool", args...); err != nil {
			return tok, err
		}
	}
	pub := filepath.Join(dir, "p256.der")
	if _, err := run("pkcs11-tool", "--module", tok.Module, "--token-label", tok.Label, "--read-object", "--type", "pubkey", "--id", P256ID, "-o", pub); err != nil {
		return tok, err
	}
	if tok.P256DER, err = os.ReadFile(pub); err != nil {
		return tok, err
	}
	tok.P256Principal = principal.NewSelfAuthenticating(tok.P256DER).Encode()
	return tok, nil
}

func run(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
