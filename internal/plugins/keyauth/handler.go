// Package keyauth implements Kong's key-auth plugin: the client presents
// a key in a header or query argument, found among the keyauth_credentials
// through the node's cache, and the request is authenticated as the key's
// consumer.
package keyauth

import (
	"errors"
	"maps"
	"net/textproto"
	"net/url"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Name and Priority are Kong's.
const (
	Name     = "key-auth"
	Priority = 1250
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

// Kong's messages.
const (
	msgNoKey     = "No API key found in request"
	msgInvalid   = "Unauthorized"
	msgDuplicate = "Duplicate API key found"
	msgNoCache   = "An unexpected error occurred"
)

type handler struct {
	c         Config
	challenge proxy.Header
	// headerNames are c.KeyNames in canonical form: looking them up
	// costs no allocation.
	headerNames []string
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, challenge: proxy.Header{Name: "WWW-Authenticate", Value: "Key"}}
	for _, n := range c.KeyNames {
		h.headerNames = append(h.headerNames, textproto.CanonicalMIMEHeaderKey(n))
	}
	if c.Realm != nil && *c.Realm != "" {
		h.challenge.Value = `Key realm="` + *c.Realm + `"`
	}
	return h, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access authenticates the request, or attaches the anonymous consumer.
func (h *handler) Access(kong *plugin.PDK) error {
	if !h.c.RunOnPreflight && kong.Request.Method() == "OPTIONS" {
		return nil
	}
	return plugin.Authenticate(kong, h.c.Anonymous, h.challenge, h.authenticate)
}

// authenticate returns the refusal's message, "" once the request is
// authenticated.
func (h *handler) authenticate(kong *plugin.PDK) (string, error) {
	if kong.Cache == nil {
		return "", errors.New("no entity cache")
	}
	var key, name string
	var inHeader, inQuery, inBody bool
	var query url.Values
	for i, n := range h.c.KeyNames {
		if h.c.KeyInHeader {
			if vs := kong.Request.Headers().Values(h.headerNames[i]); len(vs) > 0 {
				if len(vs) > 1 {
					return msgDuplicate, nil
				}
				key, name, inHeader = vs[0], n, true
				break
			}
		}
		if h.c.KeyInQuery {
			if query == nil {
				query, _ = url.ParseQuery(kong.Request.RawQuery())
			}
			if vs, ok := query[n]; ok {
				if len(vs) > 1 {
					return msgDuplicate, nil
				}
				key, name, inQuery = vs[0], n, true
				break
			}
		}
		if h.c.KeyInBody {
			args, err := kong.BodyArgs()
			if err != nil {
				kong.Log.Info("Cannot process request body: " + err.Error())
			}
			switch v := args[n].(type) {
			case string:
				key, name, inBody = v, n, true
			case []string, []any, map[string]any:
				return msgDuplicate, nil
			}
			if inBody {
				break
			}
		}
	}
	if key == "" {
		return msgNoKey, nil
	}
	if h.c.HideCredentials {
		if inHeader {
			kong.ServiceRequest.ClearHeader(name)
		}
		if inQuery {
			delete(query, name)
			kong.ServiceRequest.SetRawQuery(query.Encode())
		}
		if inBody {
			args, _ := kong.BodyArgs()
			args = maps.Clone(args)
			delete(args, name)
			if err := kong.SetBodyArgs(args); err != nil {
				return "", err
			}
		}
	}
	cred, consumer, err := kong.Cache.Credential(kong.Context(), Credentials.Name, "key", key)
	if err != nil {
		return "", err
	}
	if cred == nil {
		return msgInvalid, nil
	}
	id, _ := cred["id"].(string)
	c := &plugin.Credential{ID: id, ConsumerID: consumer.ID}
	plugin.SetConsumer(kong, consumer, c)
	return "", nil
}
