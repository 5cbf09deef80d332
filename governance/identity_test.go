package governance

import (
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

// openssl runs openssl with args in dir and fails the test on error.
func openssl(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %v: %v", args, err)
	}
	return out
}

// pubPrincipal derives the expected principal from openssl's own DER public
// key, independently of the loader under test.
func pubPrincipal(t *testing.T, dir, keyFile string) string {
	t.Helper()
	der := openssl(t, dir, "pkey", "-in", keyFile, "-pubout", "-outform", "DER")
	return principal.NewSelfAuthenticating(der).Encode()
}

func writeKey(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParsePEMForms(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "genpkey", "-algorithm", "ed25519", "-out", "ed.pem")
	openssl(t, dir, "ecparam", "-name", "secp256k1", "-genkey", "-out", "k1params.pem")
	openssl(t, dir, "ec", "-in", "k1params.pem", "-out", "k1.pem")
	openssl(t, dir, "pkcs8", "-topk8", "-nocrypt", "-in", "k1.pem", "-out", "k1p8.pem")
	openssl(t, dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "p256.pem")
	openssl(t, dir, "pkcs8", "-topk8", "-nocrypt", "-in", "p256.pem", "-out", "p256p8.pem")
	if b, _ := os.ReadFile(filepath.Join(dir, "k1params.pem")); !bytes.Contains(b, []byte("EC PARAMETERS")) {
		t.Fatal("openssl did not write EC PARAMETERS; test setup is wrong")
	}
	writeKey(t, dir, "edv2.pem", dfxV2Form(t, dir))
	cases := []struct{ file, pubFrom string }{
		{"ed.pem", "ed.pem"},
		{"edv2.pem", "ed.pem"},
		{"k1params.pem", "k1.pem"},
		{"k1.pem", "k1.pem"},
		{"k1p8.pem", "k1.pem"},
		{"p256.pem", "p256.pem"},
		{"p256p8.pem", "p256.pem"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			id, err := ParsePEM(data)
			if err != nil {
				t.Fatalf("ParsePEM: %v", err)
			}
			if got, want := id.Sender().Encode(), pubPrincipal(t, dir, c.pubFrom); got != want {
				t.Errorf("principal = %s, want %s", got, want)
			}
			msg := []byte("\x0Aic-request" + strings.Repeat("x", 32))
			sig, err := id.Sign(msg)
			if err != nil || !id.Verify(msg, sig) {
				t.Errorf("sign/verify round trip failed: %v", err)
			}
		})
	}
}

// dfxV2Form rewrites the openssl ed25519 key in the legacy dfx layout that
// embeds the public key (PKCS#8 v2, OneAsymmetricKey).
func dfxV2Form(t *testing.T, dir string) []byte {
	t.Helper()
	der := openssl(t, dir, "pkey", "-in", "ed.pem", "-outform", "DER")
	pub := openssl(t, dir, "pkey", "-in", "ed.pem", "-pubout", "-outform", "DER")
	seed := der[len(der)-32:]
	raw, _ := hex.DecodeString("3053020101300506032b657004220420")
	raw = append(raw, seed...)
	raw = append(raw, 0xa1, 0x23, 0x03, 0x21, 0x00)
	raw = append(raw, pub[len(pub)-32:]...)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: raw})
}

func TestParsePEMRejects(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "genpkey", "-algorithm", "ed25519", "-out", "ed.pem")
	openssl(t, dir, "pkcs8", "-topk8", "-v2", "aes256", "-passout", "pass:secret1234", "-in", "ed.pem", "-out", "enc.pem")
	openssl(t, dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "p256.pem")
	openssl(t, dir, "ec", "-in", "p256.pem", "-aes256", "-passout", "pass:secret1234", "-out", "p256enc.pem")
	openssl(t, dir, "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "p384.pem")
	openssl(t, dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.pem")
	cases := []struct {
		file string
		want error
	}{
		{"enc.pem", ErrEncryptedKey},
		{"p256enc.pem", ErrEncryptedKey},
		{"p384.pem", ErrIdentity},
		{"rsa.pem", ErrIdentity},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, _ := os.ReadFile(filepath.Join(dir, c.file))
			_, err := ParsePEM(data)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := ParsePEM([]byte("not a pem")); !errors.Is(err, ErrIdentity) {
		t.Errorf("garbage: err = %v", err)
	}
}

// newStores creates a fake home with a dfx identity "alice" (default), an
// encrypted dfx identity "locked", a keyring dfx identity "ring", and an
// icp-cli identity "bob".
func newStores(t *testing.T) (IdentityEnv, map[string]string) {
	t.Helper()
	home := t.TempDir()
	want := map[string]string{}
	dfx := filepath.Join(home, ".config", "dfx", "identity")
	for _, name := range []string{"alice", "default"} {
		d := filepath.Join(dfx, name)
		must(t, os.MkdirAll(d, 0o700))
		openssl(t, d, "genpkey", "-algorithm", "ed25519", "-out", "identity.pem")
		must(t, os.Chmod(filepath.Join(d, "identity.pem"), 0o600))
		want[name] = pubPrincipal(t, d, "identity.pem")
	}
	must(t, os.MkdirAll(filepath.Join(dfx, "locked"), 0o700))
	writeKey(t, filepath.Join(dfx, "locked"), "identity.pem.encrypted", []byte{1, 2, 3})
	must(t, os.MkdirAll(filepath.Join(dfx, "ring"), 0o700))
	must(t, os.WriteFile(filepath.Join(dfx, "ring", "identity.json"), []byte(`{"keyring_identity_suffix":"ring"}`), 0o600))
	must(t, os.WriteFile(filepath.Join(home, ".config", "dfx", "identity.json"), []byte(`{"default":"alice"}`), 0o600))
	icp := filepath.Join(home, "icp", "identity", "keys")
	must(t, os.MkdirAll(icp, 0o700))
	openssl(t, icp, "ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "k.pem")
	openssl(t, icp, "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-out", "bob.pem")
	must(t, os.Chmod(filepath.Join(icp, "bob.pem"), 0o600))
	want["bob"] = pubPrincipal(t, icp, "bob.pem")
	return IdentityEnv{Home: home, ICPHome: filepath.Join(home, "icp")}, want
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadIdentityResolution(t *testing.T) {
	env, want := newStores(t)
	cases := []struct {
		name, spec, dfxEnv, wantName string
	}{
		{"dfx default from identity.json", "", "", "alice"},
		{"DFX_IDENTITY wins over identity.json", "", "default", "default"},
		{"dfx name", "default", "", "default"},
		{"icp-cli name", "bob", "", "bob"},
		{"forced icp store", "icp:bob", "", "bob"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := env
			e.DFXIdentity = c.dfxEnv
			id, err := LoadIdentity(c.spec, e)
			if err != nil {
				t.Fatal(err)
			}
			if got := id.Sender().Encode(); got != want[c.wantName] {
				t.Errorf("principal = %s, want %s (%s)", got, want[c.wantName], c.wantName)
			}
		})
	}
	if id, err := LoadIdentity("anonymous", env); err != nil || !id.Sender().IsAnonymous() {
		t.Errorf("anonymous: %v %v", id, err)
	}
	if _, err := LoadIdentity("locked", env); !errors.Is(err, ErrEncryptedKey) {
		t.Errorf("encrypted dfx identity: err = %v", err)
	}
	if _, err := LoadIdentity("ring", env); !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), "keyring") ||
		!strings.Contains(err.Error(), "password-protected") || strings.Contains(err.Error(), "export") {
		t.Errorf("keyring dfx identity: err = %v", err)
	}
	if _, err := LoadIdentity("nobody", env); !errors.Is(err, ErrIdentity) {
		t.Errorf("missing identity: err = %v", err)
	}
	if _, err := LoadIdentity("dfx:bob", env); !errors.Is(err, ErrIdentity) {
		t.Errorf("dfx:bob must not find the icp-cli key: err = %v", err)
	}
}

func TestLoadIdentityPathWarnsOnLooseMode(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "genpkey", "-algorithm", "ed25519", "-out", "k.pem")
	path := filepath.Join(dir, "k.pem")
	for _, c := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o644, true}, {0o640, true}} {
		must(t, os.Chmod(path, c.mode))
		var buf bytes.Buffer
		id, err := LoadIdentity(path, IdentityEnv{Warn: &buf})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "readable by group or others"); got != c.warn {
			t.Errorf("mode %o: warning = %q", c.mode, buf.String())
		}
		key, _ := os.ReadFile(path)
		block, _ := pem.Decode(key)
		if strings.Contains(buf.String()+id.String(), hex.EncodeToString(block.Bytes)[:16]) {
			t.Error("key material leaked into output")
		}
	}
}
