package session

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	kongmeta "github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Name and Priority are Kong's.
const (
	Name     = "session"
	Priority = 1900
	Version  = kongmeta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema:   configSchema,
		New:      newFromConfig,
		Entities: []*schema.Entity{Sessions},
	})
}

// Kong's shared names: the upstream header with the session's groups and
// the ctx field with them, which acl reads.
const (
	HeaderAuthenticatedGroups = "X-Authenticated-Groups"
	SharedAuthenticatedGroups = "authenticated_groups"
)

// processSecret is the secret of instances whose secret is null:
// lua-resty-session then draws one per process.
var processSecret = newSID()

type handler struct {
	c           Config
	keys        keys
	cookieFlags string // the attributes after a cookie's value
}

// clock is the time sessions are opened and saved at; tests set it.
var clock = time.Now

// newFromConfig decodes the config over lua-resty-session's defaults, so
// that a field set to null has the library's default.
func newFromConfig(config map[string]any) (plugin.Handler, error) {
	c := libraryDefaults()
	b, err := json.Marshal(config)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	return newHandler(c), nil
}

func newHandler(c Config) *handler {
	h := &handler{c: c}
	if c.Secret != nil {
		h.keys = newKeys([]byte(*c.Secret))
	} else {
		h.keys = newKeys(processSecret)
	}
	var flags strings.Builder
	if c.CookieDomain != "" && c.CookieDomain != "localhost" {
		flags.WriteString("; Domain=" + c.CookieDomain)
	}
	flags.WriteString("; Path=" + c.CookiePath + "; SameSite=" + c.CookieSameSite)
	if c.CookieSecure || c.CookieSameSite == "None" { // browsers refuse SameSite=None without Secure
		flags.WriteString("; Secure")
	}
	if c.CookieHTTPOnly {
		flags.WriteString("; HttpOnly")
	}
	h.cookieFlags = flags.String()
	return h
}

// storage reports whether sessions are stored in the sessions entity.
func (h *handler) storage() bool { return h.c.Storage == "kong" }

var (
	_ plugin.AccessHandler       = (*handler)(nil)
	_ plugin.HeaderFilterHandler = (*handler)(nil)
)

// Access authenticates a request carrying a valid session cookie as the
// session's consumer, renewing the session when due, or ends the session
// on a logout request (200, empty). Without a valid session it does
// nothing: an authentication plugin with anonymous decides.
func (h *handler) Access(kong *plugin.PDK) error {
	if _, ok := cookieValue(kong, h.c.CookieName); !ok && !h.c.Remember {
		kong.Log.Debug("session not present")
		return nil
	}
	s := h.newSession(kong, false)
	if ok, err := s.open(kong); !ok {
		kong.Log.Debug("session not present", "reason", err)
		return nil
	}
	if h.isLogout(kong) {
		kong.Log.Debug("session logging out")
		if err := s.logout(kong); err != nil {
			kong.Log.Warn("session logout failed", "error", err)
		}
		return kong.Response.Exit(200, nil)
	}
	consumerID, credentialID, groups := s.identity()
	consumer, err := h.consumer(kong, consumerID)
	if err != nil {
		kong.Log.Error("could not load consumer", "error", err)
		return nil
	}
	if consumer == nil {
		kong.Log.Debug("failed to find consumer, destroying session")
		if err := s.logout(kong); err != nil {
			kong.Log.Warn("session logout failed", "error", err)
		}
		return nil
	}
	if err := s.refresh(kong); err != nil {
		kong.Log.Warn("session refresh failed", "error", err)
	}
	s.setRequestHeaders(kong)
	s.setResponseHeaders()
	s.x.authenticated = s
	authenticate(kong, consumer, credentialID, groups)
	return nil
}

func (h *handler) consumer(kong *plugin.PDK, id string) (*entities.Consumer, error) {
	switch {
	case kong.Cache == nil:
		return nil, errNoCache
	case id == "":
		return nil, fmt.Errorf("the session has no consumer")
	}
	return kong.Cache.Consumer(kong.Context(), id)
}

// authenticate sets the consumer, credential and groups of the session
// for the plugins after and the upstream (Kong's X-Consumer-* headers and
// X-Authenticated-Groups).
func authenticate(kong *plugin.PDK, consumer *entities.Consumer, credentialID string, groups []string) {
	if groups != nil {
		kong.ServiceRequest.SetHeader(HeaderAuthenticatedGroups, strings.Join(groups, ", "))
		kong.Shared()[SharedAuthenticatedGroups] = groups
	} else {
		kong.ServiceRequest.ClearHeader(HeaderAuthenticatedGroups)
	}
	var credential *plugin.Credential
	if credentialID != "" {
		credential = &plugin.Credential{ID: credentialID, ConsumerID: consumer.ID}
	}
	plugin.SetConsumer(kong, consumer, credential)
}

// HeaderFilter starts a session when another plugin authenticated the
// request with a credential and no session already holds that consumer
// and credential; then it sends the cookies and headers of the request's
// session.
func (h *handler) HeaderFilter(kong *plugin.PDK) error {
	h.start(kong)
	if x := existingExchange(kong); x != nil {
		x.apply(kong.Response.Header())
	}
	return nil
}

func (h *handler) start(kong *plugin.PDK) {
	credential := kong.Client.Credential()
	if credential == nil {
		kong.Log.Debug("anonymous: no credential") // no session for the anonymous
		return
	}
	consumer := kong.Client.Consumer()
	if consumer == nil {
		return
	}
	var s *session
	if x := existingExchange(kong); x != nil && x.authenticated != nil {
		s = x.authenticated
		if c, cred, _ := s.identity(); c == consumer.ID && cred == credential.ID {
			return
		}
	}
	if s == nil {
		s = h.newSession(kong, true)
		_, _ = s.open(kong) // a new session, or the cookie's other audiences
	}
	credentialID := credential.ID
	if credentialID == "" {
		credentialID = consumer.ID
	}
	groups, _ := kong.Shared()[SharedAuthenticatedGroups].([]string)
	s.setIdentity(consumer.ID, credentialID, groups, subject(consumer))
	if err := s.saveAll(kong); err != nil {
		kong.Log.Error("session save failed", "error", err)
	}
	s.setResponseHeaders()
}

// subject names the consumer in the session: its username, custom id or
// id.
func subject(c *entities.Consumer) string {
	switch {
	case c.Username != "":
		return c.Username
	case c.CustomID != "":
		return c.CustomID
	}
	return c.ID
}
