// Package iprestriction implements Kong's ip-restriction plugin: requests
// from denied addresses, or from addresses outside the allowed ones, are
// refused. The client address is the one the proxy resolved with
// trusted_ips and real_ip_header, so an untrusted client cannot choose it
// with X-Forwarded-For.
package iprestriction

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// Name and Priority are Kong's; like Kong's bundled plugins, the
// version is the Kong version implemented.
const (
	Name     = "ip-restriction"
	Priority = 990
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

const (
	defaultStatus = 403
	msgNotAllowed = "IP address not allowed: " // followed by the address
	msgNoAddress  = "Cannot identify the client IP address, unix domain sockets are not supported."
)

type handler struct {
	allow, deny []netip.Prefix
	status      int
	message     string // "" for Kong's default
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{status: defaultStatus}
	var err error
	if h.allow, err = parsePrefixes(c.Allow); err != nil {
		return nil, err
	}
	if h.deny, err = parsePrefixes(c.Deny); err != nil {
		return nil, err
	}
	if c.Status != nil {
		h.status = int(*c.Status)
	}
	if c.Message != nil {
		h.message = *c.Message
	}
	return h, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access checks the deny list first, then, when there is one, the allow
// list.
func (h *handler) Access(kong *plugin.PDK) error {
	ip := kong.Client.ForwardedAddr()
	if !ip.IsValid() {
		return kong.Response.Error(defaultStatus, msgNoAddress)
	}
	ip = ip.Unmap()
	if contains(h.deny, ip) || len(h.allow) > 0 && !contains(h.allow, ip) {
		msg := h.message
		if msg == "" {
			msg = msgNotAllowed + ip.String()
		}
		return kong.Response.Error(h.status, msg)
	}
	return nil
}

func contains(prefixes []netip.Prefix, ip netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parsePrefixes parses addresses and CIDRs; an address is its own /32 or
// /128.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		var p netip.Prefix
		var err error
		if strings.Contains(s, "/") {
			p, err = netip.ParsePrefix(s)
			p = p.Masked()
		} else {
			var a netip.Addr
			a, err = netip.ParseAddr(s)
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if err != nil {
			return nil, fmt.Errorf("invalid ip or cidr %q: %w", s, err)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p)
	}
	return out, nil
}
