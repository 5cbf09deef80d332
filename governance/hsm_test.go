package governance

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"testing"

	"github.com/aviate-labs/agent-go/identity"
)

func TestParseHSMSpec(t *testing.T) {
	cases := []struct {
		in      string
		want    HSMSpec
		wantErr bool
	}{
		{in: "id=01", want: HSMSpec{Module: "/m.so", KeyID: []byte{1}}},
		{in: "slot=2,id=0a0b", want: HSMSpec{Module: "/m.so", Slot: 2, KeyID: []byte{10, 11}}},
		{in: "token=release,label=nns,module=/opt/p11.so", want: HSMSpec{Module: "/opt/p11.so", Token: "release", KeyLabel: "nns"}},
		{in: "slot=0", wantErr: true},
		{in: "id=zz", wantErr: true},
		{in: "slot=-1,id=01", wantErr: true},
		{in: "pin=1234,id=01", wantErr: true},
		{in: "id", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseHSMSpec(c.in, "/m.so")
			if c.wantErr {
				if !errors.Is(err, ErrIdentity) {
					t.Fatalf("err = %v, want ErrIdentity", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Module != c.want.Module || got.Slot != c.want.Slot || got.Token != c.want.Token ||
				!bytes.Equal(got.KeyID, c.want.KeyID) || got.KeyLabel != c.want.KeyLabel {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestHSMIdentityMatchesAgentGoP256 checks that a token-held key looks to
// the IC exactly like agent-go's software P-256 identity of the same key:
// same DER public key and principal, and low-S r‖s signatures that
// agent-go verifies. An ecdsa.PrivateKey stands in for the token's signer
// (both are crypto.Signers returning ASN.1 signatures).
func TestHSMIdentityMatchesAgentGoP256(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	soft := identity.NewPrime256v1Identity(key)
	hsm, err := newHSMIdentity(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(hsm.PublicKey(), soft.PublicKey()) {
		t.Fatalf("DER public key %x, agent-go has %x", hsm.PublicKey(), soft.PublicKey())
	}
	if hsm.Sender().Encode() != soft.Sender().Encode() {
		t.Fatalf("principal %s, agent-go has %s", hsm.Sender(), soft.Sender())
	}
	for i := range 20 {
		msg := []byte{byte(i), 'm', 's', 'g'}
		sig, err := hsm.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != 64 || !soft.Verify(msg, sig) || !hsm.Verify(msg, sig) {
			t.Fatalf("signature %x does not verify", sig)
		}
		if new(big.Int).SetBytes(sig[32:]).Cmp(p256OrderHalf) > 0 {
			t.Fatalf("signature %x is not low-S", sig)
		}
	}
	if _, err := hsm.ToPEM(); !errors.Is(err, ErrKeyInToken) {
		t.Errorf("ToPEM: err = %v, want ErrKeyInToken", err)
	}
}

func TestHSMIdentityRefusesOtherKeys(t *testing.T) {
	k1, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newHSMIdentity(k1, nil); err == nil {
		t.Error("P-384 key accepted")
	}
	r, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newHSMIdentity(r, nil); err == nil {
		t.Error("RSA key accepted")
	}
}

// BenchmarkSignSoftwareP256 measures agent-go's software P-256 signature,
// the baseline of BenchmarkSignToken.
func BenchmarkSignSoftwareP256(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	id := identity.NewPrime256v1Identity(key)
	msg := []byte("request id of a manage_neuron call")
	for b.Loop() {
		if _, err := id.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}
