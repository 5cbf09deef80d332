//go:build !cgo

package governance

import (
	"crypto"
	"errors"
)

// openHSM fails: loading a PKCS#11 module needs cgo, and this binary was
// built without it.
func openHSM(spec HSMSpec, _ IdentityEnv) (crypto.Signer, func() error, error) {
	return nil, nil, &HSMError{Kind: ErrHSMUnsupported, Module: spec.Module, Spec: spec,
		Err: errors.New("this nnspatch was built without cgo (CGO_ENABLED=0), which loading a PKCS#11 module needs; sign with a build made with cgo enabled")}
}
