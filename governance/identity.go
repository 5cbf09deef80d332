package governance

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aviate-labs/agent-go/identity"
)

// Curve and algorithm object identifiers used to dispatch PEM keys.
var (
	oidSecp256k1 = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidP256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidECPublic  = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

// IdentityEnv is where identities are looked up. The zero value looks
// nowhere but explicit paths; IdentityEnvFromOS fills it from the process.
type IdentityEnv struct {
	// Home is the user's home directory.
	Home string
	// DFXConfigRoot relocates dfx's ".config" (DFX_CONFIG_ROOT).
	DFXConfigRoot string
	// DFXIdentity is the DFX_IDENTITY environment variable.
	DFXIdentity string
	// ICPHome relocates icp-cli's data directory (ICP_HOME).
	ICPHome string
	// Warn receives warnings such as key files readable by others; nil
	// discards them.
	Warn io.Writer
	// Secret supplies passwords of encrypted keys and PINs of PKCS#11
	// tokens; nil means none can be had (such keys fail with ErrNoSecret).
	Secret SecretFunc
	// HSMModule is the PKCS#11 library for "hsm:" identities that name
	// none; empty means DefaultPKCS11Module.
	HSMModule string
}

// IdentityEnvFromOS returns the lookup environment of the current process.
// Warnings go to stderr.
func IdentityEnvFromOS() IdentityEnv {
	home, _ := os.UserHomeDir()
	return IdentityEnv{
		Home:          home,
		DFXConfigRoot: os.Getenv("DFX_CONFIG_ROOT"),
		DFXIdentity:   os.Getenv("DFX_IDENTITY"),
		ICPHome:       os.Getenv("ICP_HOME"),
		Warn:          os.Stderr,
	}
}

// Identity is a loaded signing identity and where it came from. The key
// itself is never printed; String shows the name and principal only.
type Identity struct {
	identity.Identity
	// Name is the dfx/icp-cli name, the path for a PEM file, or the
	// --identity value for a key in a PKCS#11 token.
	Name string
	// Path is the key file ("" for the anonymous identity and for keys
	// in a token).
	Path string
}

// Close releases what the identity holds open (the session with a
// PKCS#11 token); other identities hold nothing.
func (id *Identity) Close() error {
	if c, ok := id.Identity.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// InToken reports whether the key lives in a PKCS#11 token.
func (id *Identity) InToken() bool {
	_, ok := id.Identity.(*hsmIdentity)
	return ok
}

// String names the identity without revealing key material.
func (id *Identity) String() string {
	return fmt.Sprintf("%s (%s)", id.Name, id.Sender().Encode())
}

// Anonymous is the anonymous identity (sender 0x04, no signature).
func Anonymous() *Identity {
	return &Identity{Identity: new(identity.AnonymousIdentity), Name: "anonymous"}
}

// ErrNoIdentity reports that no identity of the given name exists in any
// store. It comes wrapped together with ErrIdentity.
var ErrNoIdentity = errors.New("no such identity")

// ErrUnreadableIdentity reports an identity whose key nnspatch cannot use
// by design (kept in the system keyring, or an Internet Identity
// delegation). It comes wrapped together with ErrIdentity.
var ErrUnreadableIdentity = errors.New("identity key not readable by nnspatch")

// LoadIdentity resolves spec to an identity. spec is a PEM file path, a dfx
// identity name, an icp-cli identity name, "anonymous", or "hsm:..." for a
// key in a PKCS#11 token (see ParseHSMSpec); "dfx:NAME" and "icp:NAME"
// force one store. An empty spec means DFX_IDENTITY, then dfx's default
// from identity.json, then icp-cli's default, then "default".
//
// Password-protected dfx identities and encrypted PKCS#8 PEM files are
// decrypted in memory with a password from env.Secret; dfx and icp-cli HSM
// identities and "hsm:" specs log in to the token with a PIN from it.
func LoadIdentity(spec string, env IdentityEnv) (*Identity, error) {
	if spec == "" {
		spec = env.defaultName()
	}
	if spec == "anonymous" {
		return Anonymous(), nil
	}
	if rest, ok := strings.CutPrefix(spec, HSMPrefix); ok {
		hs, err := ParseHSMSpec(rest, env.HSMModule)
		if err != nil {
			return nil, err
		}
		return LoadHSM(hs, spec, env)
	}
	if looksLikePath(spec) {
		return loadIdentityFile(spec, spec, env)
	}
	store, name, forced := strings.Cut(spec, ":")
	if !forced {
		store, name = "", spec
	}
	if store == "" || store == "dfx" {
		if id, err := env.loadDFX(name); !errors.Is(err, os.ErrNotExist) {
			return id, err
		}
	}
	if store == "" || store == "icp" {
		if id, err := env.loadICP(name); !errors.Is(err, os.ErrNotExist) {
			return id, err
		}
	}
	return nil, fmt.Errorf("%w: %w: no dfx or icp-cli identity named %q; pass a PEM path or create it with `dfx identity new %s`", ErrIdentity, ErrNoIdentity, name, name)
}

// loadDFX loads dfx identity name: an HSM identity, a password-protected
// one, a keyring one (refused with a reason), or a plaintext PEM. It
// returns os.ErrNotExist when dfx has no such identity.
func (env IdentityEnv) loadDFX(name string) (*Identity, error) {
	dir := filepath.Join(env.dfxRoot(), "identity", name)
	pemPath := filepath.Join(dir, "identity.pem")
	cfg, err := readDFXIdentityConfig(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	switch {
	case cfg != nil && cfg.HSM != nil:
		id, err := hex.DecodeString(cfg.HSM.KeyID)
		if err != nil || len(id) == 0 {
			return nil, fmt.Errorf("%w: dfx identity %q has hsm.key_id %q, which is not hex", ErrIdentity, name, cfg.HSM.KeyID)
		}
		module := cfg.HSM.PKCS11LibPath
		if module == "" {
			module = env.hsmModule()
		}
		// dfx uses the first slot with a token and reads DFX_HSM_PIN.
		return LoadHSM(HSMSpec{Module: module, KeyID: id, PINEnv: []string{EnvHSMPIN, EnvDFXHSMPIN}}, name, env)
	case cfg != nil && cfg.Encryption != nil:
		return loadDFXEncrypted(pemPath+".encrypted", name, *cfg.Encryption, env)
	case cfg != nil && cfg.KeyringSuffix != "":
		return nil, fmt.Errorf("%w: %w: dfx identity %q keeps its key in the system keyring, which nnspatch cannot read; use a password-protected dfx identity (`dfx identity new NAME --storage-mode password-protected`) or a key in a token (an hsm: identity)", ErrIdentity, ErrUnreadableIdentity, name)
	}
	if _, err := os.Stat(pemPath); err == nil {
		return loadIdentityFile(pemPath, name, env)
	}
	if _, err := os.Stat(pemPath + ".encrypted"); err == nil {
		return nil, fmt.Errorf("%w: %s has no encryption section in %s, so it cannot be decrypted; recreate the identity with dfx", ErrEncryptedKey, pemPath+".encrypted", filepath.Join(dir, "identity.json"))
	}
	return nil, os.ErrNotExist
}

func (env IdentityEnv) hsmModule() string {
	if env.HSMModule != "" {
		return env.HSMModule
	}
	return DefaultPKCS11Module()
}

func looksLikePath(spec string) bool {
	return strings.ContainsRune(spec, os.PathSeparator) || strings.HasSuffix(spec, ".pem")
}

// defaultName applies dfx's order: DFX_IDENTITY, then identity.json, then
// icp-cli's identity_defaults.json, then "default".
func (env IdentityEnv) defaultName() string {
	if env.DFXIdentity != "" {
		return env.DFXIdentity
	}
	if n := readDefault(filepath.Join(env.dfxRoot(), "identity.json")); n != "" {
		return n
	}
	if dir := env.icpIdentityDir(); dir != "" {
		if n := readDefault(filepath.Join(dir, "identity_defaults.json")); n != "" {
			return "icp:" + n
		}
	}
	return "default"
}

func readDefault(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var v struct {
		Default string `json:"default"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	return v.Default
}

func (env IdentityEnv) dfxRoot() string {
	base := env.DFXConfigRoot
	if base == "" {
		base = env.Home
	}
	return filepath.Join(base, ".config", "dfx")
}

// icpIdentityDir is icp-cli's identity directory: $ICP_HOME/identity, else
// the platform data directory (see icp-cli's managing-identities guide).
func (env IdentityEnv) icpIdentityDir() string {
	switch {
	case env.ICPHome != "":
		return filepath.Join(env.ICPHome, "identity")
	case env.Home == "":
		return ""
	case runtime.GOOS == "darwin":
		return filepath.Join(env.Home, "Library", "Application Support", "org.dfinity.icp-cli", "identity")
	default:
		return filepath.Join(env.Home, ".local", "share", "icp-cli", "identity")
	}
}

func loadIdentityFile(path, name string, env IdentityEnv) (*Identity, error) {
	warn := env.Warn
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: read key file %s: %w", ErrIdentity, path, err)
	}
	if info.Mode().Perm()&0o077 != 0 && warn != nil {
		fmt.Fprintf(warn, "warning: key file %s is readable by group or others (mode %04o); run `chmod 600 %s`\n", path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: read key file %s: %w", ErrIdentity, path, err)
	}
	id, err := parsePEM(data, "key file "+path, env)
	if err != nil {
		return nil, fmt.Errorf("load key file %s: %w", path, err)
	}
	return &Identity{Identity: id, Name: name, Path: path}, nil
}

// ParsePEM parses a private key PEM: ed25519 PKCS#8 (v1 and the dfx v2 form
// with the public key), secp256k1 SEC1 with or without an EC PARAMETERS
// block, secp256k1 in PKCS#8, and P-256 (SEC1 or PKCS#8). It dispatches on
// the block type and the curve OID. Encrypted keys yield ErrEncryptedKey
// (LoadIdentity decrypts encrypted PKCS#8 with a password).
func ParsePEM(data []byte) (identity.Identity, error) {
	return parsePEM(data, "", IdentityEnv{})
}

// parsePEM is ParsePEM that decrypts an ENCRYPTED PRIVATE KEY block (what
// names it in the password prompt) with a password from env.
func parsePEM(data []byte, what string, env IdentityEnv) (identity.Identity, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%w: no private key PEM block found", ErrIdentity)
		}
		switch {
		case block.Type == "ENCRYPTED PRIVATE KEY" && what != "":
			return decryptPKCS8(block.Bytes, what, env)
		case block.Type == "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%w: load it with LoadIdentity, which asks for its password", ErrEncryptedKey)
		case block.Headers["Proc-Type"] != "":
			return nil, fmt.Errorf("%w: it uses OpenSSL's legacy PEM encryption, which nnspatch does not read; convert it to encrypted PKCS#8 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.p8.pem` (asks for both passwords)", ErrEncryptedKey)
		case block.Type == "EC PARAMETERS":
			continue
		case block.Type == "EC PRIVATE KEY":
			return parseSEC1(block.Bytes)
		case block.Type == "PRIVATE KEY":
			return parsePKCS8(block.Bytes)
		}
	}
}

type sec1Key struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

func parseSEC1(der []byte) (identity.Identity, error) {
	var k sec1Key
	if _, err := asn1.Unmarshal(der, &k); err != nil {
		return nil, fmt.Errorf("%w: parse EC private key: %w", ErrIdentity, err)
	}
	block := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	switch {
	case k.Curve.Equal(oidSecp256k1):
		return identity.NewSecp256k1IdentityFromPEMWithoutParameters(block)
	case k.Curve.Equal(oidP256):
		return identity.NewPrime256v1IdentityFromPEM(block)
	default:
		return nil, fmt.Errorf("%w: unsupported EC curve %v; use ed25519, secp256k1 or P-256", ErrIdentity, k.Curve)
	}
}

type pkcs8Key struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
}

func parsePKCS8(der []byte) (identity.Identity, error) {
	var k pkcs8Key
	if _, err := asn1.Unmarshal(der, &k); err == nil && k.Algorithm.Algorithm.Equal(oidECPublic) {
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(k.Algorithm.Parameters.FullBytes, &curve); err == nil && curve.Equal(oidSecp256k1) {
			return parseSEC1(withCurve(k.PrivateKey, curve))
		}
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: parse PKCS#8 private key: %w", ErrIdentity, err)
	}
	switch key := key.(type) {
	case ed25519.PrivateKey:
		return identity.NewEd25519Identity(key.Public().(ed25519.PublicKey), key)
	case *ecdsa.PrivateKey:
		if key.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: unsupported EC curve %s", ErrIdentity, key.Curve.Params().Name)
		}
		return identity.NewPrime256v1Identity(key), nil
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T; use ed25519, secp256k1 or P-256", ErrIdentity, key)
	}
}

// withCurve makes sure a SEC1 key embedded in PKCS#8 names its curve (the
// curve usually lives only in the PKCS#8 algorithm parameters).
func withCurve(sec1 []byte, curve asn1.ObjectIdentifier) []byte {
	var k sec1Key
	if _, err := asn1.Unmarshal(sec1, &k); err != nil || len(k.Curve) != 0 {
		return sec1
	}
	k.Curve = curve
	out, err := asn1.Marshal(k)
	if err != nil {
		return sec1
	}
	return out
}
