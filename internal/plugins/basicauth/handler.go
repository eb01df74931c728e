package basicauth

import (
	"crypto/subtle"
	"errors"
	"regexp"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// Name and Priority are Kong's.
const (
	Name     = "basic-auth"
	Priority = 1100
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

// msgUnauthorized is Kong's only refusal.
const msgUnauthorized = "Unauthorized"

// The headers a client may send its credentials in, in the order Kong
// reads them.
const (
	headerProxyAuthorization = "Proxy-Authorization"
	headerAuthorization      = "Authorization"
)

var (
	// basicScheme finds the Basic credentials anywhere in the header, as
	// Kong's unanchored "\s*[Bb]asic\s*(.+)" (PCRE's \s includes \v).
	basicScheme = regexp.MustCompile(`[\t\n\v\f\r ]*[Bb]asic[\t\n\v\f\r ]*(.+)`)
	// userPass splits the decoded credentials at the first colon after a
	// non-empty username, unanchored as Kong's "([^:]+):(.*)".
	userPass = regexp.MustCompile(`([^:]+):(.*)`)
)

type handler struct {
	c         Config
	challenge proxy.Header
}

func newHandler(c Config) (plugin.Handler, error) {
	return &handler{c: c, challenge: proxy.Header{Name: "WWW-Authenticate", Value: `Basic realm="` + c.Realm + `"`}}, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access authenticates the request, or attaches the anonymous consumer.
func (h *handler) Access(kong *plugin.PDK) error {
	return plugin.Authenticate(kong, h.c.Anonymous, h.challenge, h.authenticate)
}

// authenticate authenticates a request carrying a valid username and
// password as the credential's consumer, else returns the refusal's
// message. Proxy-Authorization is tried first, then Authorization unless
// Proxy-Authorization named a known username.
func (h *handler) authenticate(kong *plugin.PDK) (string, error) {
	if kong.Cache == nil {
		return "", errors.New("no entity cache")
	}
	headers := kong.Request.Headers()
	if len(headers.Values(headerAuthorization)) == 0 && len(headers.Values(headerProxyAuthorization)) == 0 {
		return msgUnauthorized, nil
	}
	cred, password, err := h.find(kong, headerProxyAuthorization)
	if err == nil && cred == nil {
		cred, password, err = h.find(kong, headerAuthorization)
	}
	if err != nil {
		return "", err
	}
	if cred == nil {
		return msgUnauthorized, nil
	}
	consumerID := entities.ForeignID(cred, "consumer")
	stored, _ := cred["password"].(string)
	if subtle.ConstantTimeCompare([]byte(HashPassword(consumerID, password)), []byte(stored)) != 1 {
		return msgUnauthorized, nil
	}
	consumer, err := kong.Cache.Consumer(kong.Context(), consumerID)
	if err != nil {
		return "", err
	}
	if consumer == nil {
		return msgUnauthorized, nil
	}
	id, _ := cred["id"].(string)
	// X-Credential-Identifier is the username; the credential the request
	// authenticated with (rate-limiting by credential, session) is the id.
	username, _ := cred["username"].(string)
	plugin.SetConsumer(kong, consumer, &plugin.Credential{ID: id, ConsumerID: consumer.ID, Identifier: username})
	return "", nil
}

// find returns the credential named by the Basic credentials of a header
// and the password given with them; nil when the header has none or names
// an unknown username.
func (h *handler) find(kong *plugin.PDK, header string) (store.Row, string, error) {
	username, password, found := h.credentials(kong, header)
	if !found {
		return nil, "", nil
	}
	cred, err := kong.Cache.Row(kong.Context(), Credentials.Name, "username", username)
	return cred, password, err
}

// credentials parses the Basic credentials of the named header, which
// hide_credentials removes from the upstream request whether or not they
// parse.
func (h *handler) credentials(kong *plugin.PDK, name string) (username, password string, found bool) {
	if h.c.HideCredentials {
		defer kong.ServiceRequest.ClearHeader(name)
	}
	return parseBasic(kong.Request.Header(name))
}

// parseBasic extracts the username and password of a Basic header value.
func parseBasic(value string) (username, password string, found bool) {
	m := basicScheme.FindStringSubmatch(value)
	if m == nil {
		return "", "", false
	}
	decoded, err := ngx.DecodeBase64(m[1])
	if err != nil {
		return "", "", false
	}
	parts := userPass.FindStringSubmatch(string(decoded))
	if parts == nil {
		return "", "", false
	}
	return parts[1], parts[2], true
}
