//go:build !cgo

package governance

import (
	"errors"
	"testing"
)

func TestHSMWithoutCgo(t *testing.T) {
	_, err := LoadIdentity("hsm:id=01", IdentityEnv{HSMModule: "/usr/lib/softhsm/libsofthsm2.so"})
	var he *HSMError
	if !errors.Is(err, ErrHSMUnsupported) || !errors.Is(err, ErrIdentity) || !errors.As(err, &he) {
		t.Fatalf("err = %v, want ErrHSMUnsupported", err)
	}
}
