package oauth2

import (
	"crypto/subtle"
	"regexp"
	"slices"
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
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
		return kong.Response.ExitJSON(200, resp, noStore...)
	}
	if basic401 {
		return kong.Response.ExitJSON(401, resp, append(slices.Clone(noStore), basicChallenge)...)
	}
	return kong.Response.ExitJSON(400, resp, noStore...)
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
			if decoded, err := ngx.DecodeBase64(m[1]); err == nil {
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
