package oauth2

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
)

// invalidCode is the refusal of a code that cannot be exchanged.
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
		pluginID := kong.PluginID()
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
