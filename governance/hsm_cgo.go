//go:build cgo

package governance

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"os"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"
)

// p256Params is the DER of the P-256 curve OID, as CKA_EC_PARAMS holds it.
var p256Params = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}

// openHSM finds the token, asks for the PIN, logs in with crypto11 and
// returns the signer of the P-256 key spec names.
func openHSM(spec HSMSpec, env IdentityEnv) (crypto.Signer, func() error, error) {
	fail := func(kind error, err error) (crypto.Signer, func() error, error) {
		return nil, nil, &HSMError{Kind: kind, Module: spec.Module, Spec: spec, Err: err}
	}
	if _, err := os.Stat(spec.Module); err != nil {
		return fail(ErrHSMModule, err)
	}
	slot, label, err := findSlot(spec)
	if err != nil {
		return nil, nil, err
	}
	pin, err := env.ask(SecretRequest{Kind: SecretPIN, What: fmt.Sprintf("PKCS#11 token %q", label), Env: spec.PINEnv})
	if err != nil {
		return fail(ErrHSMPIN, err)
	}
	defer wipe(pin)
	slotNumber := int(slot)
	ctx, err := crypto11.Configure(&crypto11.Config{Path: spec.Module, SlotNumber: &slotNumber, Pin: string(pin)})
	if err != nil {
		var p11 pkcs11.Error
		if errors.As(err, &p11) && isPINError(p11) {
			return fail(ErrHSMPIN, fmt.Errorf("token %q: %w", label, p11))
		}
		return fail(ErrHSMToken, err)
	}
	signer, err := findP256Key(ctx, spec)
	if err != nil {
		ctx.Close()
		return nil, nil, err
	}
	return signer, ctx.Close, nil
}

func isPINError(e pkcs11.Error) bool {
	switch e {
	case pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_LEN_RANGE, pkcs11.CKR_PIN_LOCKED, pkcs11.CKR_PIN_EXPIRED:
		return true
	}
	return false
}

// findSlot lists the slots holding a token and picks spec's by index or
// label, returning its PKCS#11 slot id and token label.
func findSlot(spec HSMSpec) (uint, string, error) {
	fail := func(kind error, err error) (uint, string, error) {
		return 0, "", &HSMError{Kind: kind, Module: spec.Module, Spec: spec, Err: err}
	}
	p := pkcs11.New(spec.Module)
	if p == nil {
		return fail(ErrHSMModule, errors.New("the file is not a PKCS#11 library that loads on this system"))
	}
	finalize := true
	if err := p.Initialize(); err != nil {
		if !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
			p.Destroy()
			return fail(ErrHSMModule, fmt.Errorf("initialize: %w", err))
		}
		// Another identity of this process holds the module open.
		finalize = false
	}
	defer func() {
		if finalize {
			_ = p.Finalize()
			p.Destroy()
		}
	}()
	slots, err := p.GetSlotList(true)
	if err != nil {
		return fail(ErrHSMToken, fmt.Errorf("list slots: %w", err))
	}
	var labels []string
	for i, s := range slots {
		info, err := p.GetTokenInfo(s)
		if err != nil {
			continue
		}
		labels = append(labels, fmt.Sprintf("%d=%q", i, info.Label))
		if (spec.Token != "" && info.Label == spec.Token) || (spec.Token == "" && i == spec.Slot) {
			return s, info.Label, nil
		}
	}
	if len(slots) == 0 {
		return fail(ErrHSMToken, errors.New("no token is present; insert the token (or initialize one) and try again"))
	}
	return fail(ErrHSMToken, fmt.Errorf("%s is not present; tokens by slot index: %v", spec.where(), labels))
}

// findP256Key finds the key by id and/or label and checks it is ECDSA on
// P-256 before building the signer.
func findP256Key(ctx *crypto11.Context, spec HSMSpec) (crypto.Signer, error) {
	fail := func(kind error, err error) (crypto.Signer, error) {
		return nil, &HSMError{Kind: kind, Module: spec.Module, Spec: spec, Err: err}
	}
	var label []byte
	if spec.KeyLabel != "" {
		label = []byte(spec.KeyLabel)
	}
	priv, err := ctx.FindPrivateKey(spec.KeyID, label)
	if err != nil || priv == nil {
		return fail(ErrHSMKey, fmt.Errorf("no private key with that id/label in %s", spec.where()))
	}
	kt, ok := priv.(interface{ KeyType() uint })
	if !ok || kt.KeyType() != pkcs11.CKK_EC {
		return fail(ErrHSMKeyType, fmt.Errorf("the key is %s; nnspatch signs with ECDSA P-256 keys only", keyTypeName(priv)))
	}
	params, err := ctx.GetAttribute(priv, crypto11.CkaEcParams)
	if err != nil || params == nil {
		return fail(ErrHSMKeyType, fmt.Errorf("read the key's curve: %v", err))
	}
	if !bytes.Equal(params.Value, p256Params) {
		return fail(ErrHSMKeyType, fmt.Errorf("the key is ECDSA on %s; nnspatch signs with P-256 keys only", curveName(params.Value)))
	}
	signer, err := ctx.FindKeyPair(spec.KeyID, label)
	if err != nil || signer == nil {
		return fail(ErrHSMKey, fmt.Errorf("the token has the private key but no matching public key object (same CKA_ID): %v", err))
	}
	return signer, nil
}

func keyTypeName(k any) string {
	kt, ok := k.(interface{ KeyType() uint })
	if !ok {
		return "of an unknown type"
	}
	switch kt.KeyType() {
	case pkcs11.CKK_RSA:
		return "an RSA key"
	case pkcs11.CKK_DSA:
		return "a DSA key"
	}
	return fmt.Sprintf("of PKCS#11 key type %#x", kt.KeyType())
}

// curveName names the curve of CKA_EC_PARAMS for messages.
func curveName(params []byte) string {
	switch {
	case bytes.Equal(params, []byte{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a}):
		return "secp256k1"
	case bytes.Equal(params, []byte{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22}):
		return "P-384"
	case bytes.Equal(params, []byte{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23}):
		return "P-521"
	}
	return fmt.Sprintf("the curve with DER parameters %x", params)
}
