package hmacauth

import (
	"errors"
	"math"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Name and Priority are Kong's.
const (
	Name     = "hmac-auth"
	Priority = 1030
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema:   configSchema,
		New:      plugin.Constructor(newHandler),
		Entities: []*schema.Entity{Credentials},
	})
}

// Kong's messages, all with status 401.
const (
	msgUnauthorized = "Unauthorized"
	msgNoDate       = "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"
	msgNotValid     = "HMAC signature cannot be verified"
	msgNoMatch      = "HMAC signature does not match"
)

// The headers a client may send its signature in, in the order Kong reads
// them.
const (
	headerProxyAuthorization = "Proxy-Authorization"
	headerAuthorization      = "Authorization"
)

type handler struct {
	c         Config
	challenge proxy.Header
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, challenge: proxy.Header{Name: "WWW-Authenticate", Value: "hmac"}}
	if c.Realm != nil {
		h.challenge.Value = `hmac realm="` + *c.Realm + `"`
	}
	return h, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access authenticates the request, or attaches the anonymous consumer.
func (h *handler) Access(kong *plugin.PDK) error {
	return plugin.Authenticate(kong, h.c.Anonymous, h.challenge, h.authenticate)
}

// authenticate returns the refusal's message, "" once the request is
// authenticated as the credential's consumer. The steps and their order
// are Kong's: a signature header, the date, the parameters (from
// Proxy-Authorization, else Authorization), the credential, the
// signature, the body's digest.
func (h *handler) authenticate(kong *plugin.PDK) (string, error) {
	if kong.Cache == nil {
		return "", errors.New("no entity cache")
	}
	r := kong.Request
	proxyAuth, hasProxyAuth := requestHeader(r, headerProxyAuthorization)
	auth, hasAuth := requestHeader(r, headerAuthorization)
	if !hasProxyAuth && !hasAuth {
		return msgUnauthorized, nil
	}
	if !h.dateValid(r, "X-Date") && !h.dateValid(r, "Date") {
		return msgNoDate, nil
	}

	p, found := parseParams(proxyAuth)
	switch {
	case !found:
		p, found = parseParams(auth)
		if h.c.HideCredentials {
			kong.ServiceRequest.ClearHeader(headerAuthorization)
		}
	case h.c.HideCredentials:
		kong.ServiceRequest.ClearHeader(headerProxyAuthorization)
	}
	if !found {
		kong.Log.Debug("username or signature missing")
		return msgNotValid, nil
	}
	if why := p.problem(&h.c); why != "" {
		kong.Log.Debug(why)
		return msgNotValid, nil
	}

	cred, err := kong.Cache.Row(kong.Context(), Credentials.Name, "username", p.username)
	if err != nil {
		return "", err
	}
	if cred == nil {
		kong.Log.Debug("failed to retrieve credential for " + p.username)
		return msgNotValid, nil
	}
	secret, _ := cred["secret"].(string)
	if !verify(r, p, secret) {
		return msgNoMatch, nil
	}
	if h.c.ValidateRequestBody {
		body, err := r.Body() // too large or broken off: nginx's 413 or 400
		if err != nil {
			return "", err
		}
		if !digestValid(r, body) {
			kong.Log.Debug("digest validation failed")
			return msgNoMatch, nil
		}
	}

	consumer, err := kong.Cache.Consumer(kong.Context(), entities.ForeignID(cred, "consumer"))
	if err != nil {
		return "", err
	}
	if consumer == nil {
		return msgNotValid, nil
	}
	id, _ := cred["id"].(string)
	username, _ := cred["username"].(string)
	// X-Credential-Identifier is the username; the credential the request
	// authenticated with (rate-limiting by credential, session) is the id.
	plugin.SetConsumer(kong, consumer, &plugin.Credential{ID: id, ConsumerID: consumer.ID, Identifier: username})
	return "", nil
}

// dateValid reports whether the named header holds a date within the
// clock skew of now, at Kong's one-second precision.
func (h *handler) dateValid(r *proxy.Request, name string) bool {
	value, ok := requestHeader(r, name)
	if !ok {
		return false
	}
	t, ok := parseHTTPTime(value)
	return ok && math.Abs(float64(time.Now().Unix()-t)) <= h.c.ClockSkew
}
