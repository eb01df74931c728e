package oauth2

import (
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Name and Priority are Kong's.
const (
	Name     = "oauth2"
	Priority = 1400
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema:   configSchema,
		New:      plugin.Constructor(newHandler),
		Entities: []*schema.Entity{Credentials, AuthorizationCodes, Tokens},
	})
}

// The endpoints the plugin answers on any route path ending with them.
const (
	pathToken     = "/oauth2/token"
	pathAuthorize = "/oauth2/authorize"
)

type handler struct {
	c Config
	// realm is ` realm="<realm>"`, or "" without realm.
	realm string
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c}
	if c.Realm != nil {
		h.realm = ` realm="` + *c.Realm + `"`
	}
	return h, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// errNoCache: the runtime gave no entity cache, hence no store.
var errNoCache = errors.New("oauth2: no entity cache")

// Access answers the token and authorize endpoints, and authenticates
// every other request by its access token.
func (h *handler) Access(kong *plugin.PDK) error {
	if kong.Cache == nil {
		return errNoCache
	}
	path := strings.TrimSuffix(kong.Request.Path(), "/")
	switch {
	case strings.HasSuffix(path, pathToken):
		if kong.Request.Method() != "POST" {
			return h.invalidMethod(kong, "token")
		}
		return h.issueToken(kong)
	case strings.HasSuffix(path, pathAuthorize):
		if kong.Request.Method() != "POST" {
			return h.invalidMethod(kong, "authorization")
		}
		return h.authorize(kong)
	}
	if h.c.Anonymous != nil {
		return h.authenticateOrAnonymous(kong)
	}
	f, err := h.authenticate(kong)
	if err != nil || f == nil {
		return err
	}
	return h.refuse(kong, f)
}

// oauthError is an OAuth 2.0 error response's parameters.
func oauthError(code, description string) map[string]any {
	return map[string]any{"error": code, "error_description": description}
}

// noStore are the headers of every endpoint response.
var noStore = []proxy.Header{{Name: "Cache-Control", Value: "no-store"}, {Name: "Pragma", Value: "no-cache"}}

func (h *handler) invalidMethod(kong *plugin.PDK, endpoint string) error {
	msg := "The HTTP method " + kong.Request.Method() + " is invalid for the " + endpoint + " endpoint"
	return kong.Response.ExitJSON(405, oauthError("invalid_method", msg), proxy.Header{
		Name:  "WWW-Authenticate",
		Value: "Bearer" + h.realm + ` error="invalid_method" error_description="` + msg + `"`,
	})
}

// Kong's messages of the endpoints.
const (
	msgHTTPS          = "You must use HTTPS"
	msgProvisionKey   = "Invalid provision_key"
	msgUserID         = "Missing authenticated_userid parameter"
	msgInvalidClient  = "Invalid client authentication"
	msgRedirectURI    = "Invalid redirect_uri that does not match with any redirect_uri created with the application"
	msgMultipleProtos = "Only one X-Forwarded-Proto header allowed"
)

// checkHTTPS is Kong's check_https: the request came over TLS or, with
// accept_http_if_already_terminated, a trusted peer says so in
// X-Forwarded-Proto. The refusal's description is returned.
func (h *handler) checkHTTPS(kong *plugin.PDK) (bool, string) {
	rq := kong.Request
	if strings.EqualFold(rq.Scheme(), "https") {
		return true, ""
	}
	if !h.c.AcceptHTTPIfAlreadyTerminated {
		return false, msgHTTPS
	}
	protos := rq.Headers().Values("X-Forwarded-Proto")
	if !kong.Client.Trusted() || len(protos) == 0 {
		return false, msgHTTPS
	}
	proto := strings.Join(protos, ", ") // nginx's $http_x_forwarded_proto
	if strings.Contains(proto, ",") {
		return false, msgMultipleProtos
	}
	if !strings.EqualFold(proto, "https") {
		return false, msgHTTPS
	}
	return true, ""
}

// validUserID reports whether the authenticated_userid parameter is a
// string and not blank.
func validUserID(p params) bool {
	s, ok := p.str("authenticated_userid")
	return ok && strip(s) != ""
}
