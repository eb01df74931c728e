// Package acl implements Kong's acl plugin: the authenticated consumer's
// groups (acls entities, found through the node's cache) must be allowed,
// or not denied.
package acl

import (
	"context"
	"strings"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// Name and Priority are Kong's.
const (
	Name     = "acl"
	Priority = 950
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema:   configSchema,
		New:      plugin.Constructor(newHandler),
		Entities: []*schema.Entity{Groups},
	})
}

// Kong's messages and header.
const (
	msgForbidden    = "You cannot consume this service"
	msgUnauthorized = "Unauthorized"
	HeaderGroups    = "X-Consumer-Groups"
)

type handler struct {
	allow, deny map[string]bool
	hide        bool
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{hide: c.HideGroupsHeader}
	if len(c.Deny) > 0 {
		h.deny = set(c.Deny)
	} else {
		h.allow = set(c.Allow)
	}
	return h, nil
}

func set(groups []string) map[string]bool {
	m := make(map[string]bool, len(groups))
	for _, g := range groups {
		m[g] = true
	}
	return m
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access refuses a request without consumer (401, or 403 when a
// credential exists), a consumer outside the allowed groups or in a
// denied one (403).
func (h *handler) Access(kong *plugin.PDK) error {
	consumer := kong.Client.Consumer()
	refuse := func() error {
		if kong.Client.Credential() != nil {
			return kong.Response.Error(403, msgForbidden)
		}
		return kong.Response.Error(401, msgUnauthorized)
	}
	if consumer == nil || kong.Cache == nil {
		return refuse()
	}
	groups, err := ConsumerGroups(kong.Cache, consumer.ID)
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		if h.deny != nil {
			return nil
		}
		return refuse()
	}
	blocked := true
	if h.deny != nil {
		blocked = false
		for _, g := range groups {
			if h.deny[g] {
				blocked = true
				break
			}
		}
	} else {
		for _, g := range groups {
			if h.allow[g] {
				blocked = false
				break
			}
		}
	}
	if blocked {
		return kong.Response.Error(403, msgForbidden)
	}
	if h.hide {
		kong.ServiceRequest.ClearHeader(HeaderGroups)
	} else {
		kong.ServiceRequest.SetHeader(HeaderGroups, strings.Join(groups, ", "))
	}
	return nil
}

// ConsumerGroups returns the consumer's groups through the cache, under
// Kong's key acls:<consumer id> (invalidated by any change to the
// consumer's acls).
func ConsumerGroups(cache *plugin.Cache, consumerID string) ([]string, error) {
	v, err := cache.Get(context.Background(), plugin.EntityKey(Groups.Name, consumerID), func(ctx context.Context) (any, error) {
		groups := []string{}
		err := cache.DB().ViewShared(ctx, func(tx *store.Txn) error {
			return tx.Each(ctx, Groups.Name, store.Query{ForeignField: "consumer", ForeignID: consumerID}, func(r store.Row) error {
				if g, _ := r["group"].(string); g != "" {
					groups = append(groups, g)
				}
				return nil
			})
		})
		return groups, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]string), nil
}
