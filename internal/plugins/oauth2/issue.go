package oauth2

import (
	"time"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
)

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
