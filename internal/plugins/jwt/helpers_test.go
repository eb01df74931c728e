package jwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"sync"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/plugins/jwt"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
)

// tokenEcho is a test plugin running after jwt that sends the token jwt
// shared (kong.ctx.shared.authenticated_jwt_token) upstream in a header.
const tokenEcho = "jwt-token-echo"

type tokenEchoHandler struct{}

func (tokenEchoHandler) Access(kong *plugin.PDK) error {
	if v, ok := kong.Shared()[jwt.SharedToken].(string); ok {
		kong.ServiceRequest.SetHeader("X-Authenticated-Jwt-Token", v)
	}
	return nil
}

func init() {
	plugin.Register(plugin.Definition{Name: tokenEcho, Priority: 1, Version: "1.0.0",
		Schema: plugin.ConfigSchema(plugin.Protocols, nil),
		New:    func(map[string]any) (plugin.Handler, error) { return tokenEchoHandler{}, nil }})
}

var loaded = []string{"jwt", "key-auth", tokenEcho}

// testKeys are the asymmetric keys of the tests, generated once.
type testKeys struct {
	rsa              *rsa.PrivateKey
	p256, p384, p521 *ecdsa.PrivateKey
	ed               ed25519.PrivateKey
}

var keys = sync.OnceValue(func() testKeys {
	var k testKeys
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	for _, c := range []struct {
		curve elliptic.Curve
		key   **ecdsa.PrivateKey
	}{{elliptic.P256(), &k.p256}, {elliptic.P384(), &k.p384}, {elliptic.P521(), &k.p521}} {
		if *c.key, err = ecdsa.GenerateKey(c.curve, rand.Reader); err != nil {
			panic(err)
		}
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return k
})

// signer returns the private key signing alg's tokens and the PEM public
// key of its credential ("" for HMAC, signed with secret).
func signer(alg, secret string) (any, string) {
	k := keys()
	var priv crypto.Signer
	switch alg[:2] {
	case "HS":
		return []byte(secret), ""
	case "RS", "PS":
		priv = k.rsa
	case "Ed":
		priv = k.ed
	default:
		priv = map[string]*ecdsa.PrivateKey{"ES256": k.p256, "ES384": k.p384, "ES512": k.p521}[alg]
	}
	return priv, publicPEM(priv.Public())
}

func publicPEM(k crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// sign returns a token of claims signed by golang-jwt with alg and key.
func sign(t testing.TB, alg string, key any, claims map[string]any) string {
	t.Helper()
	s, err := gojwt.NewWithClaims(gojwt.GetSigningMethod(alg), gojwt.MapClaims(claims)).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// segment is a JSON value base64url-encoded, as a token segment.
func segment(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// forge builds a token from its parts, signing its input with sig.
func forge(header, claims any, sig func(input string) []byte) string {
	input := segment(header) + "." + segment(claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig(input))
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// fixture is a route "/" with jwt configured by config and a consumer
// alice holding the HS256 secret aliceKey/aliceSecret.
type fixture struct {
	*plugintest.Env
	route, alice, secret string
}

const (
	aliceKey    = "alice-key"
	aliceSecret = "alice-secret"
	// farFuture is an exp claim in 2100.
	farFuture = 4102444800
)

func setup(t *testing.T, config string) fixture {
	e := plugintest.New(t, loaded)
	f := fixture{Env: e}
	f.route = e.Route(e.Service(), "/")
	e.Plugin("jwt", plugintest.On("route", f.route), config)
	e.Plugin(tokenEcho, plugintest.On("route", f.route), "")
	f.alice = e.Insert("consumers", `{"username":"alice","custom_id":"a-1"}`)
	f.secret = f.credential(`{"key":"` + aliceKey + `","secret":"` + aliceSecret + `"}`)
	return f
}

// credential inserts a jwt_secret of alice; fields is its JSON without
// the consumer.
func (f fixture) credential(fields string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(fields), &m); err != nil {
		f.T.Fatal(err)
	}
	m["consumer"] = map[string]any{"id": f.alice}
	b, _ := json.Marshal(m)
	return f.Insert("jwt_secrets", string(b))
}

// aliceToken is a valid HS256 token of alice with the extra claims.
func aliceToken(t testing.TB, extra map[string]any) string {
	claims := map[string]any{"iss": aliceKey}
	for k, v := range extra {
		claims[k] = v
	}
	return sign(t, "HS256", []byte(aliceSecret), claims)
}
