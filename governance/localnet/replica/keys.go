package replica

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"fmt"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/bls"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// keys holds the network's key material, all derived deterministically from
// the seed so a network restarted from the same seed keeps its root key.
type keys struct {
	signer *bls.SecretKey
	// rootDER is the advertised root key (status root_key, RootKeyDER). It is
	// the DER of the signing key except in bad-key mode.
	rootDER []byte
	subnet  principal.Principal
	node    ed25519.PrivateKey
	nodeDER []byte
	nodeID  principal.Principal
}

// deriveKeys derives the BLS root key, the node's ed25519 key and the subnet
// id from seed. With badKey the advertised root key is a second, unrelated BLS
// key, so every certificate fails verification against it.
func deriveKeys(seed []byte, badKey bool) (*keys, error) {
	signer := blsKey(seed, "root")
	advertised := signer
	if badKey {
		advertised = blsKey(seed, "bad-root")
	}
	rootDER, err := blsDER(advertised)
	if err != nil {
		return nil, err
	}
	node := ed25519.NewKeyFromSeed(subKey(seed, "node"))
	nodeDER, err := x509.MarshalPKIXPublicKey(node.Public())
	if err != nil {
		return nil, fmt.Errorf("encode node key: %w", err)
	}
	return &keys{
		signer:  signer,
		rootDER: rootDER,
		subnet:  principal.NewSelfAuthenticating(rootDER),
		node:    node,
		nodeDER: nodeDER,
		nodeID:  principal.NewSelfAuthenticating(nodeDER),
	}, nil
}

// subKey derives a 32-byte key for one purpose from the network seed.
func subKey(seed []byte, purpose string) []byte {
	h := sha256.New()
	h.Write([]byte("nnspatch-localnet/" + purpose + "/"))
	h.Write(seed)
	return h.Sum(nil)
}

// blsKey derives a BLS12-381 secret key; SetBytes reduces modulo the group order.
func blsKey(seed []byte, purpose string) *bls.SecretKey {
	var e fr.Element
	e.SetBytes(subKey(seed, purpose))
	return (*bls.SecretKey)(&e)
}

// blsDER returns the DER (SubjectPublicKeyInfo) form of sk's public key.
func blsDER(sk *bls.SecretKey) ([]byte, error) {
	raw := (*bls12381.G2Affine)(sk.PublicKey()).Bytes()
	der, err := certification.PublicBLSKeyToDER(raw[:])
	if err != nil {
		return nil, fmt.Errorf("encode root key: %w", err)
	}
	return der, nil
}

// signRoot signs a state-tree root hash as a replica does: a 48-byte
// compressed G1 signature over "\x0Dic-state-root" ‖ root.
func (k *keys) signRoot(root [32]byte) ([]byte, error) {
	msg := append(hashtree.DomainSeparator("ic-state-root"), root[:]...)
	sig, err := k.signer.Sign(msg)
	if err != nil {
		return nil, fmt.Errorf("sign state root: %w", err)
	}
	b := (*bls12381.G1Affine)(sig).Bytes()
	return b[:], nil
}
