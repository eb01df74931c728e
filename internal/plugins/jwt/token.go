package jwt

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// methods verifies each supported algorithm. A token is always verified
// with the method of its credential's algorithm, looked up here: "none"
// and any other algorithm a token could name are not in it.
var methods = map[string]gojwt.SigningMethod{
	"HS256": gojwt.SigningMethodHS256, "HS384": gojwt.SigningMethodHS384, "HS512": gojwt.SigningMethodHS512,
	"RS256": gojwt.SigningMethodRS256, "RS384": gojwt.SigningMethodRS384, "RS512": gojwt.SigningMethodRS512,
	"ES256": gojwt.SigningMethodES256, "ES384": gojwt.SigningMethodES384, "ES512": gojwt.SigningMethodES512,
	"PS256": gojwt.SigningMethodPS256, "PS384": gojwt.SigningMethodPS384, "PS512": gojwt.SigningMethodPS512,
	"EdDSA": gojwt.SigningMethodEdDSA,
}

// token is a decoded JWT, not yet verified.
type token struct {
	// signingInput is the signed part: the header and claims segments
	// as sent, joined by ".".
	signingInput string
	header       map[string]any
	// claims is nil when the claims are not a JSON object.
	claims    map[string]any
	alg       string
	signature []byte
}

// Kong's decoding errors, reported as "Bad token; <error>".
const (
	errJSON      = "invalid JSON"
	errAlg       = "invalid alg"
	errClaims    = "invalid claims"
	errSignature = "invalid signature"
)

// decode parses a token as Kong's jwt_parser does, returning its error
// message on failure: three segments (the third takes any further dot),
// base64url-decoded header and claims that are JSON, the header's alg one
// of the supported algorithms, claims other than false, and a signature
// that base64url-decodes.
func decode(s string) (*token, string) {
	header64, rest, ok := strings.Cut(s, ".")
	if !ok {
		return nil, errJSON
	}
	claims64, signature64, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, errJSON
	}
	var header, claims any
	if !decodeJSON(header64, &header) || !decodeJSON(claims64, &claims) {
		return nil, errJSON
	}
	t := &token{signingInput: s[:len(header64)+1+len(claims64)]}
	t.header, _ = header.(map[string]any)
	t.alg, _ = t.header["alg"].(string)
	if _, ok := methods[t.alg]; !ok {
		return nil, errAlg
	}
	if claims == false {
		return nil, errClaims
	}
	t.claims, _ = claims.(map[string]any)
	if t.signature, ok = decodeBase64URL(signature64); !ok {
		return nil, errSignature
	}
	return t, ""
}

// decodeJSON base64url-decodes s and unmarshals the JSON in it.
func decodeJSON(s string, v any) bool {
	b, ok := decodeBase64URL(s)
	return ok && json.Unmarshal(b, v) == nil
}

// decodeBase64URL decodes as nginx's ngx_decode_base64url: the url-safe
// alphabet up to the first "=", unpadded.
func decodeBase64URL(s string) ([]byte, bool) {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	if strings.ContainsAny(s, "\r\n") { // skipped by Go's decoder, refused by nginx
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}
