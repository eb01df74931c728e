package jwt

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Name and Priority are Kong's.
const (
	Name     = "jwt"
	Priority = 1450
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema:   configSchema,
		New:      plugin.Constructor(newHandler),
		Entities: []*schema.Entity{Secrets},
	})
}

// SharedToken is the kong.ctx.shared key under which the plugin leaves
// the token a request authenticated with, for the plugins after it.
const SharedToken = "authenticated_jwt_token"

// Kong's messages.
const (
	msgUnauthorized    = "Unauthorized"
	msgMultiple        = "Multiple tokens provided"
	msgUnrecognizable  = "Unrecognizable token"
	msgBadToken        = "Bad token; "
	msgNoKeyClaim      = "No mandatory '%s' in claims"
	msgInvalidKeyClaim = "Invalid '%s' in claims"
	msgNoCredentials   = "No credentials found for given '%s'"
	msgAlgorithm       = "Invalid algorithm"
	msgKeySecret       = "Invalid key/secret"
	msgSignature       = "Invalid signature"
	msgNoConsumer      = "Could not find consumer for '%s=%s'"
)

type handler struct {
	c Config
	// uriParams and headerNames are the configured names to look up:
	// header names with "_" read as "-", as Kong's get_headers.
	uriParams   map[string]bool
	headerNames []string
	// challenge is WWW-Authenticate when no token was found;
	// invalidToken when a token was refused.
	challenge, invalidToken proxy.Header
	keys                    keyCache
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, uriParams: map[string]bool{}}
	for _, n := range c.URIParamNames {
		h.uriParams[n] = true
	}
	for _, n := range c.HeaderNames {
		h.headerNames = append(h.headerNames, strings.ReplaceAll(n, "_", "-"))
	}
	challenge := "Bearer"
	if c.Realm != nil {
		challenge = `Bearer realm="` + *c.Realm + `"`
	}
	h.challenge = proxy.Header{Name: "WWW-Authenticate", Value: challenge}
	h.invalidToken = proxy.Header{Name: "WWW-Authenticate", Value: challenge + ` error="invalid_token"`}
	return h, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// refusal is why a request is not authenticated: Kong's 401 with a
// message, or with the claim errors as the body.
type refusal struct {
	message string
	claims  map[string]string
	header  *proxy.Header // WWW-Authenticate, nil for none
}

// Access authenticates the request, or attaches the anonymous consumer.
func (h *handler) Access(kong *plugin.PDK) error {
	if !h.c.RunOnPreflight && kong.Request.Method() == "OPTIONS" {
		return nil
	}
	if plugin.AlreadyAuthenticated(kong, h.c.Anonymous) {
		return nil
	}
	r, err := h.authenticate(kong)
	if err != nil || r == nil {
		return err
	}
	if h.c.Anonymous != nil && *h.c.Anonymous != "" {
		return h.authenticateAnonymous(kong)
	}
	var headers []proxy.Header
	if r.header != nil {
		headers = append(headers, *r.header)
	}
	if r.claims != nil {
		return kong.Response.ExitJSON(401, r.claims, headers...)
	}
	return kong.Response.ExitJSON(401, plugin.Message{Message: r.message}, headers...)
}

// authenticateAnonymous attaches the anonymous consumer, without the
// token of a failed attempt.
func (h *handler) authenticateAnonymous(kong *plugin.PDK) error {
	if _, err := plugin.AuthenticateAnonymous(kong, h.c.Anonymous); err != nil {
		return err
	}
	delete(kong.Shared(), SharedToken)
	return nil
}

// authenticate verifies the request's token and authenticates the request
// as its credential's consumer; it returns why it did not.
func (h *handler) authenticate(kong *plugin.PDK) (*refusal, error) {
	if kong.Cache == nil {
		return nil, errors.New("no entity cache")
	}
	ts := h.retrieve(kong)
	switch {
	case ts.count() == 0:
		return &refusal{message: msgUnauthorized, header: &h.challenge}, nil
	case ts.count() > 1:
		return h.invalid(msgMultiple), nil
	case ts.bare:
		return h.invalid(msgUnrecognizable), nil
	}
	raw := ts.values[0]
	t, bad := decode(raw)
	if bad != "" {
		return h.invalid(msgBadToken + bad), nil
	}
	key, r, err := h.credentialKey(t)
	if r != nil || err != nil {
		return r, err
	}
	ctx := kong.Context()
	secret, err := kong.Cache.Row(ctx, Secrets.Name, "key", key)
	if err != nil {
		return nil, err
	}
	if secret == nil {
		return h.invalid(fmt.Sprintf(msgNoCredentials, h.c.KeyClaimName)), nil
	}
	alg, _ := secret["algorithm"].(string)
	if alg == "" {
		alg = "HS256"
	}
	if t.alg != alg {
		return h.invalid(msgAlgorithm), nil
	}
	verifier, err := h.verificationKey(secret, alg)
	if err != nil {
		return nil, err
	}
	if verifier == nil {
		return h.invalid(msgKeySecret), nil
	}
	// the method is the credential's: t.alg only had to equal it
	if methods[alg].Verify(t.signingInput, t.signature, verifier) != nil {
		return h.invalid(msgSignature), nil
	}
	now := float64(time.Now().Unix())
	if errs := verifyClaims(t.claims, h.c.ClaimsToVerify, now); errs != nil {
		return &refusal{claims: errs, header: &h.invalidToken}, nil
	}
	if h.c.MaximumExpiration > 0 {
		if errs := checkMaximumExpiration(t.claims, h.c.MaximumExpiration, now); errs != nil {
			return &refusal{claims: errs, header: &h.invalidToken}, nil
		}
	}
	consumer, err := kong.Cache.Consumer(ctx, entities.ForeignID(secret, "consumer"))
	if err != nil {
		return nil, err
	}
	if consumer == nil {
		return &refusal{message: fmt.Sprintf(msgNoConsumer, h.c.KeyClaimName, key)}, nil
	}
	id, _ := secret["id"].(string)
	plugin.SetConsumer(kong, consumer, &plugin.Credential{ID: id, ConsumerID: consumer.ID, Identifier: key})
	kong.Shared()[SharedToken] = raw
	return nil, nil
}

func (h *handler) invalid(message string) *refusal {
	return &refusal{message: message, header: &h.invalidToken}
}

// credentialKey returns the value of the key_claim_name claim, read from
// the claims then from the header, which names the token's credential.
func (h *handler) credentialKey(t *token) (string, *refusal, error) {
	name := h.c.KeyClaimName
	if name == "" { // null in the configuration: an error in Kong too
		return "", nil, errors.New("key_claim_name is null")
	}
	v := t.claims[name]
	if v == nil || v == false {
		v = t.header[name]
	}
	if v == nil || v == false {
		return "", h.invalid(fmt.Sprintf(msgNoKeyClaim, name)), nil
	}
	key, ok := v.(string)
	if !ok { // a number, true, an object or an array names no credential
		return "", h.invalid(fmt.Sprintf(msgNoCredentials, name)), nil
	}
	if key == "" {
		return "", h.invalid(fmt.Sprintf(msgInvalidKeyClaim, name)), nil
	}
	return key, nil, nil
}

// verificationKey returns the key verifying alg's signatures: the secret
// (base64url-decoded with secret_is_base64) for HS*, else the parsed
// rsa_public_key; nil when the credential has none. A key that does not
// parse (an ES* credential, which Kong does not validate) is an error.
func (h *handler) verificationKey(secret map[string]any, alg string) (any, error) {
	if strings.HasPrefix(alg, "HS") {
		s, ok := secret["secret"].(string)
		if !ok {
			return nil, nil
		}
		if !h.c.SecretIsBase64 {
			return []byte(s), nil
		}
		if b, ok := decodeBase64URL(s); ok {
			return b, nil
		}
		return nil, nil
	}
	pem, ok := secret["rsa_public_key"].(string)
	if !ok {
		return nil, nil
	}
	k, err := h.keys.get(pem)
	if err != nil {
		return nil, fmt.Errorf("jwt_secrets %v: rsa_public_key: %w", secret["id"], err)
	}
	return k, nil
}
