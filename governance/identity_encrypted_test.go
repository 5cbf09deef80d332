package governance

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// dfxEncrypt writes identity NAME under home the way dfx stores a
// password-protected identity, implemented here from dfx's documented
// scheme (not with the loader's code): a random 32-byte salt kept as hex
// in identity.json's pw_salt (dfx hands that string to argon2's
// PasswordHasher, which base64-decodes it), Argon2id v19 with m=64000
// KiB, t=3, p=1 and a 32-byte key, and AES-256-GCM with a random 12-byte
// nonce kept as a JSON byte array.
func dfxEncrypt(t testing.TB, home, name string, plainPEM []byte, password string) string {
	t.Helper()
	raw := make([]byte, 32)
	nonce := make([]byte, 12)
	rand.Read(raw)
	rand.Read(nonce)
	pwSalt := hex.EncodeToString(raw)
	saltBytes := b64Unpadded(t, pwSalt)
	key := argon2.IDKey([]byte(password), saltBytes, 3, 64000, 1, 32)
	block, err := aes.NewCipher(key)
	must(t, err)
	gcm, err := cipher.NewGCM(block)
	must(t, err)
	dir := filepath.Join(home, ".config", "dfx", "identity", name)
	must(t, os.MkdirAll(dir, 0o700))
	ints := make([]int, len(nonce))
	for i, b := range nonce {
		ints[i] = int(b)
	}
	cfg, _ := json.Marshal(map[string]any{"encryption": map[string]any{"pw_salt": pwSalt, "file_nonce": ints}})
	must(t, os.WriteFile(filepath.Join(dir, "identity.json"), cfg, 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "identity.pem.encrypted"), gcm.Seal(nil, nonce, plainPEM, nil), 0o400))
	return dir
}

// b64Unpadded decodes standard base64 without padding by hand (the salt
// decoding of the password-hash crate), independent of encoding/base64.
func b64Unpadded(t testing.TB, s string) []byte {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out []byte
	var acc, bits uint
	for _, c := range s {
		v := strings.IndexRune(alphabet, c)
		if v < 0 {
			t.Fatalf("not base64: %q", c)
		}
		acc = acc<<6 | uint(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
			acc &= 1<<bits - 1
		}
	}
	return out
}

// passwordEnv answers every secret request with password and records them.
func passwordEnv(home, password string, asked *[]SecretRequest) IdentityEnv {
	return IdentityEnv{Home: home, Secret: func(r SecretRequest) ([]byte, error) {
		*asked = append(*asked, r)
		return []byte(password), nil
	}}
}

func TestDFXPasswordProtectedIdentity(t *testing.T) {
	home := t.TempDir()
	src := t.TempDir()
	openssl(t, src, "ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "k1.pem")
	plain, err := os.ReadFile(filepath.Join(src, "k1.pem"))
	must(t, err)
	want := pubPrincipal(t, src, "k1.pem")
	dir := dfxEncrypt(t, home, "vault", plain, "correct horse")

	var asked []SecretRequest
	id, err := LoadIdentity("vault", passwordEnv(home, "correct horse", &asked))
	if err != nil {
		t.Fatal(err)
	}
	if id.Sender().Encode() != want {
		t.Errorf("principal %s, want %s", id.Sender(), want)
	}
	if len(asked) != 1 || asked[0].Kind != SecretPassword || !strings.Contains(asked[0].What, `"vault"`) || !slices.Contains(asked[0].Env, EnvIdentityPassword) {
		t.Errorf("password requests = %+v", asked)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("decrypting wrote files next to the identity: %v", entries)
	}

	_, err = LoadIdentity("vault", passwordEnv(home, "wrong horse", &asked))
	if !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: err = %v", err)
	}
	_, err = LoadIdentity("vault", IdentityEnv{Home: home})
	if !errors.Is(err, ErrNoSecret) || !errors.Is(err, ErrEncryptedKey) || !strings.Contains(err.Error(), EnvIdentityPassword) {
		t.Errorf("no password source: err = %v", err)
	}
	if strings.Contains(err.Error(), "export") {
		t.Errorf("error suggests exporting the key: %v", err)
	}
}

func TestEncryptedPKCS8(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "genpkey", "-algorithm", "ed25519", "-out", "ed.pem")
	openssl(t, dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "p256.pem")
	openssl(t, dir, "ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "k1.pem")
	cases := []struct{ name, src string }{
		{"ed25519 pbkdf2", "ed.pem"}, {"p256 pbkdf2", "p256.pem"}, {"secp256k1 pbkdf2", "k1.pem"}, {"ed25519 scrypt", "ed.pem"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := strings.ReplaceAll(c.name, " ", "-") + ".enc.pem"
			args := []string{"pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:s3cret pass", "-in", c.src, "-out", out}
			if strings.Contains(c.name, "scrypt") {
				args = []string{"pkcs8", "-topk8", "-scrypt", "-passout", "pass:s3cret pass", "-in", c.src, "-out", out}
			}
			openssl(t, dir, args...)
			must(t, os.Chmod(filepath.Join(dir, out), 0o600))
			var asked []SecretRequest
			id, err := LoadIdentity(filepath.Join(dir, out), passwordEnv("", "s3cret pass", &asked))
			if err != nil {
				t.Fatal(err)
			}
			if want := pubPrincipal(t, dir, c.src); id.Sender().Encode() != want {
				t.Errorf("principal %s, want %s", id.Sender(), want)
			}
			if len(asked) != 1 || !strings.Contains(asked[0].What, out) {
				t.Errorf("password requests = %+v", asked)
			}
			if _, err := LoadIdentity(filepath.Join(dir, out), passwordEnv("", "not it", &asked)); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: err = %v", err)
			}
		})
	}
}

// TestICPPasswordIdentity loads an icp-cli identity stored with
// --storage password (a PBES2 PEM under keys/ listed as format pbes2).
func TestICPPasswordIdentity(t *testing.T) {
	home := t.TempDir()
	keys := filepath.Join(home, "icp", "identity", "keys")
	must(t, os.MkdirAll(keys, 0o700))
	openssl(t, keys, "ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "plain.pem")
	openssl(t, keys, "pkcs8", "-topk8", "-scrypt", "-passout", "pass:pw", "-in", "plain.pem", "-out", "ops.pem")
	want := pubPrincipal(t, keys, "plain.pem")
	must(t, os.Remove(filepath.Join(keys, "plain.pem")))
	must(t, os.Chmod(filepath.Join(keys, "ops.pem"), 0o600))
	list, _ := json.Marshal(map[string]any{"v": 1, "identities": map[string]any{
		"ops": map[string]any{"kind": "pem", "format": "pbes2", "algorithm": "secp256k1", "principal": want}}})
	must(t, os.WriteFile(filepath.Join(home, "icp", "identity", "identity_list.json"), list, 0o600))
	var asked []SecretRequest
	env := passwordEnv(home, "pw", &asked)
	env.ICPHome = filepath.Join(home, "icp")
	id, err := LoadIdentity("icp:ops", env)
	if err != nil {
		t.Fatal(err)
	}
	if id.Sender().Encode() != want {
		t.Errorf("principal %s, want %s", id.Sender(), want)
	}
}

// BenchmarkLoadDFXPasswordProtected measures unlocking a password-protected
// dfx identity (dominated by Argon2id with dfx's 64000 KiB), to compare
// with loading the same key in plaintext (BenchmarkLoadPlaintextPEM).
func BenchmarkLoadDFXPasswordProtected(b *testing.B) {
	home, plain := benchKey(b)
	dfxEncrypt(b, home, "vault", plain, "pw")
	env := IdentityEnv{Home: home, Secret: func(SecretRequest) ([]byte, error) { return []byte("pw"), nil }}
	for b.Loop() {
		if _, err := LoadIdentity("vault", env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadPlaintextPEM is the baseline of
// BenchmarkLoadDFXPasswordProtected.
func BenchmarkLoadPlaintextPEM(b *testing.B) {
	home, plain := benchKey(b)
	dir := filepath.Join(home, ".config", "dfx", "identity", "open")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "identity.pem"), plain, 0o600); err != nil {
		b.Fatal(err)
	}
	env := IdentityEnv{Home: home}
	for b.Loop() {
		if _, err := LoadIdentity("open", env); err != nil {
			b.Fatal(err)
		}
	}
}

func benchKey(b *testing.B) (home string, plain []byte) {
	b.Helper()
	home = b.TempDir()
	out, err := exec.Command("openssl", "genpkey", "-algorithm", "ed25519").Output()
	if err != nil {
		b.Fatal(err)
	}
	return home, out
}
