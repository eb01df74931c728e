package ldapauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin"
)

// result is the outcome of a bind as the node's cache holds it, under
// Kong's key for the credentials, for cache_ttl.
type result struct {
	outcome  outcome
	id       string // the cache key, Kong's credential id
	username string
	expires  time.Time // zero: no expiry
}

// MarshalJSON renders what Kong caches, for GET /cache/{key}: the
// credential (without its password) after a successful bind, false after
// a refused one, null when the server could not be reached.
func (r *result) MarshalJSON() ([]byte, error) {
	switch r.outcome {
	case bound:
		return json.Marshal(map[string]string{"id": r.id, "username": r.username})
	case refused:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// lookup returns the cached outcome of binding as user with password,
// binding on a miss. The cache has no per-entry lifetime, so an outcome
// older than cache_ttl is dropped and loaded again. Errors (the client
// went away, the connection broke during the bind) are not cached.
func (h *handler) lookup(kong *plugin.PDK, user, password string) (*result, error) {
	key := h.cacheKey(user, password)
	load := func(ctx context.Context) (any, error) { return h.load(ctx, kong, key, user, password) }
	v, err := kong.Cache.Get(kong.Context(), key, load)
	if err != nil {
		return nil, err
	}
	if r := v.(*result); r.expires.IsZero() || time.Now().Before(r.expires) {
		return r, nil
	}
	kong.Cache.Invalidate(key)
	v, err = kong.Cache.Get(kong.Context(), key, load)
	if err != nil {
		return nil, err
	}
	return v.(*result), nil
}

// load binds and describes the outcome for the cache, logging why a
// bind did not succeed as Kong does.
func (h *handler) load(ctx context.Context, kong *plugin.PDK, key, user, password string) (any, error) {
	dn := h.c.Attribute + "=" + user + "," + h.c.BaseDN
	o, err := h.server.bind(ctx, kong.NodeTLS(), dn, password)
	if o == broken {
		return nil, err
	}
	if err != nil { // Kong logs these as errors
		kong.Log.Error("LDAP bind did not succeed", "error", err)
	}
	r := &result{outcome: o, id: key, username: user}
	if h.ttl > 0 {
		r.expires = time.Now().Add(h.ttl)
	}
	return r, nil
}

// cacheKey is Kong's: "ldap_auth_cache:" and the SHA-256 of the server,
// the DN's parts, cache_ttl and the credentials.
func (h *handler) cacheKey(user, password string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s:%d:%s:%s:%d:%s:%s", strings.ToLower(h.c.LDAPHost), h.c.LDAPPort,
		h.c.BaseDN, h.c.Attribute, int64(h.c.CacheTTL), user, password))
	return "ldap_auth_cache:" + hex.EncodeToString(sum[:])
}
