package balancer

import (
	"hash/crc32"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/entities"
)

// hashSpec is what consistent hashing hashes on: hash_on, then
// hash_fallback when the first gives no value.
type hashSpec struct {
	on, fallback         string
	onName, fallbackName string // the header, query argument or capture names
	cookie, cookiePath   string
}

// hashFrom reads the hashing fields of u.
func hashFrom(u *entities.Upstream) hashSpec {
	path := u.HashOnCookiePath
	if path == "" {
		path = "/"
	}
	return hashSpec{
		on: u.HashOn, fallback: u.HashFallback,
		onName:       hashName(u.HashOn, u.HashOnHeader, u.HashOnQueryArg, u.HashOnURICapture),
		fallbackName: hashName(u.HashFallback, u.HashFallbackHeader, u.HashFallbackQueryArg, u.HashFallbackURICapture),
		cookie:       u.HashOnCookie, cookiePath: path,
	}
}

// hashName is the name a hash input reads for the kind selected.
func hashName(kind, header, queryArg, capture string) string {
	switch kind {
	case "header":
		return header
	case "query_arg":
		return queryArg
	case "uri_capture":
		return capture
	}
	return ""
}

// Request is what consistent hashing reads from a proxied request.
type Request interface {
	// ClientIP is the client's address ($remote_addr).
	ClientIP() string
	// Consumer is the authenticated consumer's id, else the credential's,
	// else "".
	Consumer() string
	// Header is a request header's values joined by ", ".
	Header(name string) string
	// Cookie is a request cookie's value.
	Cookie(name string) string
	// Path is the normalized request path.
	Path() string
	// QueryArg is a query argument's values, sorted and joined by ",".
	QueryArg(name string) string
	// URICapture is a route capture by name or number.
	URICapture(name string) string
}

// Hash returns the request's hash for Pick, computed once per request.
// When hashing on a cookie the request does not carry, Kong generates
// one: setCookie is then the Set-Cookie value the response must carry.
func (b *Balancer) Hash(r Request) (hash uint32, setCookie string) {
	if b.algo != "consistent-hashing" {
		return 0, ""
	}
	h := b.hash
	v, setCookie := h.value(r, h.on, h.onName)
	if v == "" && h.fallback != "" && h.fallback != "none" {
		v, setCookie = h.value(r, h.fallback, h.fallbackName)
	}
	return crc32.ChecksumIEEE([]byte(v)), setCookie
}

func (h *hashSpec) value(r Request, on, name string) (string, string) {
	switch on {
	case "consumer":
		return r.Consumer(), ""
	case "ip":
		return r.ClientIP(), ""
	case "header":
		return r.Header(name), ""
	case "path":
		return r.Path(), ""
	case "query_arg":
		return r.QueryArg(name), ""
	case "uri_capture":
		return r.URICapture(name), ""
	case "cookie":
		if h.cookie == "" {
			return "", ""
		}
		if v := r.Cookie(h.cookie); v != "" {
			return v, ""
		}
		v := uuid.NewString()
		return v, h.cookie + "=" + v + "; Path=" + h.cookiePath + "; Same-Site=Lax; HttpOnly"
	}
	return "", ""
}

// continuum is the consistent-hashing ring: points sorted by hash, each
// owned by an address. An address owns weight × slots / 1000 points (at
// least 10, at most slots): ten targets of the default weight fill the
// upstream's slots. A point's hash and an address's share depend only on
// the address and its weight, so rebuilding with the same addresses gives
// the same ring and adding an address moves only the keys its points take
// (about 1/n of them).
type continuum struct {
	hashes []uint32
	owners []*Address
}

func newContinuum(addrs []*Address, slots int) continuum {
	type point struct {
		h uint32
		a *Address
	}
	var pts []point
	for _, a := range addrs {
		n := min(max(10, slots*a.Weight/1000), slots)
		key := []byte(a.AddrPort.String() + "#")
		base := len(key)
		for i := range n {
			f := fnv.New32a()
			f.Write(strconv.AppendInt(key[:base], int64(i), 10))
			pts = append(pts, point{f.Sum32(), a})
		}
	}
	slices.SortFunc(pts, func(x, y point) int {
		switch {
		case x.h < y.h:
			return -1
		case x.h > y.h:
			return 1
		}
		return x.a.AddrPort.Compare(y.a.AddrPort)
	})
	c := continuum{hashes: make([]uint32, len(pts)), owners: make([]*Address, len(pts))}
	for i, p := range pts {
		c.hashes[i], c.owners[i] = p.h, p.a
	}
	return c
}

// pick returns the owner of the first point at or after hash, walking on
// past unusable addresses.
func (c *continuum) pick(hash uint32, tried []*Address) *Address {
	n := len(c.hashes)
	i, _ := slices.BinarySearch(c.hashes, hash)
	for k := range n {
		if a := c.owners[(i+k)%n]; usable(a, tried) {
			return a
		}
	}
	return nil
}
