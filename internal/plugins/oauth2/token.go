package oauth2

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/store"
)

// The grant types.
const (
	grantAuthorizationCode = "authorization_code"
	grantClientCredentials = "client_credentials"
	grantPassword          = "password"
	grantRefreshToken      = "refresh_token"
)

// basicRe finds the Basic credentials in the auth header, anywhere in
// its value as Kong's regex does.
var basicRe = regexp.MustCompile(`[Bb]asic\s*(.+)`)

// basicChallenge is sent with the 401 of a client that authenticated
// with a Basic header.
var basicChallenge = proxy.Header{Name: "WWW-Authenticate", Value: `Basic realm="OAuth2.0"`}

// issueToken answers POST …/oauth2/token (Kong's issue_token): a client
// authenticates (Basic header or client_id and client_secret parameters)
// and exchanges a grant for a token.
func (h *handler) issueToken(kong *plugin.PDK) error {
	p := requestParams(kong)
	resp, basic401, err := h.tokenResponse(kong, p)
	if err != nil {
		return err
	}
	if state := p["state"]; state != nil {
		resp["state"] = state
	}
	if resp["error"] == nil {
		return exitJSON(kong, 200, resp, noStore...)
	}
	if basic401 {
		return exitJSON(kong, 401, resp, append(slices.Clone(noStore), basicChallenge)...)
	}
	return exitJSON(kong, 400, resp, noStore...)
}

// tokenResponse checks the client and runs the grant. basic401 is set
// when the client failed to authenticate with a Basic header. As in Kong,
// each check overrides the error of the previous ones.
func (h *handler) tokenResponse(kong *plugin.PDK, p params) (resp map[string]any, basic401 bool, err error) {
	if ok, msg := h.checkHTTPS(kong); !ok {
		return oauthError("access_denied", msg), false, nil
	}
	grant, _ := p.str("grant_type")
	switch {
	case grant == grantAuthorizationCode, grant == grantRefreshToken,
		grant == grantClientCredentials && h.c.EnableClientCredentials,
		grant == grantPassword && h.c.EnablePasswordGrant:
	default:
		resp = oauthError("unsupported_grant_type", "Invalid grant_type")
	}

	clientID, secret, fromHeader := h.clientCredentials(kong, p)
	cl, err := client(kong, clientID)
	if err != nil {
		return nil, false, err
	}
	if grant != grantClientCredentials {
		if uris, ok := redirectURIs(cl); !ok {
			resp, basic401 = oauthError("invalid_client", msgInvalidClient), fromHeader
		} else if !contains(uris, redirectTarget(p, uris)) {
			resp = oauthError("invalid_request", msgRedirectURI)
		}
	}
	if cl != nil {
		switch clientType(cl) {
		case clientConfidential:
			if !authenticateClient(cl, secret) {
				resp = oauthError("invalid_client", msgInvalidClient)
				basic401 = basic401 || fromHeader
			}
		case clientPublic:
			if strip(secret) != "" {
				resp = oauthError("invalid_request", "client_secret is disallowed for public clients")
			}
		}
	}
	if resp != nil {
		return resp, basic401, nil
	}

	switch grant {
	case grantAuthorizationCode:
		resp, err = h.codeGrant(kong, p, cl)
	case grantClientCredentials:
		resp, err = h.clientCredentialsGrant(kong, p, cl)
	case grantPassword:
		resp, err = h.passwordGrant(kong, p, cl)
	case grantRefreshToken:
		resp, err = h.refreshGrant(kong, p, cl)
	}
	return resp, basic401, err
}

// clientCredentials is Kong's retrieve_client_credentials: client_id and
// client_secret parameters when both are given, else the Basic
// credentials of the auth header, else a client_id parameter alone.
func (h *handler) clientCredentials(kong *plugin.PDK, p params) (clientID string, secret any, fromHeader bool) {
	if p.present("client_id") && p.present("client_secret") {
		clientID, _ = p.str("client_id")
		return clientID, p["client_secret"], false
	}
	if vs := kong.Request.Headers().Values(h.c.AuthHeaderName); h.c.AuthHeaderName != "" && len(vs) > 0 {
		if m := basicRe.FindStringSubmatch(vs[0]); m != nil {
			if decoded, ok := decodeBase64(m[1]); ok {
				parts := strings.Split(string(decoded), ":")
				clientID = parts[0]
				if len(parts) > 1 {
					secret = parts[1]
				}
			}
		}
		return clientID, secret, true
	}
	clientID, _ = p.str("client_id")
	return clientID, nil, false
}

// authenticateClient checks a confidential client's secret, hashed or
// not (hash_secret).
func authenticateClient(cl store.Row, secret any) bool {
	s, ok := secret.(string)
	stored, _ := cl["client_secret"].(string)
	if !ok {
		return false
	}
	if cl["hash_secret"] == true {
		return verifySecret(s, stored)
	}
	return subtle.ConstantTimeCompare([]byte(s), []byte(stored)) == 1
}

func invalidCode() map[string]any { return oauthError("invalid_request", "Invalid code") }

// codeGrant exchanges an authorization code, checking its PKCE verifier.
func (h *handler) codeGrant(kong *plugin.PDK, p params, cl store.Row) (map[string]any, error) {
	value, _ := p.str("code")
	code, err := getBy(kong, AuthorizationCodes.Name, "code", value)
	if err != nil {
		return nil, err
	}
	service := h.boundService(kong)
	if code == nil || service != "" && entities.ForeignID(code, "service") != service ||
		entities.ForeignID(code, "credential") != cl["id"] {
		return invalidCode(), nil
	}
	if h.requiresPKCE(cl, code["challenge_method"] != nil) {
		if refusal := verifyPKCE(p, code); refusal != nil {
			return refusal, nil
		}
	}
	if h.c.GlobalCredentials {
		// a code issued by another oauth2 plugin is refused (codes
		// without plugin predate that check)
		pluginID, err := h.pluginIDOf(kong)
		if err != nil {
			return nil, err
		}
		if issuer := entities.ForeignID(code, "plugin"); issuer != "" && issuer != pluginID {
			return invalidCode(), nil
		}
	}
	userID, _ := code["authenticated_userid"].(string)
	scope, _ := code["scope"].(string)
	var resp map[string]any
	err = consume(kong, AuthorizationCodes.Name, code["id"].(string), func(tx *store.Txn) error {
		var err error
		resp, err = h.writeToken(kong, tx, cl, userID, scope, false, nil)
		return err
	})
	if errors.Is(err, errUsed) {
		return invalidCode(), nil
	}
	return resp, err
}

// verifyPKCE is Kong's validate_pkce_verifier: the code_verifier's
// SHA-256, in base64url, must be the code's challenge.
func verifyPKCE(p params, code store.Row) map[string]any {
	if !p.present("code_verifier") {
		return oauthError("invalid_request", "code_verifier is required for PKCE authorization requests")
	}
	verifier, ok := p.str("code_verifier")
	if !ok {
		return oauthError("invalid_request", "code_verifier is not a string")
	}
	if len(verifier) < 43 || len(verifier) > 128 {
		return oauthError("invalid_request", "code_verifier must be between 43 and 128 characters")
	}
	sum := sha256.Sum256([]byte(verifier))
	challenge, _ := code["challenge"].(string)
	if challenge == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
		return oauthError("invalid_grant", "Invalid code")
	}
	return nil
}

// clientCredentialsGrant issues a token to the client itself, on behalf
// of authenticated_userid when given with the provision_key.
func (h *handler) clientCredentialsGrant(kong *plugin.PDK, p params, cl store.Row) (map[string]any, error) {
	if p.present("authenticated_userid") && !p.provisionKeyIs(h.c.ProvisionKey) {
		return oauthError("invalid_provision_key", msgProvisionKey), nil
	}
	if cl == nil {
		return oauthError("invalid_client", msgInvalidClient), nil
	}
	scope, refusal := h.scope(p)
	if refusal != nil {
		return refusal, nil
	}
	userID, _ := p.str("authenticated_userid")
	return h.generateToken(kong, cl, userID, scope, true, nil)
}

// passwordGrant issues a token for a resource owner the application
// (which has the provision_key) authenticated.
func (h *handler) passwordGrant(kong *plugin.PDK, p params, cl store.Row) (map[string]any, error) {
	if !p.provisionKeyIs(h.c.ProvisionKey) {
		return oauthError("invalid_provision_key", msgProvisionKey), nil
	}
	if !validUserID(p) {
		return oauthError("invalid_authenticated_userid", msgUserID), nil
	}
	scope, refusal := h.scope(p)
	if refusal != nil {
		return refusal, nil
	}
	userID, _ := p.str("authenticated_userid")
	return h.generateToken(kong, cl, userID, scope, false, nil)
}

func invalidRefreshToken() map[string]any {
	return oauthError("invalid_request", "Invalid refresh_token")
}

// refreshGrant exchanges a refresh token for a new token, with the same
// user and scope; the old token is deleted unless reuse_refresh_token,
// which renews it in place.
func (h *handler) refreshGrant(kong *plugin.PDK, p params, cl store.Row) (map[string]any, error) {
	value, _ := p.str("refresh_token")
	old, err := getBy(kong, Tokens.Name, "refresh_token", value)
	if err != nil {
		return nil, err
	}
	service := h.boundService(kong)
	if old == nil || service != "" && entities.ForeignID(old, "service") != service {
		return invalidRefreshToken(), nil
	}
	if entities.ForeignID(old, "credential") != cl["id"] {
		return oauthError("invalid_client", msgInvalidClient), nil
	}
	scope, _ := old["scope"].(string)
	for _, s := range strings.Fields(scope) {
		if !containsString(h.c.Scopes, s) {
			return oauthError("invalid_scope", "Scope mismatch"), nil
		}
	}
	userID, _ := old["authenticated_userid"].(string)
	var resp map[string]any
	if h.c.ReuseRefreshToken {
		resp, err = h.generateToken(kong, cl, userID, scope, false, old)
		if errors.Is(err, errUsed) {
			return invalidRefreshToken(), nil
		}
		return resp, err
	}
	err = consume(kong, Tokens.Name, old["id"].(string), func(tx *store.Txn) error {
		var err error
		resp, err = h.writeToken(kong, tx, cl, userID, scope, false, nil)
		return err
	})
	if errors.Is(err, errUsed) {
		return invalidRefreshToken(), nil
	}
	return resp, err
}

// generateToken is Kong's generate_token in a transaction of its own.
func (h *handler) generateToken(kong *plugin.PDK, cl store.Row, userID, scope string, disableRefresh bool, existing store.Row) (map[string]any, error) {
	var resp map[string]any
	err := kong.Cache.DB().Update(kong.Context(), func(tx *store.Txn) error {
		var err error
		resp, err = h.writeToken(kong, tx, cl, userID, scope, disableRefresh, existing)
		return err
	})
	return resp, err
}

// writeToken stores a new token for the client, with a refresh token
// unless disableRefresh or the tokens never expire, and returns the token
// response. With reuse_refresh_token, refreshing (existing set) renews
// the existing token instead: new access token and lifetime, same refresh
// token. The row lives refresh_token_ttl seconds, its access token
// token_expiration seconds.
func (h *handler) writeToken(kong *plugin.PDK, tx *store.Txn, cl store.Row, userID, scope string, disableRefresh bool, existing store.Row) (map[string]any, error) {
	ctx := kong.Context()
	expiration := h.c.TokenExpiration
	var ttl any
	if expiration > 0 && h.c.RefreshTokenTTL > 0 {
		ttl = h.c.RefreshTokenTTL
	}
	var (
		token   store.Row
		refresh string
		err     error
	)
	if existing != nil && h.c.ReuseRefreshToken {
		patch := map[string]any{"access_token": newToken(), "expires_in": expiration, "created_at": time.Now().Unix()}
		if ttl != nil {
			patch["ttl"] = ttl
		}
		if token, err = tx.Update(ctx, Tokens.Name, existing["id"].(string), patch); err == nil && token == nil {
			err = errUsed
		}
		if err != nil {
			return nil, err
		}
		refresh, _ = token["refresh_token"].(string)
	} else {
		if !disableRefresh && expiration > 0 {
			refresh = newToken()
		}
		values := map[string]any{
			"service":    ref(h.boundService(kong)),
			"credential": ref(cl["id"].(string)),
			"expires_in": expiration,
		}
		for k, v := range map[string]string{"authenticated_userid": userID, "refresh_token": refresh, "scope": scope} {
			if v != "" {
				values[k] = v
			}
		}
		if ttl != nil {
			values["ttl"] = ttl
		}
		if token, err = tx.Insert(ctx, Tokens.Name, values); err != nil {
			return nil, err
		}
	}
	resp := map[string]any{"access_token": token["access_token"], "token_type": "bearer"}
	if expiration > 0 {
		resp["expires_in"] = token["expires_in"]
	}
	if refresh != "" {
		resp["refresh_token"] = refresh
	}
	return resp, nil
}
