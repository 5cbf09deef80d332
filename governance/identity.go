package governance

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
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
	// Name is the dfx/icp-cli name, or the path for a PEM file.
	Name string
	// Path is the key file ("" for the anonymous identity).
	Path string
}

// String names the identity without revealing key material.
func (id *Identity) String() string {
	return fmt.Sprintf("%s (%s)", id.Name, id.Sender().Encode())
}

// Anonymous is the anonymous identity (sender 0x04, no signature).
func Anonymous() *Identity {
	return &Identity{Identity: new(identity.AnonymousIdentity), Name: "anonymous"}
}

// LoadIdentity resolves spec to an identity. spec is a PEM file path, a dfx
// identity name, an icp-cli identity name, or "anonymous"; "dfx:NAME" and
// "icp:NAME" force one store. An empty spec means DFX_IDENTITY, then dfx's
// default from identity.json, then icp-cli's default, then "default".
func LoadIdentity(spec string, env IdentityEnv) (*Identity, error) {
	if spec == "" {
		spec = env.defaultName()
	}
	if spec == "anonymous" {
		return Anonymous(), nil
	}
	if looksLikePath(spec) {
		return loadIdentityFile(spec, spec, env.Warn)
	}
	store, name, forced := strings.Cut(spec, ":")
	if !forced {
		store, name = "", spec
	}
	for _, c := range env.candidates(store, name) {
		if id, err := loadCandidate(c, name, env.Warn); !errors.Is(err, os.ErrNotExist) {
			return id, err
		}
	}
	return nil, fmt.Errorf("%w: no dfx or icp-cli identity named %q; pass a PEM path or create it with `dfx identity new %s`", ErrIdentity, name, name)
}

func loadCandidate(path, name string, warn io.Writer) (*Identity, error) {
	if _, err := os.Stat(path); err == nil {
		return loadIdentityFile(path, name, warn)
	}
	if _, err := os.Stat(path + ".encrypted"); err == nil {
		return nil, fmt.Errorf("%w: %s; export a plaintext copy with `dfx identity export %s > key.pem` and pass --identity key.pem", ErrEncryptedKey, path+".encrypted", name)
	}
	// A dfx identity whose key lives in the system keyring or an HSM has
	// its identity.json but no PEM file.
	if filepath.Base(path) == "identity.pem" {
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), "identity.json")); err == nil {
			return nil, fmt.Errorf("%w: dfx identity %q keeps its key in the system keyring or an HSM, which nnspatch cannot read; export a PEM copy with `dfx identity export %s > key.pem` and pass --identity key.pem", ErrIdentity, name, name)
		}
	}
	return nil, os.ErrNotExist
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

func (env IdentityEnv) candidates(store, name string) []string {
	var out []string
	if store == "" || store == "dfx" {
		out = append(out, filepath.Join(env.dfxRoot(), "identity", name, "identity.pem"))
	}
	if dir := env.icpIdentityDir(); dir != "" && (store == "" || store == "icp") {
		out = append(out, filepath.Join(dir, "keys", name+".pem"))
	}
	return out
}

func loadIdentityFile(path, name string, warn io.Writer) (*Identity, error) {
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
	id, err := ParsePEM(data)
	if err != nil {
		return nil, fmt.Errorf("load key file %s: %w", path, err)
	}
	return &Identity{Identity: id, Name: name, Path: path}, nil
}

// ParsePEM parses a private key PEM: ed25519 PKCS#8 (v1 and the dfx v2 form
// with the public key), secp256k1 SEC1 with or without an EC PARAMETERS
// block, secp256k1 in PKCS#8, and P-256 (SEC1 or PKCS#8). It dispatches on
// the block type and the curve OID. Encrypted keys yield ErrEncryptedKey.
func ParsePEM(data []byte) (identity.Identity, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%w: no private key PEM block found", ErrIdentity)
		}
		switch {
		case block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] != "":
			return nil, fmt.Errorf("%w: decrypt it first (for example `openssl pkey -in KEY -out plain.pem`) and keep the copy private", ErrEncryptedKey)
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
