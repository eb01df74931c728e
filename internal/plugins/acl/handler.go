// Package acl implements Kong's acl plugin: the authenticated consumer's
// groups (acls entities, found through the node's cache) must be allowed,
// or not denied.
package acl

import (
	"context"
	"slices"
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
	// authenticatedFirst is always_use_authenticated_groups.
	authenticatedFirst bool
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{hide: c.HideGroupsHeader, authenticatedFirst: c.AlwaysUseAuthenticatedGroups}
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

// SharedGroups is the kong.ctx.shared key under which an auth plugin
// (session, ldap) leaves the groups it authenticated the request with, a
// []string: Kong's authenticated groups.
const SharedGroups = "authenticated_groups"

// HeaderAuthenticatedGroups carries the authenticated groups upstream
// when they decided.
const HeaderAuthenticatedGroups = "X-Authenticated-Groups"

// Access checks the request's groups as Kong's acl: the authenticated
// groups an auth plugin left when there is no consumer, no credential (the
// anonymous consumer) or always_use_authenticated_groups; else the
// consumer's acls. No groups to check is 401 (403 when a credential
// exists); groups outside the allowed ones or in a denied one are 403.
func (h *handler) Access(kong *plugin.PDK) error {
	consumer, credential := kong.Client.Consumer(), kong.Client.Credential()
	refuse := func() error {
		if credential != nil {
			return kong.Response.Error(403, msgForbidden)
		}
		return kong.Response.Error(401, msgUnauthorized)
	}
	groups, header := authenticatedGroups(kong), HeaderAuthenticatedGroups
	if consumer != nil && !(credential == nil || h.authenticatedFirst) {
		groups = nil
	}
	if groups == nil {
		if consumer == nil || kong.Cache == nil {
			return refuse()
		}
		var err error
		if groups, err = ConsumerGroups(kong.Context(), kong.Cache, consumer.ID); err != nil {
			return err
		}
		if len(groups) == 0 && h.deny == nil {
			return refuse()
		}
		header = HeaderGroups
	}
	if h.blocked(groups) {
		return kong.Response.Error(403, msgForbidden)
	}
	// Kong leaves a client's header alone when hiding; clearing it keeps
	// clients from passing groups off as the gateway's
	kong.ServiceRequest.ClearHeader(HeaderGroups)
	kong.ServiceRequest.ClearHeader(HeaderAuthenticatedGroups)
	if !h.hide {
		kong.ServiceRequest.SetHeader(header, strings.Join(groups, ", "))
	}
	return nil
}

// blocked reports whether groups are refused: one is denied, or none is
// allowed.
func (h *handler) blocked(groups []string) bool {
	if h.deny != nil {
		return slices.ContainsFunc(groups, func(g string) bool { return h.deny[g] })
	}
	return !slices.ContainsFunc(groups, func(g string) bool { return h.allow[g] })
}

// authenticatedGroups returns the groups an auth plugin authenticated the
// request with, nil when none did.
func authenticatedGroups(kong *plugin.PDK) []string {
	switch g := kong.Shared()[SharedGroups].(type) {
	case []string:
		return g
	case nil:
	default:
		kong.Log.Warn("invalid authenticated_groups, a []string was expected")
	}
	return nil
}

// ConsumerGroups returns the consumer's groups through the cache, under
// Kong's key acls:<consumer id> (invalidated by any change to the
// consumer's acls).
func ConsumerGroups(ctx context.Context, cache *plugin.Cache, consumerID string) ([]string, error) {
	v, err := cache.GetEntity(ctx, Groups.Name, consumerID, func(ctx context.Context) (any, error) {
		groups := []string{}
		err := cache.DB().View(ctx, func(tx *store.Txn) error {
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
