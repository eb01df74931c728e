package jwt

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"sync"
)

var errInvalidKey = errors.New("invalid key")

// parsePublicKey reads a key as OpenSSL's pkey.new does for Kong: PEM or
// DER, a public key (PKIX or PKCS #1) or a private key (PKCS #8, PKCS #1,
// SEC 1) whose public half is returned.
func parsePublicKey(s string) (crypto.PublicKey, error) {
	der := []byte(s)
	if block, _ := pem.Decode(der); block != nil {
		der = block.Bytes
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if signer, ok := k.(crypto.Signer); ok {
			return signer.Public(), nil
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k.Public(), nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k.Public(), nil
	}
	return nil, errInvalidKey
}

// validKey is Kong's validate_ssl_key.
func validKey(s string) bool {
	_, err := parsePublicKey(s)
	return err == nil
}

// maxCachedKeys bounds a keyCache; beyond it the cache starts over.
const maxCachedKeys = 1024

// keyCache keeps parsed public keys by their text, so that a request does
// not parse its credential's key again. Keyed by content, an entry can
// never be stale: a changed credential has another key text.
type keyCache struct {
	mu   sync.RWMutex
	keys map[string]crypto.PublicKey
}

// get returns the parsed key of text s.
func (c *keyCache) get(s string) (crypto.PublicKey, error) {
	c.mu.RLock()
	k, ok := c.keys[s]
	c.mu.RUnlock()
	if ok {
		return k, nil
	}
	k, err := parsePublicKey(s)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = map[string]crypto.PublicKey{}
	}
	c.keys[s] = k
	c.mu.Unlock()
	return k, nil
}
