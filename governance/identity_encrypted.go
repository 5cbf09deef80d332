package governance

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aviate-labs/agent-go/identity"
	"golang.org/x/crypto/argon2"
)

// Environment variables that hold secrets when there is no terminal.
const (
	// EnvIdentityPassword holds the password of an encrypted key file
	// (dfx password-protected identities, encrypted PKCS#8 PEM files).
	EnvIdentityPassword = "NNSPATCH_IDENTITY_PASSWORD"
	// EnvHSMPIN holds the user PIN of a PKCS#11 token.
	EnvHSMPIN = "NNSPATCH_HSM_PIN"
	// EnvDFXHSMPIN is dfx's variable for the PIN of an HSM identity.
	EnvDFXHSMPIN = "DFX_HSM_PIN"
)

// dfx derives the key of a password-protected identity with Argon2id
// (version 0x13, 64000 KiB, 3 passes, 1 lane, 32 bytes) and encrypts
// identity.pem.encrypted with AES-256-GCM; salt and nonce are in the
// identity's identity.json (facts from dfx's pem_safekeeping.rs and
// identity_manager.rs).
const (
	dfxArgonTime    = 3
	dfxArgonMemory  = 64000
	dfxArgonThreads = 1
	dfxKeyLen       = 32
)

// dfxIdentityConfig is dfx's per-identity identity.json
// (~/.config/dfx/identity/NAME/identity.json).
type dfxIdentityConfig struct {
	HSM *struct {
		PKCS11LibPath string `json:"pkcs11_lib_path"`
		KeyID         string `json:"key_id"`
	} `json:"hsm"`
	Encryption *DFXEncryption `json:"encryption"`
	// KeyringSuffix is set when the key lives in the system keyring.
	KeyringSuffix string `json:"keyring_identity_suffix"`
}

// DFXEncryption is the encryption section of a dfx identity.json: the
// Argon2id salt as dfx stores it (a string whose unpadded standard base64
// decoding is the salt) and the 12-byte AES-GCM nonce.
type DFXEncryption struct {
	PWSalt    string `json:"pw_salt"`
	FileNonce []int  `json:"file_nonce"`
}

func readDFXIdentityConfig(dir string) (*dfxIdentityConfig, error) {
	b, err := os.ReadFile(filepath.Join(dir, "identity.json"))
	if err != nil {
		return nil, err
	}
	var c dfxIdentityConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: parse %s: %w", ErrIdentity, filepath.Join(dir, "identity.json"), err)
	}
	return &c, nil
}

// dfxAEAD derives the AES-256-GCM cipher and nonce for password.
func (e DFXEncryption) dfxAEAD(password []byte) (cipher.AEAD, []byte, error) {
	salt, err := base64.RawStdEncoding.DecodeString(e.PWSalt)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: identity.json pw_salt is not dfx's salt format: %w", ErrIdentity, err)
	}
	nonce := make([]byte, len(e.FileNonce))
	for i, v := range e.FileNonce {
		if v < 0 || v > 255 {
			return nil, nil, fmt.Errorf("%w: identity.json file_nonce holds %d, not a byte", ErrIdentity, v)
		}
		nonce[i] = byte(v)
	}
	key := argon2.IDKey(password, salt, dfxArgonTime, dfxArgonMemory, dfxArgonThreads, dfxKeyLen)
	defer wipe(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, err
	}
	if len(nonce) != aead.NonceSize() {
		return nil, nil, fmt.Errorf("%w: identity.json file_nonce has %d bytes, want %d", ErrIdentity, len(nonce), aead.NonceSize())
	}
	return aead, nonce, nil
}

// DecryptDFX decrypts the content of a dfx identity.pem.encrypted.
func (e DFXEncryption) DecryptDFX(ciphertext, password []byte) ([]byte, error) {
	aead, nonce, err := e.dfxAEAD(password)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// loadDFXEncrypted decrypts a password-protected dfx identity in memory.
func loadDFXEncrypted(path, name string, enc DFXEncryption, env IdentityEnv) (*Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: read key file %s: %w", ErrIdentity, path, err)
	}
	req := SecretRequest{Kind: SecretPassword, What: fmt.Sprintf("dfx identity %q", name), Env: []string{EnvIdentityPassword}}
	pw, err := env.ask(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrEncryptedKey, path, err)
	}
	defer wipe(pw)
	plain, err := enc.DecryptDFX(data, pw)
	if err != nil {
		return nil, fmt.Errorf("decrypt dfx identity %q (%s): %w", name, path, err)
	}
	defer wipe(plain)
	id, err := ParsePEM(plain)
	if err != nil {
		return nil, fmt.Errorf("load dfx identity %q: %w", name, err)
	}
	return &Identity{Identity: id, Name: name, Path: path}, nil
}

// decryptPKCS8 decrypts an ENCRYPTED PRIVATE KEY block (PBES2, as written
// by `openssl pkcs8 -topk8 -v2 aes-256-cbc` or icp-cli's password storage)
// in memory and parses the key inside.
func decryptPKCS8(der []byte, what string, env IdentityEnv) (identity.Identity, error) {
	req := SecretRequest{Kind: SecretPassword, What: what, Env: []string{EnvIdentityPassword}}
	pw, err := env.ask(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncryptedKey, err)
	}
	defer wipe(pw)
	plain, err := decryptPBES2(der, pw)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", what, err)
	}
	defer wipe(plain)
	return parsePKCS8(plain)
}
