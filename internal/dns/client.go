package dns

import (
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
)

// Client resolves names as Kong's DNS client does. Its methods are safe
// for concurrent use; lookups answered from the cache take a read lock
// and allocate nothing.
type Client struct {
	servers  []string // "ip:port"
	search   []string
	ndots    int
	timeout  time.Duration
	attempts int
	rotate   bool
	order    []uint16

	validTTL, staleTTL, notFoundTTL, errorTTL time.Duration
	noSync                                    bool

	// hosts are the hosts file's entries by name and type, never evicted;
	// hostsLast the type each name is taken as.
	hosts     map[cacheKey]*entry
	hostsLast map[string]uint16

	cache   *cache
	mu      sync.Mutex // guards flights
	flights map[cacheKey]*flight
	next    atomic.Uint32 // the first server of the next query, with rotate

	log *slog.Logger
}

// New returns a client for cfg. Unreadable resolv.conf and hosts files
// are logged and taken as empty, as Kong does.
func New(cfg Config) *Client {
	c := &Client{
		order: parseOrder(cfg.Order), validTTL: cfg.ValidTTL, staleTTL: cfg.StaleTTL,
		notFoundTTL: cfg.NotFoundTTL, errorTTL: cfg.ErrorTTL, noSync: cfg.NoSync,
		timeout: cfg.Timeout, attempts: cfg.Attempts, log: cfg.Logger,
		flights: make(map[cacheKey]*flight),
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	size := cfg.CacheSize
	if size <= 0 {
		size = defaultCacheSize
	}
	c.cache = newCache(size)
	c.loadResolvConf(cfg)
	c.loadHosts(cfg.HostsFile)
	return c
}

// loadResolvConf sets the servers, search list and query options from
// cfg and resolv.conf.
func (c *Client) loadResolvConf(cfg Config) {
	path := cfg.ResolvConf
	if path == "" {
		path = defaultResolvConf
	}
	rc := resolvConf{ndots: 1}
	if f, err := os.Open(path); err != nil {
		c.log.Warn("dns: resolv.conf not readable", "file", path, "error", err)
	} else {
		if rc, err = parseResolvConf(f); err != nil {
			c.log.Warn("dns: resolv.conf not readable", "file", path, "error", err)
		}
		f.Close()
	}
	servers := cfg.Servers
	if len(servers) == 0 {
		servers = rc.servers
	}
	for _, s := range servers {
		if addr, ok := serverAddr(s); ok {
			c.servers = append(c.servers, addr)
		} else {
			c.log.Warn("dns: invalid name server", "server", s)
		}
	}
	c.search, c.ndots, c.rotate = rc.search, rc.ndots, rc.rotate
	if c.timeout <= 0 {
		c.timeout = time.Duration(rc.timeout) * time.Second
	}
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	if c.attempts <= 0 {
		c.attempts = rc.attempts
	}
	if c.attempts <= 0 {
		c.attempts = defaultAttempts
	}
}

// loadHosts reads the hosts file into the hosts entries; localhost is
// 127.0.0.1 and ::1 unless the file says otherwise (RFC 6761).
func (c *Client) loadHosts(path string) {
	if path == "" {
		path = defaultHostsFile
	}
	hosts := map[string]hostAddrs{}
	if f, err := os.Open(path); err != nil {
		c.log.Warn("dns: hosts file not readable", "file", path, "error", err)
	} else {
		if hosts, err = parseHosts(f); err != nil {
			c.log.Warn("dns: hosts file not readable", "file", path, "error", err)
		}
		f.Close()
	}
	if _, ok := hosts["localhost"]; !ok {
		hosts["localhost"] = hostAddrs{v4: loopback4, v6: loopback6}
	}
	now := time.Now()
	aaaaFirst := preferred(c.order) == mdns.TypeAAAA
	c.hosts = make(map[cacheKey]*entry, 2*len(hosts))
	c.hostsLast = make(map[string]uint16, len(hosts))
	for name, h := range hosts {
		for _, ip := range []netip.Addr{h.v4, h.v6} {
			if !ip.IsValid() {
				continue
			}
			a := addrAnswer(name, ip, now)
			c.hosts[cacheKey{name: name, typ: a.Type}] = &entry{ans: a, expires: a.Expires, evict: a.Expires}
			// A is the name's type, AAAA when it has no A or the order
			// names AAAA first; only a type of the order counts.
			if _, ok := c.hostsLast[name]; c.validType(a.Type) && (!ok || aaaaFirst) {
				c.hostsLast[name] = a.Type
			}
		}
	}
}

var (
	loopback4 = netip.MustParseAddr("127.0.0.1")
	loopback6 = netip.IPv6Loopback()
)

// inHosts reports whether the hosts file defines name for typ.
func (c *Client) inHosts(name string, typ uint16) bool {
	_, ok := c.hosts[cacheKey{name: name, typ: typ}]
	return ok
}

// validType reports whether the order lists typ.
func (c *Client) validType(typ uint16) bool {
	for _, t := range c.order {
		if t == typ {
			return true
		}
	}
	return false
}
