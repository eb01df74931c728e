package oauth2

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
)

// Kong's client_secret hashing (kong/plugins/oauth2/secret.lua): PBKDF2
// with SHA-512, 10000 iterations, a 32-byte key and a 16-byte random
// salt, in PHC form: $pbkdf2-sha512$i=10000,l=32$<salt>$<hash>, both
// base64 without padding.
const (
	hashPrefix     = "$pbkdf2-sha512$i=10000,l=32$"
	hashIterations = 10000
	hashLen        = 32
	saltLen        = 16
)

// hashSecret returns secret's PHC string with a new random salt.
func hashSecret(secret string) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // crypto/rand never fails on supported platforms
	return derive(secret, salt)
}

func derive(secret string, salt []byte) string {
	key, err := pbkdf2.Key(sha512.New, secret, salt, hashIterations, hashLen)
	if err != nil {
		panic(err) // only for parameters outside FIPS bounds, and ours are fixed
	}
	return hashPrefix + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
}

// isHashed reports whether a stored client_secret is one of hashSecret's.
func isHashed(stored string) bool { return strings.HasPrefix(stored, hashPrefix) }

// verifySecret reports whether secret hashes to stored. Kong re-derives
// with the stored salt and compares the whole string it formats with its
// fixed parameters, so only hashes of exactly that form ever verify.
func verifySecret(secret, stored string) bool {
	rest, ok := strings.CutPrefix(stored, hashPrefix)
	if !ok {
		return false
	}
	saltText, _, _ := strings.Cut(rest, "$")
	salt, err := ngx.DecodeBase64(saltText)
	if err != nil {
		salt = []byte(saltText) // Kong uses a salt that does not decode as is
	}
	return subtle.ConstantTimeCompare([]byte(derive(secret, salt)), []byte(stored)) == 1
}
