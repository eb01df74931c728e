package ldapauth

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// Name and Priority are Kong's.
const (
	Name     = "ldap-auth"
	Priority = 1200
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// msgUnauthorized is Kong's message for every refusal.
const msgUnauthorized = "Unauthorized"

// The headers carrying the credentials, in the order they are tried.
var credentialHeaders = [...]string{"Proxy-Authorization", "Authorization"}

type handler struct {
	c         Config
	scheme    string // header_type, lower-cased
	challenge proxy.Header
	server    *server
	ttl       time.Duration // cache_ttl; 0 keeps outcomes until evicted
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, scheme: asciiLower(c.HeaderType), server: newServer(c)}
	// Kong upper-cases the default "ldap" for older clients' sake; other
	// header types are sent as configured
	scheme := c.HeaderType
	if scheme == "ldap" {
		scheme = "LDAP"
	}
	if c.Realm != nil {
		scheme += ` realm="` + *c.Realm + `"`
	}
	h.challenge = proxy.Header{Name: "WWW-Authenticate", Value: scheme}
	if c.CacheTTL > 0 {
		h.ttl = time.Duration(c.CacheTTL * float64(time.Second))
	}
	return h, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access authenticates the request, or attaches the anonymous consumer.
func (h *handler) Access(kong *plugin.PDK) error {
	return plugin.Authenticate(kong, h.c.Anonymous, h.challenge, h.authenticate)
}

// authenticate tries Proxy-Authorization, then Authorization, and returns
// the refusal's message, "" once a bind succeeded. An error is Kong's 500.
func (h *handler) authenticate(kong *plugin.PDK) (string, error) {
	if kong.Cache == nil {
		return "", errors.New("no entity cache")
	}
	for _, name := range credentialHeaders {
		user, password, ok := h.credentials(kong.Request.Header(name))
		if !ok {
			continue
		}
		r, err := h.lookup(kong, user, password)
		if err != nil {
			return "", err
		}
		if r.outcome == failed {
			return "", fmt.Errorf("LDAP server %s unavailable (cached for cache_ttl)", h.server.addr)
		}
		if r.outcome != bound {
			continue
		}
		if h.c.HideCredentials {
			for _, n := range credentialHeaders {
				kong.ServiceRequest.ClearHeader(n)
			}
		}
		// Kong's credential is {id = cache key, username}: the identifier
		// sent upstream is the user name, the id what logs and
		// credential-scoped plugins see
		plugin.SetConsumer(kong, nil, &plugin.Credential{ID: r.id, Identifier: user})
		return "", nil
	}
	return msgUnauthorized, nil
}

// socketDefault is OpenResty's default socket timeouts (connect, send,
// read and keepalive), which a timeout of 0 or a null keepalive leave.
const socketDefault = 60 * time.Second

// newServer returns the connection settings of c. A keepalive of 0 keeps
// idle connections without limit.
func newServer(c Config) *server {
	s := &server{
		addr:      net.JoinHostPort(c.LDAPHost, strconv.Itoa(c.LDAPPort)),
		host:      c.LDAPHost,
		timeout:   socketDefault,
		keepalive: socketDefault,
	}
	if c.Timeout > 0 {
		s.timeout = time.Duration(c.Timeout * float64(time.Millisecond))
	}
	if c.Keepalive != nil {
		s.keepalive = time.Duration(max(*c.Keepalive, 0) * float64(time.Millisecond))
	}
	switch {
	case c.LDAPS:
		s.mode = modeLDAPS
	case c.StartTLS:
		s.mode = modeStartTLS
	}
	s.verify = c.VerifyLDAPHost
	return s
}
