package governance

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
)

// HSMPrefix starts an --identity value that names a key in a PKCS#11
// token, e.g. "hsm:slot=0,id=01" or "hsm:token=release,label=nns".
const HSMPrefix = "hsm:"

// The ways loading a key from a PKCS#11 token fails. Each HSMError matches
// one of them, and ErrIdentity.
var (
	// ErrHSMModule: the PKCS#11 module is missing or does not load.
	ErrHSMModule = errors.New("PKCS#11 module unavailable")
	// ErrHSMToken: no token in the slot, or none with the label.
	ErrHSMToken = errors.New("PKCS#11 token not found")
	// ErrHSMPIN: the token refused the PIN (wrong, locked or malformed).
	ErrHSMPIN = errors.New("PKCS#11 PIN rejected")
	// ErrHSMKey: no key with the id or label, or the token failed to sign.
	ErrHSMKey = errors.New("PKCS#11 key unavailable")
	// ErrHSMKeyType: the key is not an ECDSA P-256 key.
	ErrHSMKeyType = errors.New("PKCS#11 key type unsupported")
	// ErrHSMUnsupported: this binary was built without cgo, which PKCS#11
	// needs to load a module.
	ErrHSMUnsupported = errors.New("PKCS#11 support not built in")
	// ErrKeyInToken: the key cannot be exported; it never leaves the token.
	ErrKeyInToken = errors.New("the key stays in the token and cannot be exported")
)

// HSMSpec names one key in a PKCS#11 token.
type HSMSpec struct {
	// Module is the PKCS#11 library; empty means DefaultPKCS11Module.
	Module string
	// Slot is the token's index among the slots that hold a token, as
	// `pkcs11-tool -L` and dfx number them (dfx always uses 0).
	Slot int
	// Token selects the token by label instead of Slot.
	Token string
	// KeyID is the key's CKA_ID (dfx's key_id, hex on the command line).
	KeyID []byte
	// KeyLabel is the key's CKA_LABEL.
	KeyLabel string
	// PINEnv lists the environment variables that may hold the PIN.
	PINEnv []string
}

// ParseHSMSpec parses the part of --identity after "hsm:": comma-separated
// slot=N, token=LABEL, id=HEX, label=LABEL and module=PATH. A key id or
// label is required; module defaults to defaultModule.
func ParseHSMSpec(s, defaultModule string) (HSMSpec, error) {
	spec := HSMSpec{Module: defaultModule, PINEnv: []string{EnvHSMPIN}}
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || v == "" {
			return HSMSpec{}, hsmSpecError("%q is not key=value", part)
		}
		switch k {
		case "slot":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return HSMSpec{}, hsmSpecError("slot %q is not a slot index (0, 1, ...)", v)
			}
			spec.Slot = n
		case "token":
			spec.Token = v
		case "id":
			id, err := hex.DecodeString(strings.TrimPrefix(v, "0x"))
			if err != nil || len(id) == 0 {
				return HSMSpec{}, hsmSpecError("key id %q is not hex (e.g. id=01)", v)
			}
			spec.KeyID = id
		case "label":
			spec.KeyLabel = v
		case "module":
			spec.Module = v
		default:
			return HSMSpec{}, hsmSpecError("unknown field %q; use slot, token, id, label or module", k)
		}
	}
	if spec.KeyID == nil && spec.KeyLabel == "" {
		return HSMSpec{}, hsmSpecError("name the key with id=HEX or label=NAME (e.g. hsm:slot=0,id=01)")
	}
	if spec.Module == "" {
		spec.Module = DefaultPKCS11Module()
	}
	return spec, nil
}

func hsmSpecError(format string, args ...any) error {
	return fmt.Errorf("%w: hsm: %s", ErrIdentity, fmt.Sprintf(format, args...))
}

// String shows the spec the way it is written after "hsm:".
func (s HSMSpec) String() string {
	parts := []string{}
	if s.Token != "" {
		parts = append(parts, "token="+s.Token)
	} else {
		parts = append(parts, "slot="+strconv.Itoa(s.Slot))
	}
	if s.KeyID != nil {
		parts = append(parts, "id="+hex.EncodeToString(s.KeyID))
	}
	if s.KeyLabel != "" {
		parts = append(parts, "label="+s.KeyLabel)
	}
	return strings.Join(parts, ",")
}

// where names the token the spec selects, for messages.
func (s HSMSpec) where() string {
	if s.Token != "" {
		return fmt.Sprintf("token %q", s.Token)
	}
	return fmt.Sprintf("the token in slot %d", s.Slot)
}

// DefaultPKCS11Module returns where OpenSC installs its PKCS#11 module on
// this platform (the module dfx suggests for HSM identities): the first of
// the usual places that exists, else the first.
func DefaultPKCS11Module() string {
	var candidates []string
	switch runtime.GOOS {
	case "darwin":
		candidates = []string{"/Library/OpenSC/lib/pkcs11/opensc-pkcs11.so", "/opt/homebrew/lib/opensc-pkcs11.so", "/usr/local/lib/opensc-pkcs11.so"}
	case "windows":
		candidates = []string{`C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`}
	default:
		candidates = []string{"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
			"/usr/lib64/opensc-pkcs11.so", "/usr/lib/opensc-pkcs11.so", "/usr/local/lib/opensc-pkcs11.so"}
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return candidates[0]
}

// HSMError is a failure to use a key in a PKCS#11 token, with the module
// and the key. It matches its Kind (ErrHSMPIN, ErrHSMToken, ...) and
// ErrIdentity.
type HSMError struct {
	Kind   error
	Module string
	Spec   HSMSpec
	Err    error
}

// Error implements error.
func (e *HSMError) Error() string {
	msg := fmt.Sprintf("%v: hsm:%s (module %s)", e.Kind, e.Spec, e.Module)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the kind, ErrIdentity and the cause.
func (e *HSMError) Unwrap() []error {
	errs := []error{e.Kind, ErrIdentity}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// LoadHSM opens the token spec names, logs in with a PIN from env.Secret
// and returns an identity that signs with the ECDSA P-256 key inside. The
// private key never leaves the token. Close the identity when done.
func LoadHSM(spec HSMSpec, name string, env IdentityEnv) (*Identity, error) {
	signer, closeFn, err := openHSM(spec, env)
	if err != nil {
		return nil, err
	}
	id, err := newHSMIdentity(signer, closeFn)
	if err != nil {
		closeFn()
		return nil, &HSMError{Kind: ErrHSMKeyType, Module: spec.Module, Spec: spec, Err: err}
	}
	return &Identity{Identity: id, Name: name}, nil
}

// p256OrderHalf is n/2 of P-256; signatures are normalized to s <= n/2
// like agent-go's and ic-agent's software P-256 identities do.
var (
	p256Order     = elliptic.P256().Params().N
	p256OrderHalf = new(big.Int).Rsh(p256Order, 1)
)

// hsmIdentity implements agent-go's identity.Identity with a signer that
// lives in a token: the same DER public key and principal a software
// P-256 identity would have, and r‖s signatures over sha256(msg).
type hsmIdentity struct {
	signer crypto.Signer
	pub    *ecdsa.PublicKey
	der    []byte
	close  func() error
}

func newHSMIdentity(signer crypto.Signer, closeFn func() error) (*hsmIdentity, error) {
	pub, ok := signer.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("the key is %s; nnspatch signs with ECDSA P-256 keys only (create one with `pkcs11-tool --keypairgen --key-type EC:prime256v1`)", describeKey(signer.Public()))
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return &hsmIdentity{signer: signer, pub: pub, der: der, close: closeFn}, nil
}

func describeKey(k crypto.PublicKey) string {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA on " + k.Curve.Params().Name
	case nil:
		return "of an unknown type"
	default:
		return fmt.Sprintf("a %T", k)
	}
}

// Sender returns the self-authenticating principal of the public key.
func (h *hsmIdentity) Sender() principal.Principal { return principal.NewSelfAuthenticating(h.der) }

// PublicKey returns the DER SubjectPublicKeyInfo of the key.
func (h *hsmIdentity) PublicKey() []byte { return h.der }

// Sign has the token sign sha256(msg) and returns r‖s (64 bytes), low-S.
func (h *hsmIdentity) Sign(msg []byte) ([]byte, error) {
	digest := sha256.Sum256(msg)
	der, err := h.signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: the token failed to sign: %w", ErrHSMKey, err)
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return nil, fmt.Errorf("%w: the token returned a malformed signature: %w", ErrHSMKey, err)
	}
	if sig.S.Cmp(p256OrderHalf) > 0 {
		sig.S.Sub(p256Order, sig.S)
	}
	out := make([]byte, 64)
	sig.R.FillBytes(out[:32])
	sig.S.FillBytes(out[32:])
	return out, nil
}

// Verify checks an r‖s signature over sha256(msg) against the public key.
func (h *hsmIdentity) Verify(msg, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	digest := sha256.Sum256(msg)
	return ecdsa.Verify(h.pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}

// ToPEM refuses: the private key never leaves the token.
func (h *hsmIdentity) ToPEM() ([]byte, error) { return nil, ErrKeyInToken }

// Close logs out and releases the token.
func (h *hsmIdentity) Close() error {
	if h.close == nil {
		return nil
	}
	err := h.close()
	h.close = nil
	return err
}
