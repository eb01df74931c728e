package dns_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/testutil/dnstest"
)

// newClient returns a client of srv (dnstest's configuration) whose
// hosts file is hosts, changed by change.
func newClient(t *testing.T, srv *dnstest.Server, hosts string, change func(*dns.Config)) *dns.Client {
	t.Helper()
	cfg := srv.Config(t)
	if err := os.WriteFile(cfg.HostsFile, []byte(hosts), 0o600); err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&cfg)
	}
	return dns.New(cfg)
}

// addrs returns what name resolves to, as "ip" or "target:port=weight"
// strings, or the error's text.
func addrs(c *dns.Client, name string) string {
	a, err := c.Resolve(context.Background(), name)
	if err != nil {
		return "error: " + err.Error()
	}
	var out []string
	for _, ip := range a.Addrs {
		out = append(out, ip.String())
	}
	for _, r := range a.SRV {
		out = append(out, r.Target+":"+strconv.Itoa(int(r.Port))+"="+strconv.Itoa(int(r.Weight)))
	}
	return strings.Join(out, " ")
}

// eventually polls cond until it holds or 5 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTTL: an answer is reused until its TTL ends, not queried again;
// then the stale answer is served once more while a background query
// refreshes it. dns_valid_ttl overrides the records' TTL.
func TestTTL(t *testing.T) {
	srv := dnstest.New(t)
	srv.A("api.test", 1, "10.0.0.1")
	c := newClient(t, srv, "", nil)
	start := time.Now()
	if got := addrs(c, "api.test"); got != "10.0.0.1" {
		t.Fatalf("first answer %q", got)
	}
	srv.A("api.test", 1, "10.0.0.2")
	for time.Since(start) < 700*time.Millisecond {
		if got := addrs(c, "api.test"); got != "10.0.0.1" {
			t.Fatalf("answer changed within its TTL: %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := srv.Queries("api.test", mdns.TypeA); n != 1 {
		t.Fatalf("%d A queries within the TTL, want 1", n)
	}
	eventually(t, "the new answer after the TTL", func() bool { return addrs(c, "api.test") == "10.0.0.2" })

	t.Run("dns_valid_ttl", func(t *testing.T) {
		srv.A("valid.test", 3600, "10.0.1.1")
		c := newClient(t, srv, "", func(cfg *dns.Config) { cfg.ValidTTL = 200 * time.Millisecond })
		a, err := c.Resolve(context.Background(), "valid.test")
		if err != nil || a.TTL != 200*time.Millisecond {
			t.Fatalf("TTL %v, %v", a, err)
		}
		srv.A("valid.test", 3600, "10.0.1.2")
		eventually(t, "the new answer after dns_valid_ttl", func() bool { return addrs(c, "valid.test") == "10.0.1.2" })
	})
}

// TestStale: when the server stops answering, an expired answer is served
// for dns_stale_ttl; without a stale window the query's failure shows
// (and is not cached).
func TestStale(t *testing.T) {
	srv := dnstest.New(t)
	srv.A("stale.test", 1, "10.0.0.1")
	stale := newClient(t, srv, "", nil)
	fresh := newClient(t, srv, "", func(cfg *dns.Config) { cfg.StaleTTL = 0 })
	for _, c := range []*dns.Client{stale, fresh} {
		if got := addrs(c, "stale.test"); got != "10.0.0.1" {
			t.Fatalf("answer %q", got)
		}
	}
	srv.Silence(true)
	time.Sleep(1100 * time.Millisecond)
	for range 3 {
		begin := time.Now()
		if got := addrs(stale, "stale.test"); got != "10.0.0.1" {
			t.Fatalf("stale answer %q", got)
		}
		if d := time.Since(begin); d > 100*time.Millisecond {
			t.Fatalf("a stale answer waited %v for the refresh", d)
		}
	}
	want := "error: failed to receive reply from UDP server " + srv.Addr + ": timeout"
	if got := addrs(fresh, "stale.test"); got != want {
		t.Fatalf("without stale answers: %q, want %q", got, want)
	}
	before := srv.Queries("stale.test", mdns.TypeA)
	addrs(fresh, "stale.test")
	if srv.Queries("stale.test", mdns.TypeA) == before {
		t.Fatal("a query without answer was cached")
	}
	srv.Silence(false)
	srv.A("stale.test", 60, "10.0.0.2")
	eventually(t, "the refreshed answer", func() bool { return addrs(stale, "stale.test") == "10.0.0.2" })
}

// TestNegativeCaching: NXDOMAIN and empty answers are kept for
// dns_not_found_ttl, other server errors for dns_error_ttl; an error does
// not replace a stale answer with records.
func TestNegativeCaching(t *testing.T) {
	srv := dnstest.New(t)
	c := newClient(t, srv, "", func(cfg *dns.Config) {
		cfg.NotFoundTTL, cfg.ErrorTTL, cfg.StaleTTL = 600*time.Millisecond, 300*time.Millisecond, 0
	})
	ctx := context.Background()

	_, err := c.Resolve(ctx, "nx.test")
	if !dns.IsNotFound(err) || err.Error() != "dns server error: 3 name error" {
		t.Fatalf("NXDOMAIN: %v", err)
	}
	srv.A("nx.test", 60, "10.0.0.1")
	if _, err := c.Resolve(ctx, "nx.test"); !dns.IsNotFound(err) || srv.Queries("nx.test", mdns.TypeA) != 1 {
		t.Fatalf("NXDOMAIN not cached: %v, %d queries", err, srv.Queries("nx.test", mdns.TypeA))
	}
	eventually(t, "the name after dns_not_found_ttl", func() bool { return addrs(c, "nx.test") == "10.0.0.1" })

	srv.AAAA("empty.test", 60, "::1")
	_, err = c.Resolve(ctx, "empty.test")
	if !dns.IsNotFound(err) || err.Error() != "dns client error: 101 empty record received" {
		t.Fatalf("empty answer: %v", err)
	}

	srv.A("fail.test", 60, "10.0.0.3")
	srv.Rcode("fail.test", mdns.TypeSRV, mdns.RcodeServerFailure)
	srv.Rcode("fail.test", mdns.TypeA, mdns.RcodeServerFailure)
	srv.Rcode("fail.test", mdns.TypeCNAME, mdns.RcodeServerFailure)
	_, err = c.Resolve(ctx, "fail.test")
	if dns.IsNotFound(err) || err == nil || err.Error() != "dns server error: 2 server failure" {
		t.Fatalf("SERVFAIL: %v", err)
	}
	srv.Rcode("fail.test", mdns.TypeA, mdns.RcodeSuccess)
	if _, err := c.Resolve(ctx, "fail.test"); err == nil || srv.Queries("fail.test", mdns.TypeA) != 1 {
		t.Fatalf("SERVFAIL not cached: %v", err)
	}
	eventually(t, "the name after dns_error_ttl", func() bool { return addrs(c, "fail.test") == "10.0.0.3" })

	// A server error keeps the stale records.
	keep := newClient(t, srv, "", func(cfg *dns.Config) { cfg.ErrorTTL = time.Hour })
	srv.A("keep.test", 1, "10.0.0.4")
	addrs(keep, "keep.test")
	srv.Rcode("keep.test", mdns.TypeA, mdns.RcodeServerFailure)
	time.Sleep(1100 * time.Millisecond)
	for range 20 {
		if got := addrs(keep, "keep.test"); got != "10.0.0.4" {
			t.Fatalf("SERVFAIL replaced the stale answer: %q", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOrder: dns_order picks the record type; LAST tries the type that
// last succeeded first; CNAME records are followed.
func TestOrder(t *testing.T) {
	srv := dnstest.New(t)
	srv.A("both.test", 60, "10.0.0.1")
	srv.SRV("both.test", 60, dnstest.SRV{Target: "a.test", Port: 81, Weight: 5})
	srv.A("only-a.test", 60, "10.0.0.2")
	srv.A("last.test", 1, "10.0.0.3")
	srv.AAAA("v6.test", 60, "fd00::1")
	srv.CNAME("alias.test", "only-a.test", 60)

	def := newClient(t, srv, "", nil)
	aFirst := newClient(t, srv, "", func(cfg *dns.Config) { cfg.Order = []string{"a", "srv"} })
	tests := []struct {
		c    *dns.Client
		name string
		want string
	}{
		{def, "both.test", "a.test:81=5"},
		{aFirst, "both.test", "10.0.0.1"},
		{def, "alias.test", "10.0.0.2"},
		{def, "v6.test", "error: dns client error: 101 empty record received"},
		{newClient(t, srv, "", func(cfg *dns.Config) { cfg.Order = []string{"LAST", "AAAA"} }), "v6.test", "fd00::1"},
	}
	for _, tt := range tests {
		if got := addrs(tt.c, tt.name); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}

	// last.test is asked SRV then A; once expired, LAST asks A first.
	if got := addrs(def, "last.test"); got != "10.0.0.3" || srv.Queries("last.test", mdns.TypeSRV) != 1 {
		t.Fatalf("%q after %d SRV queries", got, srv.Queries("last.test", mdns.TypeSRV))
	}
	srv.A("last.test", 60, "10.0.0.4")
	eventually(t, "the refreshed answer", func() bool { return addrs(def, "last.test") == "10.0.0.4" })
	if n := srv.Queries("last.test", mdns.TypeSRV); n != 1 {
		t.Errorf("LAST: %d SRV queries, want 1", n)
	}
}

// TestHostsFile: the hosts file answers before any query; localhost is
// defined even when the file does not name it.
func TestHostsFile(t *testing.T) {
	srv := dnstest.New(t)
	srv.A("file.test", 60, "10.9.9.9")
	c := newClient(t, srv, "# comment\n10.1.2.3 File.test alias.test\n10.1.2.4 file.test\nfd00::5 file.test\n", nil)
	v6 := newClient(t, srv, "10.1.2.3 file.test\nfd00::5 file.test\n", func(cfg *dns.Config) { cfg.Order = []string{"LAST", "AAAA", "A"} })
	tests := []struct {
		c    *dns.Client
		name string
		want string
	}{
		{c, "file.test", "10.1.2.3"},
		{c, "ALIAS.test", "10.1.2.3"},
		{c, "localhost", "127.0.0.1"},
		{v6, "file.test", "fd00::5"},
	}
	for _, tt := range tests {
		if got := addrs(tt.c, tt.name); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if n := srv.Queries("file.test", mdns.TypeA) + srv.Queries("file.test", mdns.TypeSRV); n != 0 {
		t.Errorf("%d queries for a hosts file name", n)
	}
}

// TestToIP: A answers are used in turn, SRV records by weight with their
// port (0: the caller's), and a name's IP literal as is.
func TestToIP(t *testing.T) {
	srv := dnstest.New(t)
	srv.A("rr.test", 60, "10.0.0.1", "10.0.0.2")
	srv.SRV("srv.test", 60,
		dnstest.SRV{Target: "one.test", Port: 8001, Weight: 30, Priority: 1},
		dnstest.SRV{Target: "two.test", Port: 0, Weight: 10, Priority: 1},
		dnstest.SRV{Target: "backup.test", Port: 8003, Weight: 100, Priority: 2})
	srv.A("one.test", 60, "10.0.1.1")
	srv.A("two.test", 60, "10.0.1.2")
	c := newClient(t, srv, "", nil)
	ctx := context.Background()
	counts := map[string]int{}
	for range 8 {
		ap, err := c.ToIP(ctx, "rr.test", 80, false)
		if err != nil {
			t.Fatal(err)
		}
		counts[ap.String()]++
	}
	if counts["10.0.0.1:80"] != 4 || counts["10.0.0.2:80"] != 4 {
		t.Fatalf("A round-robin %v", counts)
	}
	clear(counts)
	for range 400 {
		ap, err := c.ToIP(ctx, "srv.test", 80, false)
		if err != nil {
			t.Fatal(err)
		}
		counts[ap.String()]++
	}
	if counts["10.0.1.1:8001"] != 300 || counts["10.0.1.2:80"] != 100 || len(counts) != 2 {
		t.Fatalf("SRV weighted round-robin %v", counts)
	}
	if ap, err := c.ToIP(ctx, "[::1]", 9, true); err != nil || ap != netip.MustParseAddrPort("[::1]:9") {
		t.Fatalf("literal %v %v", ap, err)
	}
	if _, err := c.ToIP(ctx, "uncached.test", 80, true); err == nil ||
		err.Error() != "dns server error: 100 cache only lookup failed" {
		t.Fatalf("cache only: %v", err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.ToIP(ctx, "srv.test", 80, false); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a cached ToIP allocates %v times", allocs)
	}
}

// TestCoalescing: concurrent lookups of one name share a query, unless
// dns_no_sync.
func TestCoalescing(t *testing.T) {
	srv := dnstest.New(t)
	srv.A("sync.test", 60, "10.0.0.1")
	srv.A("nosync.test", 60, "10.0.0.1")
	srv.Delay(100 * time.Millisecond)
	tests := []struct {
		name   string
		noSync bool
		want   func(n int) bool
	}{
		{"sync.test", false, func(n int) bool { return n == 1 }},
		{"nosync.test", true, func(n int) bool { return n > 1 }},
	}
	for _, tt := range tests {
		c := newClient(t, srv, "", func(cfg *dns.Config) { cfg.NoSync, cfg.Order = tt.noSync, []string{"A"} })
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if got := addrs(c, tt.name); got != "10.0.0.1" {
					t.Errorf("%s: %q", tt.name, got)
				}
			})
		}
		wg.Wait()
		if n := srv.Queries(tt.name, mdns.TypeA); !tt.want(n) {
			t.Errorf("%s: %d queries", tt.name, n)
		}
	}
}

// TestResolvConf: name servers, search domains and ndots come from
// resolv.conf: a name with fewer dots than ndots is tried with the search
// domains first, one with more is tried bare first.
func TestResolvConf(t *testing.T) {
	srv := dnstest.New(t)
	srv.A("api.corp.test", 60, "10.0.0.1")
	srv.A("api", 60, "10.0.0.2")
	srv.A("db.one.corp.test", 60, "10.0.0.3")
	srv.A("db.one", 60, "10.0.0.4")
	conf := filepath.Join(t.TempDir(), "resolv.conf")
	text := "nameserver dns.test\n" // not an address: skipped
	text += "nameserver " + srv.Addr + " ; port allowed\nsearch other.test corp.test\noptions ndots:2 timeout:1 attempts:1\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, "", func(cfg *dns.Config) {
		cfg.Servers, cfg.ResolvConf, cfg.Order = nil, conf, []string{"A"}
	})
	for name, want := range map[string]string{"api": "10.0.0.1", "db.one": "10.0.0.3", "api.": "10.0.0.2"} {
		if got := addrs(c, name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if n := srv.Queries("api.other.test", mdns.TypeA); n != 1 {
		t.Errorf("%d queries for api.other.test", n)
	}
}
