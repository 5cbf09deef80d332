package governance

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/crypto/scrypt"
)

// PBES2 (RFC 8018) object identifiers: the scheme, its two key derivation
// functions (PBKDF2 as openssl writes it, scrypt as icp-cli writes it), the
// PBKDF2 PRFs and the AES-CBC ciphers.
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// maxKDFWork bounds the work an encrypted key file may ask for, so a
// hostile file cannot hang the process (PBKDF2 iterations; scrypt N*r).
const maxKDFWork = 1 << 24

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Cipher pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type scryptParams struct {
	Salt            []byte
	CostParameter   int
	BlockSize       int
	Parallelization int
	KeyLength       int `asn1:"optional"`
}

// errPBES2 reports an encrypted key this decoder does not understand.
var errPBES2 = errors.New("unsupported encrypted key; PBES2 with PBKDF2 or scrypt and AES-CBC is supported")

// decryptPBES2 decrypts a DER EncryptedPrivateKeyInfo with password and
// returns the DER PKCS#8 PrivateKeyInfo inside. A wrong password yields
// ErrWrongPassword.
func decryptPBES2(der, password []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("%w: %w (%w)", ErrIdentity, errPBES2, err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("%w: %w (scheme %v)", ErrIdentity, errPBES2, info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("%w: %w (%w)", ErrIdentity, errPBES2, err)
	}
	keyLen, err := aesKeyLen(params.Cipher.Algorithm)
	if err != nil {
		return nil, err
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Cipher.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: %w (bad AES-CBC IV)", ErrIdentity, errPBES2)
	}
	key, err := deriveKey(params.KDF, password, keyLen)
	if err != nil {
		return nil, err
	}
	defer wipe(key)
	return cbcOpen(key, iv, info.Data)
}

func aesKeyLen(oid asn1.ObjectIdentifier) (int, error) {
	switch {
	case oid.Equal(oidAES128CBC):
		return 16, nil
	case oid.Equal(oidAES192CBC):
		return 24, nil
	case oid.Equal(oidAES256CBC):
		return 32, nil
	}
	return 0, fmt.Errorf("%w: %w (cipher %v)", ErrIdentity, errPBES2, oid)
}

func deriveKey(kdf pkix.AlgorithmIdentifier, password []byte, keyLen int) ([]byte, error) {
	switch {
	case kdf.Algorithm.Equal(oidPBKDF2):
		var p pbkdf2Params
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
			return nil, fmt.Errorf("%w: %w (%w)", ErrIdentity, errPBES2, err)
		}
		if p.Iterations < 1 || p.Iterations > maxKDFWork {
			return nil, fmt.Errorf("%w: %w (%d PBKDF2 iterations)", ErrIdentity, errPBES2, p.Iterations)
		}
		h, err := prfHash(p.PRF.Algorithm)
		if err != nil {
			return nil, err
		}
		return pbkdf2.Key(password, p.Salt, p.Iterations, keyLen, h), nil
	case kdf.Algorithm.Equal(oidScrypt):
		var p scryptParams
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
			return nil, fmt.Errorf("%w: %w (%w)", ErrIdentity, errPBES2, err)
		}
		if p.CostParameter < 2 || p.BlockSize < 1 || p.Parallelization < 1 || p.CostParameter*p.BlockSize > maxKDFWork {
			return nil, fmt.Errorf("%w: %w (scrypt N=%d r=%d p=%d)", ErrIdentity, errPBES2, p.CostParameter, p.BlockSize, p.Parallelization)
		}
		return scrypt.Key(password, p.Salt, p.CostParameter, p.BlockSize, p.Parallelization, keyLen)
	}
	return nil, fmt.Errorf("%w: %w (key derivation %v)", ErrIdentity, errPBES2, kdf.Algorithm)
}

// prfHash maps a PBKDF2 PRF to its hash; an absent PRF means HMAC-SHA1.
func prfHash(oid asn1.ObjectIdentifier) (func() hash.Hash, error) {
	switch {
	case len(oid) == 0 || oid.Equal(oidHMACSHA1):
		return sha1.New, nil
	case oid.Equal(oidHMACSHA256):
		return sha256.New, nil
	case oid.Equal(oidHMACSHA512):
		return sha512.New, nil
	}
	return nil, fmt.Errorf("%w: %w (PRF %v)", ErrIdentity, errPBES2, oid)
}

// cbcOpen decrypts AES-CBC and strips PKCS#7 padding. Bad padding or a
// plaintext that is not DER means the password was wrong.
func cbcOpen(key, iv, data []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: encrypted key has %d bytes, not whole AES blocks", ErrIdentity, len(data))
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	n := int(plain[len(plain)-1])
	if n < 1 || n > aes.BlockSize || !bytes.Equal(plain[len(plain)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		wipe(plain)
		return nil, ErrWrongPassword
	}
	plain = plain[:len(plain)-n]
	var probe asn1.RawValue
	if rest, err := asn1.Unmarshal(plain, &probe); err != nil || len(rest) != 0 {
		wipe(plain)
		return nil, ErrWrongPassword
	}
	return plain, nil
}
