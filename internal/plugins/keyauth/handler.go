// Package keyauth implements Kong's key-auth plugin: the client presents
// a key in a header or query argument, found among the keyauth_credentials
// through the node's cache, and the request is authenticated as the key's
// consumer.
package keyauth

import (
	"context"
	"fmt"
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
	msgNoKey       = "No API key found in request"
	msgInvalid     = "Unauthorized"
	msgDuplicate   = "Duplicate API key found"
	msgNoCache     = "An unexpected error occurred"
	msgAnonMissing = "anonymous consumer %s is configured but doesn't exist"
)

type handler struct {
	c         Config
	challenge proxy.Header
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, challenge: proxy.Header{Name: "WWW-Authenticate", Value: "Key"}}
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
	anonymous := h.c.Anonymous != nil && *h.c.Anonymous != ""
	if anonymous && kong.Client.Credential() != nil {
		// logical OR: an earlier auth plugin authenticated the request
		return nil
	}
	status, msg, err := h.authenticate(kong)
	if err != nil {
		return err
	}
	if status == 0 {
		return nil
	}
	if anonymous {
		consumer, err := kong.Cache.Consumer(context.Background(), *h.c.Anonymous)
		if err != nil {
			return err
		}
		if consumer == nil {
			return kong.Response.Error(500, fmt.Sprintf(msgAnonMissing, *h.c.Anonymous))
		}
		plugin.SetConsumerHeaders(kong, consumer, nil)
		kong.Client.Authenticate(consumer, nil)
		return nil
	}
	return kong.Response.Error(status, msg, h.challenge)
}

// authenticate returns the refusal (status and message), 0 once the
// request is authenticated.
func (h *handler) authenticate(kong *plugin.PDK) (int, string, error) {
	if kong.Cache == nil {
		return 500, msgNoCache, nil
	}
	var key, name string
	var inHeader, inQuery bool
	var query url.Values
	for _, n := range h.c.KeyNames {
		if h.c.KeyInHeader {
			if vs := kong.Request.Headers().Values(n); len(vs) > 0 {
				if len(vs) > 1 {
					return 401, msgDuplicate, nil
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
					return 401, msgDuplicate, nil
				}
				key, name, inQuery = vs[0], n, true
				break
			}
		}
	}
	if key == "" {
		return 401, msgNoKey, nil
	}
	if h.c.HideCredentials {
		if inHeader {
			kong.ServiceRequest.ClearHeader(name)
		}
		if inQuery {
			delete(query, name)
			kong.ServiceRequest.SetRawQuery(query.Encode())
		}
	}
	cred, consumer, err := kong.Cache.Credential(context.Background(), Credentials.Name, "key", key)
	if err != nil {
		return 0, "", err
	}
	if cred == nil {
		return 401, msgInvalid, nil
	}
	id, _ := cred["id"].(string)
	c := &plugin.Credential{ID: id, ConsumerID: consumer.ID}
	plugin.SetConsumerHeaders(kong, consumer, c)
	kong.Client.Authenticate(consumer, c)
	return 0, "", nil
}
