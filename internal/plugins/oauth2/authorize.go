package oauth2

import (
	"encoding/base64"
	"maps"
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
)

// authorize answers POST …/oauth2/authorize (Kong's authorize): the
// resource owner's application asks for a code (response_type code) or a
// token (token, the implicit grant) for a client. The answer is
// {"redirect_uri": …} with the result as query (code) or fragment (token)
// parameters of the client's redirect URI, or the error parameters alone
// when no redirect URI applies.
func (h *handler) authorize(kong *plugin.PDK) error {
	p := requestParams(kong)
	var (
		resp     map[string]any
		redirect *uri
		implicit bool
	)
	if ok, msg := h.checkHTTPS(kong); !ok {
		resp = oauthError("access_denied", msg)
	} else if !p.provisionKeyIs(h.c.ProvisionKey) {
		resp = oauthError("invalid_provision_key", msgProvisionKey)
	} else if !validUserID(p) {
		resp = oauthError("invalid_authenticated_userid", msgUserID)
	} else {
		var err error
		if resp, redirect, implicit, err = h.authorizeClient(kong, p); err != nil {
			return err
		}
	}
	if state := p["state"]; state != nil {
		resp["state"] = state
	}
	status := 200
	if resp["error"] != nil {
		status = 400
	}
	if redirect == nil {
		return kong.Response.ExitJSON(status, resp, noStore...)
	}
	// the parameters join those already in the redirect URI
	if implicit {
		redirect.fragment, redirect.hasFragment = mergedArgs(redirect.fragment, resp), true
	} else {
		redirect.query, redirect.hasQuery = mergedArgs(redirect.query, resp), true
	}
	return kong.Response.ExitJSON(status, map[string]any{"redirect_uri": redirect.String()}, noStore...)
}

func mergedArgs(existing string, add map[string]any) string {
	args := ngx.DecodeArgs(existing)
	maps.Copy(args, add)
	return encodeArgs(args)
}

// authorizeClient checks the request's response type, scope, client,
// redirect URI and PKCE challenge, and issues the code or token. As in
// Kong, each check overrides the error of the previous ones.
func (h *handler) authorizeClient(kong *plugin.PDK, p params) (resp map[string]any, redirect *uri, implicit bool, err error) {
	responseType, _ := p.str("response_type")
	if !(responseType == "code" && h.c.EnableAuthorizationCode || responseType == "token" && h.c.EnableImplicitGrant) {
		resp = oauthError("unsupported_response_type", "Invalid response_type")
	}
	scope, scopeErr := h.scope(p)
	if scopeErr != nil {
		resp = scopeErr
	}

	clientID, _ := p.str("client_id")
	cl, err := client(kong, clientID)
	if err != nil {
		return nil, nil, false, err
	}
	if uris, ok := redirectURIs(cl); !ok {
		resp = oauthError("invalid_client", msgInvalidClient)
	} else {
		target := redirectTarget(p, uris)
		if !contains(uris, target) {
			resp = oauthError("invalid_request", msgRedirectURI)
			target = redirectTarget(nil, uris) // the client's first

		}
		if s, _ := target.(string); s != "" {
			u := parseURI(s)
			redirect = &u
		}
	}

	challenge, method, challengeErr := codeChallenge(p)
	switch {
	case challengeErr != "":
		resp = oauthError("invalid_request", challengeErr)
	case cl != nil && challenge == "" && h.requiresPKCE(cl, false):
		resp = oauthError("invalid_request", "code_challenge is required for "+clientType(cl)+" clients")
	}
	if resp != nil {
		return resp, redirect, false, nil
	}

	userID, _ := p.str("authenticated_userid")
	if responseType == "code" {
		resp, err = h.issueCode(kong, cl, userID, scope, challenge, method)
		return resp, redirect, false, err
	}
	resp, err = h.generateToken(kong, cl, userID, scope, true, nil)
	return resp, redirect, true, err
}

// issueCode stores an authorization code for the client, bound to the
// service (unless global_credentials) and this plugin, valid codeTTL
// seconds, and returns the response parameters.
func (h *handler) issueCode(kong *plugin.PDK, cl store.Row, userID, scope, challenge, method string) (map[string]any, error) {
	pluginID := kong.PluginID()
	values := map[string]any{
		"service":              ref(h.boundService(kong)),
		"credential":           ref(cl["id"].(string)),
		"authenticated_userid": userID,
		"plugin":               ref(pluginID),
		"ttl":                  int64(codeTTL),
	}
	for k, v := range map[string]string{"scope": scope, "challenge": challenge, "challenge_method": method} {
		if v != "" {
			values[k] = v
		}
	}
	row, err := insert(kong, AuthorizationCodes.Name, values)
	if err != nil {
		return nil, err
	}
	return map[string]any{"code": row["code"]}, nil
}

// redirectTarget is the redirect URI a request asks for: its
// redirect_uri parameter, else the client's first one (nil for none).
func redirectTarget(p params, uris []any) any {
	if p.present("redirect_uri") {
		return p["redirect_uri"]
	}
	if len(uris) > 0 {
		return uris[0]
	}
	return nil
}

// contains reports whether v is a string among list.
func contains(list []any, v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func clientType(cl store.Row) string {
	t, _ := cl["client_type"].(string)
	return t
}

// requiresPKCE is Kong's requires_pkce: a code issued with a challenge
// (usedPKCE, at the token endpoint), a public client unless pkce is none,
// a confidential one when it is strict.
func (h *handler) requiresPKCE(cl store.Row, usedPKCE bool) bool {
	if cl == nil {
		return false
	}
	switch clientType(cl) {
	case clientPublic:
		return usedPKCE || h.c.PKCE != pkceNone
	case clientConfidential:
		return usedPKCE || h.c.PKCE == pkceStrict
	}
	return usedPKCE
}

// codeChallenge is Kong's retrieve_code_challenge: the challenge in
// canonical base64url (no padding) and its method, S256 (the only one
// Kong supports, "s256" accepted), or Kong's refusal.
func codeChallenge(p params) (challenge, method, refusal string) {
	challenge, _ = p.str("code_challenge")
	if p.present("code_challenge_method") && challenge == "" {
		return "", "", "code_challenge is required when code_method is present"
	}
	if challenge == "" {
		return "", "", ""
	}
	if raw, err := ngx.DecodeBase64(strings.NewReplacer("-", "+", "_", "/").Replace(challenge)); err == nil {
		challenge = base64.RawURLEncoding.EncodeToString(raw)
	}
	if p.present("code_challenge_method") && !p.is("code_challenge_method", "S256") && !p.is("code_challenge_method", "s256") {
		return "", "", "code_challenge_method is not supported, must be S256"
	}
	return challenge, "S256", ""
}

// scope is Kong's retrieve_scope: the requested scopes, which must all be
// among the configured ones, joined by spaces ("" for none), or the
// invalid_scope error.
func (h *handler) scope(p params) (string, map[string]any) {
	v, given := p["scope"]
	if h.c.Scopes != nil && given && v != nil {
		s, ok := v.(string)
		if !ok {
			return "", oauthError("invalid_scope", "scope must be a string")
		}
		fields := strings.Fields(s)
		for _, f := range fields {
			if !containsString(h.c.Scopes, f) {
				return "", oauthError("invalid_scope", `"`+f+`" is an invalid scope`)
			}
		}
		return strings.Join(fields, " "), nil
	}
	if v == nil && h.c.MandatoryScope {
		return "", oauthError("invalid_scope", "You must specify a scope")
	}
	return "", nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
