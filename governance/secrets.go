package governance

import (
	"errors"
	"fmt"
)

// SecretKind says what a requested secret unlocks.
type SecretKind int

// The kinds of secret an identity may need.
const (
	// SecretPassword unlocks an encrypted key file.
	SecretPassword SecretKind = iota
	// SecretPIN logs in to a PKCS#11 token.
	SecretPIN
)

// String names the kind for prompts and messages.
func (k SecretKind) String() string {
	if k == SecretPIN {
		return "PIN"
	}
	return "password"
}

// SecretRequest asks for one password or PIN.
type SecretRequest struct {
	// Kind is what the secret is.
	Kind SecretKind
	// What names what it unlocks, e.g. `dfx identity "ops"` or
	// `token "release" in slot 0`.
	What string
	// Env lists the environment variables, in order, that may hold the
	// secret when there is no terminal to ask on.
	Env []string
}

// SecretFunc supplies the secret for a request. The caller zeroes the
// returned bytes after use; a SecretFunc never stores or prints them.
type SecretFunc func(SecretRequest) ([]byte, error)

// ErrNoSecret reports that a password or PIN was needed but there was no
// terminal to ask on and no environment variable holding it.
var ErrNoSecret = errors.New("password or PIN unavailable")

// ErrWrongPassword reports that a password did not decrypt a key file.
var ErrWrongPassword = errors.New("wrong password")

// NoSecretError says which secret was needed and where it could have come
// from. It matches ErrNoSecret.
type NoSecretError struct {
	Request SecretRequest
}

// Error implements error.
func (e *NoSecretError) Error() string {
	msg := fmt.Sprintf("the %s for %s is needed, but there is no terminal to ask on", e.Request.Kind, e.Request.What)
	if len(e.Request.Env) > 0 {
		msg += fmt.Sprintf(" and %s is not set", e.Request.Env[0])
	}
	return msg
}

// Is reports whether target is ErrNoSecret.
func (e *NoSecretError) Is(target error) bool { return target == ErrNoSecret }

// ask calls env.Secret, or fails with a NoSecretError when there is none.
func (env IdentityEnv) ask(req SecretRequest) ([]byte, error) {
	if env.Secret == nil {
		return nil, &NoSecretError{Request: req}
	}
	return env.Secret(req)
}

// wipe zeroes a secret once it is no longer needed.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
