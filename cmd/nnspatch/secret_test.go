package main

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
	"golang.org/x/crypto/argon2"
)

// typeSecret replaces the terminal's no-echo reader for the test: each
// read returns secret, as if typed. It returns the number of reads.
func typeSecret(t *testing.T, secret string) *int {
	t.Helper()
	reads := new(int)
	old := readPassword
	readPassword = func(*IOStreams) ([]byte, error) {
		*reads++
		return []byte(secret), nil
	}
	t.Cleanup(func() { readPassword = old })
	return reads
}

// runTTY is runCLI with stdin and stderr on a (pretend) terminal, so
// nnspatch may prompt.
func runTTY(t *testing.T, args ...string) cliResult {
	t.Helper()
	ios, _, out, errOut := TestStreams()
	ios.SetTTY(true, false, true)
	code := Main(args, ios)
	return cliResult{Stdout: out.String(), Stderr: errOut.String(), Code: ExitCode(code)}
}

// writeMotion writes a motion draft to path.
func writeMotion(t *testing.T, path, text string) {
	t.Helper()
	d := proposals.NewMotion(text, proposals.Texts{Title: "Motion: " + text, Summary: "A motion."})
	if err := proposals.WriteDraft(path, d); err != nil {
		t.Fatal(err)
	}
}

// hasBallot reports whether proposal id records vote ("yes" or "no") of
// neuron.
func hasBallot(t *testing.T, flags []string, id string, neuron uint64, vote string) bool {
	t.Helper()
	r := run(t, flags, "proposal", "show", id, "--json")
	var doc struct {
		Proposal struct {
			Ballots []struct {
				Neuron uint64 `json:"neuron"`
				Vote   string `json:"vote"`
			} `json:"ballots"`
		} `json:"proposal"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("proposal show %s: %v\n%s", id, err, r.Stderr)
	}
	for _, b := range doc.Proposal.Ballots {
		if b.Neuron == neuron && b.Vote == vote {
			return true
		}
	}
	return false
}

// writeDFXEncrypted stores key (a plaintext PEM) as dfx's password-protected
// identity name under DFX_CONFIG_ROOT: Argon2id (64000 KiB, 3 passes, 1
// lane) over the base64 decoding of the hex pw_salt, then AES-256-GCM.
func writeDFXEncrypted(t *testing.T, name string, key []byte, password string) {
	t.Helper()
	pwSalt := strings.Repeat("5a", 32)
	nonce := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	enc := governance.DFXEncryption{PWSalt: pwSalt, FileNonce: nonce}
	sealed := sealDFX(t, enc, key, password)
	dir := filepath.Join(os.Getenv("DFX_CONFIG_ROOT"), ".config", "dfx", "identity", name)
	must(t, os.MkdirAll(dir, 0o700))
	cfg, _ := json.Marshal(map[string]any{"encryption": enc})
	must(t, os.WriteFile(filepath.Join(dir, "identity.json"), cfg, 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "identity.pem.encrypted"), sealed, 0o400))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sealDFX encrypts plain as dfx does, implemented here independently of
// the loader: the salt is the unpadded standard base64 decoding of
// pw_salt.
func sealDFX(t *testing.T, enc governance.DFXEncryption, plain []byte, password string) []byte {
	t.Helper()
	salt, err := base64.RawStdEncoding.DecodeString(enc.PWSalt)
	must(t, err)
	key := argon2.IDKey([]byte(password), salt, 3, 64000, 1, 32)
	block, err := aes.NewCipher(key)
	must(t, err)
	gcm, err := cipher.NewGCM(block)
	must(t, err)
	nonce := make([]byte, len(enc.FileNonce))
	for i, v := range enc.FileNonce {
		nonce[i] = byte(v)
	}
	return gcm.Seal(nil, nonce, plain, nil)
}

// opensslPrincipal generates a key with openssl genpkey args in dir and
// returns its PEM and the principal of its DER public key.
func opensslPrincipal(t *testing.T, dir string, args ...string) ([]byte, string) {
	t.Helper()
	key := filepath.Join(dir, "gen.pem")
	if out, err := exec.Command("openssl", append([]string{"genpkey", "-out", key}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	der, err := exec.Command("openssl", "pkey", "-in", key, "-pubout", "-outform", "DER").Output()
	must(t, err)
	pemBytes, err := os.ReadFile(key)
	must(t, err)
	must(t, os.Remove(key))
	return pemBytes, principal.NewSelfAuthenticating(der).Encode()
}

// TestEncryptedDFXIdentityPrompt uses a password-protected dfx identity:
// the password is typed at the terminal (no echo), or comes from
// NNSPATCH_IDENTITY_PASSWORD in scripts; without either, or with a wrong
// one, the command fails with exit 4 and never suggests a plaintext copy.
func TestEncryptedDFXIdentityPrompt(t *testing.T) {
	isolateConfig(t)
	key, want := opensslPrincipal(t, t.TempDir(), "-algorithm", "ed25519")
	writeDFXEncrypted(t, "vault", key, "open sesame")
	t.Setenv("DFX_IDENTITY", "vault")

	reads := typeSecret(t, "open sesame")
	r := runTTY(t, "identity", "whoami")
	if r.Code != ExitOK || strings.TrimSpace(r.Stdout) != want || *reads != 1 {
		t.Fatalf("typed password: %d %q %q (%d reads)", r.Code, r.Stdout, r.Stderr, *reads)
	}
	if !strings.Contains(r.Stderr, `Enter the password for dfx identity "vault"`) || strings.Contains(r.Stderr, "open sesame") {
		t.Errorf("prompt: %q", r.Stderr)
	}

	typeSecret(t, "guess")
	r = runTTY(t, "identity", "whoami")
	if r.Code != ExitAuth || !strings.Contains(r.Stderr, "wrong password") {
		t.Errorf("wrong password: %d %q", r.Code, r.Stderr)
	}

	r = runCLI(t, "identity", "whoami")
	if r.Code != ExitAuth || !strings.Contains(r.Stderr, "NNSPATCH_IDENTITY_PASSWORD") || !strings.Contains(r.Stderr, "hint:") {
		t.Errorf("no terminal: %d %q", r.Code, r.Stderr)
	}
	for _, bad := range []string{"export", "> key.pem", "plain.pem"} {
		if strings.Contains(r.Stderr, bad) {
			t.Errorf("message suggests writing the key out (%q): %s", bad, r.Stderr)
		}
	}

	t.Setenv("NNSPATCH_IDENTITY_PASSWORD", "open sesame")
	if r = runCLI(t, "identity", "whoami"); r.Code != ExitOK || strings.TrimSpace(r.Stdout) != want {
		t.Errorf("NNSPATCH_IDENTITY_PASSWORD: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
}

// TestEncryptedPKCS8Prompt loads an encrypted PKCS#8 file given with
// --identity after a password prompt.
func TestEncryptedPKCS8Prompt(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	key, want := opensslPrincipal(t, dir, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
	must(t, os.WriteFile(filepath.Join(dir, "plain.pem"), key, 0o600))
	enc := filepath.Join(dir, "enc.pem")
	if out, err := exec.Command("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:pkcs8 pass",
		"-in", filepath.Join(dir, "plain.pem"), "-out", enc).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	must(t, os.Remove(filepath.Join(dir, "plain.pem")))
	must(t, os.Chmod(enc, 0o600))
	typeSecret(t, "pkcs8 pass")
	r := runTTY(t, "identity", "whoami", "--identity", enc)
	if r.Code != ExitOK || strings.TrimSpace(r.Stdout) != want {
		t.Errorf("whoami: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
}

// TestDefaultIdentityFallback: with no identity asked for, reads fall back
// to the anonymous identity when dfx's default cannot be used by design
// (keyring), but never when it is a protected key that failed to unlock.
func TestDefaultIdentityFallback(t *testing.T) {
	n, _ := cliNet(t)
	net := []string{"--network", n.URL(), "--root-key", "fetch"}
	dir := filepath.Join(os.Getenv("DFX_CONFIG_ROOT"), ".config", "dfx", "identity", "ring")
	must(t, os.MkdirAll(dir, 0o700))
	must(t, os.WriteFile(filepath.Join(dir, "identity.json"), []byte(`{"keyring_identity_suffix": "ring"}`), 0o600))
	t.Setenv("DFX_IDENTITY", "ring")
	r := run(t, net, "subnets")
	if r.Code != ExitOK || !strings.Contains(r.Stderr, "system keyring") || !strings.Contains(r.Stderr, "anonymous") {
		t.Errorf("keyring default identity: %d %q", r.Code, r.Stderr)
	}
	if r := run(t, net, "subnets", "--identity", "ring"); r.Code != ExitAuth {
		t.Errorf("keyring identity asked for explicitly: %d %q", r.Code, r.Stderr)
	}

	key, _ := opensslPrincipal(t, t.TempDir(), "-algorithm", "ed25519")
	writeDFXEncrypted(t, "vault", key, "pw")
	t.Setenv("DFX_IDENTITY", "vault")
	r = run(t, net, "subnets")
	if r.Code != ExitAuth || strings.Contains(r.Stderr, "anonymous") || !strings.Contains(r.Stderr, "NNSPATCH_IDENTITY_PASSWORD") {
		t.Errorf("protected default identity without a password: %d %q", r.Code, r.Stderr)
	}
}
