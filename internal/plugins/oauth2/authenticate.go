package oauth2

import (
	"crypto/subtle"
	"maps"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// Upstream headers of an authenticated request, besides the consumer's.
const (
	headerScope  = "X-Authenticated-Scope"
	headerUserID = "X-Authenticated-UserId"
)

// Kong's messages of the proxy authentication.
const (
	msgMissing     = "The access token is missing"
	msgInvalid     = "The access token is invalid or has expired"
	msgGlobalToken = "The access token is global, but the current plugin is configured without 'global_credentials'"
)

// failure is why a request did not authenticate.
type failure struct {
	code, description string
	// final failures end the request even with anonymous configured.
	final bool
}

func (h *handler) refuse(kong *plugin.PDK, f *failure) error {
	challenge := "Bearer" + h.realm
	if f.code != "invalid_request" {
		challenge += ` error="invalid_token" error_description="` + msgInvalid + `"`
	}
	return kong.Response.ExitJSON(401, oauthError(f.code, f.description),
		proxy.Header{Name: "WWW-Authenticate", Value: challenge})
}

// authenticateOrAnonymous is the logical OR of auth plugins (anonymous
// set): a request another plugin authenticated passes, and one this
// plugin refuses gets the anonymous consumer.
func (h *handler) authenticateOrAnonymous(kong *plugin.PDK) error {
	if kong.Client.Credential() != nil {
		kong.ServiceRequest.ClearHeader(headerScope)
		kong.ServiceRequest.ClearHeader(headerUserID)
		return nil
	}
	f, err := h.authenticate(kong)
	if err != nil || f == nil {
		return err
	}
	if f.final {
		return h.refuse(kong, f)
	}
	if _, err := plugin.AuthenticateAnonymous(kong, h.c.Anonymous); err != nil {
		return err
	}
	kong.ServiceRequest.ClearHeader(headerScope)
	kong.ServiceRequest.ClearHeader(headerUserID)
	return nil
}

// authenticate finds the request's access token and attaches its
// credential's consumer; the failure is nil once authenticated.
func (h *handler) authenticate(kong *plugin.PDK) (*failure, error) {
	value, err := h.accessToken(kong)
	if err != nil {
		return nil, err
	}
	if value == "" {
		return &failure{code: "invalid_request", description: msgMissing}, nil
	}
	invalid := &failure{code: "invalid_token", description: msgInvalid}
	token, err := kong.Cache.Row(kong.Context(), Tokens.Name, "access_token", value)
	if err != nil {
		return nil, err
	}
	stored, _ := token["access_token"].(string)
	if token == nil || subtle.ConstantTimeCompare([]byte(stored), []byte(value)) != 1 {
		return invalid, nil
	}
	service := entities.ForeignID(token, "service")
	if service == "" && !h.c.GlobalCredentials {
		return &failure{code: "invalid_token", description: msgGlobalToken, final: true}, nil
	}
	if service != "" && service != serviceID(kong) {
		return invalid, nil
	}
	if expiresIn := number(token["expires_in"]); expiresIn > 0 {
		age := float64(time.Now().UnixMilli())/1000 - number(token["created_at"])
		if age > expiresIn {
			return invalid, nil
		}
	}
	cred, consumer, err := credentialOf(kong, token)
	if err != nil {
		return nil, err
	}
	if cred == nil {
		return invalid, nil
	}
	// X-Credential-Identifier is the client_id; kong.client's credential
	// is the credential itself
	clientID, _ := cred["client_id"].(string)
	plugin.SetConsumer(kong, consumer, &plugin.Credential{ID: cred["id"].(string), ConsumerID: consumer.ID, Identifier: clientID})
	for name, field := range map[string]string{headerScope: "scope", headerUserID: "authenticated_userid"} {
		if v, _ := token[field].(string); v != "" {
			kong.ServiceRequest.SetHeader(name, v)
		} else {
			kong.ServiceRequest.ClearHeader(name)
		}
	}
	return nil, nil
}

func number(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	case int:
		return float64(n)
	}
	return 0
}

// accessToken is Kong's parse_access_token: the auth header's
// "Bearer <token>" or "Token <token>" (any other value is taken whole),
// else an access_token parameter. With hide_credentials the token is
// removed from what goes upstream.
func (h *handler) accessToken(kong *plugin.PDK) (string, error) {
	name := h.c.AuthHeaderName
	var token string
	inHeader := false
	if vs := kong.Request.Headers().Values(name); name != "" && len(vs) > 0 {
		token = vs[0]
		if parts := strings.Fields(token); len(parts) == 2 &&
			(strings.EqualFold(parts[0], "bearer") || strings.EqualFold(parts[0], "token")) {
			token, inHeader = parts[1], true
		}
	} else {
		var ok bool
		if token, ok = requestParams(kong).str("access_token"); !ok {
			return "", nil
		}
	}
	if !h.c.HideCredentials {
		return token, nil
	}
	if inHeader {
		kong.ServiceRequest.ClearHeader(name)
		return token, nil
	}
	return token, hideTokenParam(kong)
}

// hideTokenParam removes access_token from the query string and, but for
// GET, from a urlencoded form body.
func hideTokenParam(kong *plugin.PDK) error {
	if query, err := url.ParseQuery(kong.Request.RawQuery()); err == nil && query.Has("access_token") {
		query.Del("access_token")
		kong.ServiceRequest.SetRawQuery(query.Encode())
	}
	mediaType, _, _ := mime.ParseMediaType(kong.Request.Header("Content-Type"))
	if kong.Request.Method() == "GET" || mediaType != "application/x-www-form-urlencoded" {
		return nil
	}
	args, err := kong.BodyArgs()
	if err != nil || args["access_token"] == nil {
		return nil
	}
	args = maps.Clone(args)
	delete(args, "access_token")
	return kong.SetBodyArgs(args)
}
