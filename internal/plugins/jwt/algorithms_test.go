package jwt_test

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// TestAlgorithms: a token signed with each algorithm authenticates with a
// credential of that algorithm, and is refused by the others.
func TestAlgorithms(t *testing.T) {
	f := setup(t, "")
	algs := []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}
	for _, alg := range algs {
		priv, public := signer(alg, "secret-"+alg)
		cred := map[string]any{"key": "key-" + alg, "algorithm": alg}
		if public != "" {
			cred["rsa_public_key"] = public
		} else {
			cred["secret"] = "secret-" + alg
		}
		b, _ := json.Marshal(cred)
		f.credential(string(b))

		token := sign(t, alg, priv, map[string]any{"iss": "key-" + alg})
		res, body := f.Do(plugintest.Request{Path: "/", Header: bearer(token)})
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", alg, res.StatusCode, body)
			continue
		}
		if up := plugintest.DecodeEcho(t, body).Headers; up.Get("X-Credential-Identifier") != "key-"+alg || up.Get("X-Consumer-Username") != "alice" {
			t.Errorf("%s: upstream %v", alg, up)
		}
	}
	// a token names the credential of another algorithm
	for i, alg := range algs {
		other := algs[(i+1)%len(algs)]
		priv, _ := signer(alg, "secret-"+alg)
		token := sign(t, alg, priv, map[string]any{"iss": "key-" + other})
		if res, body := f.Do(plugintest.Request{Path: "/", Header: bearer(token)}); res.StatusCode != 401 || body != `{"message":"Invalid algorithm"}` {
			t.Errorf("%s token for a %s credential: %d %q", alg, other, res.StatusCode, body)
		}
	}
}

// TestAlgorithmConfusion: the algorithm is the credential's, never the
// token's: "none" and an RS256 public key used as an HMAC secret are
// refused, as are signatures of another key.
func TestAlgorithmConfusion(t *testing.T) {
	f := setup(t, "")
	_, rsPEM := signer("RS256", "")
	f.credential(`{"key":"rs","algorithm":"RS256","rsa_public_key":` + quote(rsPEM) + `}`)
	_, edPEM := signer("EdDSA", "")
	f.credential(`{"key":"ed","algorithm":"EdDSA","rsa_public_key":` + quote(edPEM) + `}`)
	_, esPEM := signer("ES256", "")
	f.credential(`{"key":"es","algorithm":"ES256","rsa_public_key":` + quote(esPEM) + `}`)
	hmacWith := func(secret string) func(string) []byte {
		return func(input string) []byte {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(input))
			return m.Sum(nil)
		}
	}
	empty := func(string) []byte { return nil }
	_, otherEd, _ := ed25519.GenerateKey(rand.Reader)

	cases := []struct{ name, token, body string }{
		{"none", forge(map[string]any{"alg": "none", "typ": "JWT"}, map[string]any{"iss": "rs"}, empty), `{"message":"Bad token; invalid alg"}`},
		{"None", forge(map[string]any{"alg": "None"}, map[string]any{"iss": aliceKey}, empty), `{"message":"Bad token; invalid alg"}`},
		{"none signed", forge(map[string]any{"alg": "none"}, map[string]any{"iss": aliceKey}, hmacWith(aliceSecret)), `{"message":"Bad token; invalid alg"}`},
		{"HS256 with the public key as secret", sign(t, "HS256", []byte(rsPEM), map[string]any{"iss": "rs"}), `{"message":"Invalid algorithm"}`},
		{"RS256 header, HMAC of the public key", forge(map[string]any{"alg": "RS256"}, map[string]any{"iss": "rs"}, hmacWith(rsPEM)), `{"message":"Invalid signature"}`},
		{"EdDSA header, HMAC of the public key", forge(map[string]any{"alg": "EdDSA"}, map[string]any{"iss": "ed"}, hmacWith(edPEM)), `{"message":"Invalid signature"}`},
		{"HS256 credential, RS256 token", sign(t, "RS256", keys().rsa, map[string]any{"iss": aliceKey}), `{"message":"Invalid algorithm"}`},
		{"another Ed25519 key", sign(t, "EdDSA", otherEd, map[string]any{"iss": "ed"}), `{"message":"Invalid signature"}`},
		{"ES256 signature of another curve", sign(t, "ES384", keys().p384, map[string]any{"iss": "es"}), `{"message":"Invalid algorithm"}`},
		{"ES256 header, P-384 signature", forge(map[string]any{"alg": "ES256"}, map[string]any{"iss": "es"}, func(string) []byte { return make([]byte, 96) }), `{"message":"Invalid signature"}`},
	}
	for _, c := range cases {
		res, body := f.Do(plugintest.Request{Path: "/", Header: bearer(c.token)})
		if res.StatusCode != 401 || body != c.body {
			t.Errorf("%s: %d %q, want 401 %q", c.name, res.StatusCode, body, c.body)
		}
	}
	if n := f.Upstream.Count.Load(); n != 0 {
		t.Errorf("%d forged tokens reached the upstream", n)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestPublicKeyForms: rsa_public_key may be PKIX or PKCS #1, with CRLF
// line ends, or a private key whose public half verifies.
func TestPublicKeyForms(t *testing.T) {
	f := setup(t, "")
	k := keys().rsa
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)}))
	private := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	_, pkix := signer("RS256", "")
	for name, key := range map[string]string{"pkix": pkix, "crlf": strings.ReplaceAll(pkix, "\n", "\r\n"), "pkcs1": pkcs1, "private": private} {
		f.credential(`{"key":"` + name + `","algorithm":"RS256","rsa_public_key":` + quote(key) + `}`)
		res, body := f.Do(plugintest.Request{Path: "/", Header: bearer(sign(t, "RS256", k, map[string]any{"iss": name}))})
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", name, res.StatusCode, body)
		}
	}
}

// TestSecretIsBase64: the secret is base64url-decoded (nginx's
// decode_base64url, as Kong), and the token signed with the raw secret.
func TestSecretIsBase64(t *testing.T) {
	f := setup(t, `{"secret_is_base64":true}`)
	raw := []byte{0xfb, 0xff, 0x00, 's', 'e', 'c', 'r', 'e', 't'}
	encoded := base64URL(string(raw))
	f.credential(`{"key":"b64","secret":"` + encoded + `"}`)
	f.credential(`{"key":"padded","secret":"` + encoded + `=="}`)
	f.credential(`{"key":"std","secret":"+/8Ac2VjcmV0"}`) // standard alphabet: not base64url
	cases := []struct {
		name, token string
		status      int
		body        string
	}{
		{"raw secret", sign(t, "HS256", raw, map[string]any{"iss": "b64"}), 200, ""},
		{"padded secret", sign(t, "HS256", raw, map[string]any{"iss": "padded"}), 200, ""},
		{"encoded secret", sign(t, "HS256", []byte(encoded), map[string]any{"iss": "b64"}), 401, `{"message":"Invalid signature"}`},
		{"not base64url", sign(t, "HS256", raw, map[string]any{"iss": "std"}), 401, `{"message":"Invalid key/secret"}`},
	}
	for _, c := range cases {
		res, body := f.Do(plugintest.Request{Path: "/", Header: bearer(c.token)})
		if res.StatusCode != c.status || c.body != "" && body != c.body {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
		}
	}
}
