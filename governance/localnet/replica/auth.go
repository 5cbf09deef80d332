package replica

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	secpecdsa "github.com/consensys/gnark-crypto/ecc/secp256k1/ecdsa"
	"github.com/consensys/gnark-crypto/ecc/secp256k1/fr"
)

// Ingress expiry bounds, as a replica's HTTP handler applies them: no more
// than MAX_INGRESS_TTL (five minutes) ahead, plus
// PERMITTED_DRIFT_AT_VALIDATOR (30 s) for clients with a slightly skewed
// clock (ic_limits in dfinity/ic).
const (
	maxIngressTTL  = 5 * time.Minute
	permittedDrift = 30 * time.Second
)

// Domain separator of request signatures.
var requestSep = []byte("\x0Aic-request")

var (
	oidEd25519   = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidECPublic  = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1 = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidP256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}

	secpOrder = fr.Modulus()
	secpHalf  = new(big.Int).Rsh(fr.Modulus(), 1)
)

// errBadSignature is wrapped by every signature failure.
var errBadSignature = errors.New("signature could not be verified")

// checkExpiry refuses an ingress_expiry outside [now, now+5min+drift] of
// REAL time, unless it lies in that window of the network's (virtual) time:
// a client that synced its clock to the certified /time (the JS agent does
// so when a certificate looks too far in the future) sets its expiry from
// the network's time, and must keep working after the clock is advanced.
// The refusal names the real-time window: the JS agent resyncs its clock
// when the body contains "Invalid request expiry: ".
func checkExpiry(expiry uint64, now, network time.Time) error {
	if inWindow(expiry, now) || (network.After(now) && inWindow(expiry, network)) {
		return nil
	}
	return badRequest("Invalid request expiry: Specified ingress_expiry not within expected range: "+
		"Minimum allowed expiry: %s, Maximum allowed expiry: %s, Provided expiry: %s",
		fmtTime(now), fmtTime(now.Add(maxIngressTTL+permittedDrift)), fmtTime(time.Unix(0, int64(min(expiry, 1<<63-1)))))
}

// inWindow reports whether expiry (ns since the epoch) lies in
// [now, now+5min+drift].
func inWindow(expiry uint64, now time.Time) bool {
	lo := now.UnixNano()
	hi := now.Add(maxIngressTTL + permittedDrift).UnixNano()
	return expiry <= uint64(1<<63-1) && int64(expiry) >= lo && int64(expiry) <= hi
}

// fmtTime formats a time as a replica's error messages do.
func fmtTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999999 UTC")
}

// authenticate checks the sender against the envelope's key and signature.
func authenticate(r *request) error {
	sender := principal.Principal{Raw: r.content.Sender}
	env := r.env
	if sender.IsAnonymous() {
		if env.SenderKey != nil || env.SenderSig != nil || env.Delegation != nil {
			return authFailed(r, "Invalid request: anonymous request must not carry sender_pubkey, sender_sig or sender_delegation")
		}
		return nil
	}
	if len(env.SenderKey) == 0 || len(env.SenderSig) == 0 {
		return authFailed(r, "Missing signature from user: %s", sender)
	}
	if !bytes.Equal(principal.NewSelfAuthenticating(env.SenderKey).Raw, sender.Raw) {
		return authFailed(r, "Invalid request: The user id %s does not match the public key %x", sender, env.SenderKey)
	}
	signingKey := env.SenderKey
	if len(env.Delegation) > 0 {
		key, err := verifyDelegations(env.Delegation, env.SenderKey, r)
		if err != nil {
			return authFailed(r, "Invalid delegation: %v", err)
		}
		signingKey = key
	}
	msg := append(append([]byte{}, requestSep...), r.id[:]...)
	if err := verifySig(signingKey, msg, env.SenderSig); err != nil {
		return authFailed(r, "Invalid signature: Invalid basic signature: %v", err)
	}
	return nil
}

// authFailed wraps an authentication failure in the replica's wording.
func authFailed(r *request, format string, args ...any) error {
	return badRequest("Failed to authenticate request 0x%x due to: %s", r.id, fmt.Sprintf(format, args...))
}

// spki is a DER SubjectPublicKeyInfo.
type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	Key       asn1.BitString
}

// verifySig verifies sig over msg with a DER public key: ed25519, ECDSA P-256
// or ECDSA secp256k1 (low-S only, as mainnet requires).
func verifySig(der, msg, sig []byte) error {
	var k spki
	if rest, err := asn1.Unmarshal(der, &k); err != nil || len(rest) != 0 {
		return fmt.Errorf("unsupported public key encoding %x", der)
	}
	switch {
	case k.Algorithm.Algorithm.Equal(oidEd25519):
		if len(k.Key.Bytes) != ed25519.PublicKeySize || !ed25519.Verify(k.Key.Bytes, msg, sig) {
			return fmt.Errorf("Ed25519 %w: public key %x, signature %x", errBadSignature, der, sig)
		}
		return nil
	case k.Algorithm.Algorithm.Equal(oidECPublic):
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(k.Algorithm.Parameters.FullBytes, &curve); err != nil {
			return fmt.Errorf("unsupported public key encoding %x", der)
		}
		switch {
		case curve.Equal(oidP256):
			return verifyP256(der, msg, sig)
		case curve.Equal(oidSecp256k1):
			return verifySecp256k1(k.Key.Bytes, msg, sig)
		}
	}
	return fmt.Errorf("unsupported public key algorithm in %x", der)
}

// verifyP256 verifies a 64-byte r‖s ECDSA P-256 signature over sha256(msg).
func verifyP256(der, msg, sig []byte) error {
	pub, err := x509.ParsePKIXPublicKey(der)
	key, ok := pub.(*ecdsa.PublicKey)
	if err != nil || !ok || len(sig) != 64 {
		return fmt.Errorf("ECDSA P-256 %w: public key %x, signature %x", errBadSignature, der, sig)
	}
	h := sha256.Sum256(msg)
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(key, h[:], r, s) {
		return fmt.Errorf("ECDSA P-256 %w: public key %x, signature %x", errBadSignature, der, sig)
	}
	return nil
}

// verifySecp256k1 verifies a 64-byte r‖s ECDSA secp256k1 signature over
// sha256(msg); point is the uncompressed 0x04‖X‖Y key. High-S signatures are
// refused, as mainnet refuses them.
func verifySecp256k1(point, msg, sig []byte) error {
	fail := fmt.Errorf("ECDSA secp256k1 %w: public key %x, signature %x", errBadSignature, point, sig)
	if len(point) != 65 || point[0] != 4 || len(sig) != 64 {
		return fail
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(secpOrder) >= 0 || s.Cmp(secpOrder) >= 0 {
		return fail
	}
	if s.Cmp(secpHalf) > 0 {
		return fmt.Errorf("ECDSA secp256k1 %w: signature is not low-S normalized", errBadSignature)
	}
	var pub secpecdsa.PublicKey
	if _, err := pub.SetBytes(point[1:]); err != nil {
		return fail
	}
	ok, err := pub.Verify(sig, msg, sha256.New())
	if err != nil || !ok {
		return fail
	}
	return nil
}
