package integration

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/silverback-gw/silverback/internal/testutil/dnstest"
)

// TestDNS: a node whose dns_resolver is a test DNS server balances an
// upstream over a target's SRV records and follows their change without
// a restart or a configuration change; a service host comes from
// dns_hostsfile; an unknown name is Kong's 503.
func TestDNS(t *testing.T) {
	srv := dnstest.New(t)
	backend := func(id string) uint16 {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s", id, r.Host)
		}))
		t.Cleanup(s.Close)
		_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		return uint16(p)
	}
	portA, portB := backend("a"), backend("b")
	srv.SRV("_api._tcp.dns.test", 1, dnstest.SRV{Target: "a.dns.test", Port: portA, Weight: 10})
	srv.A("a.dns.test", 60, "127.0.0.1")
	srv.A("b.dns.test", 60, "127.0.0.1")
	hostsFile := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hostsFile, []byte("127.0.0.1 fromfile.test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := start(t, map[string]string{"dns_resolver": srv.Addr, "dns_hostsfile": hostsFile, "dns_not_found_ttl": "1"})
	admin := func(method, path, body string) {
		t.Helper()
		if status, _, b := call(t, method, n.admin+path, "application/json", body); status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, status, b)
		}
	}
	admin("POST", "/upstreams", `{"name":"srv-up","use_srv_name":true}`)
	admin("POST", "/upstreams/srv-up/targets", `{"target":"_api._tcp.dns.test:8000"}`)
	admin("POST", "/services", `{"name":"srv","host":"srv-up"}`)
	admin("POST", "/services/srv/routes", `{"paths":["/srv"]}`)
	admin("POST", "/services", `{"name":"file","host":"fromfile.test","port":`+strconv.Itoa(int(portB))+`}`)
	admin("POST", "/services/file/routes", `{"paths":["/file"]}`)
	admin("POST", "/services", `{"name":"nx","host":"nowhere.dns.test"}`)
	admin("POST", "/services/nx/routes", `{"paths":["/nx"]}`)

	get := func(path string) (int, string) {
		t.Helper()
		status, _, b := call(t, "GET", n.proxy+path, "", "")
		return status, string(b)
	}
	wantA := "a a.dns.test:" + strconv.Itoa(int(portA))
	eventually(t, 5*time.Second, "the SRV target", func() bool { _, b := get("/srv"); return b == wantA })

	srv.SRV("_api._tcp.dns.test", 1, dnstest.SRV{Target: "b.dns.test", Port: portB, Weight: 10})
	wantB := "b b.dns.test:" + strconv.Itoa(int(portB))
	eventually(t, 5*time.Second, "the changed SRV record", func() bool { _, b := get("/srv"); return b == wantB })

	if status, b := get("/file"); status != 200 || !strings.HasPrefix(b, "b fromfile.test:") {
		t.Errorf("hosts file service: %d %q", status, b)
	}
	if status, b := get("/nx"); status != 503 || !strings.Contains(b, "name resolution failed") {
		t.Errorf("unknown name: %d %q", status, b)
	}
	if n := srv.Queries("fromfile.test", mdns.TypeA); n != 0 {
		t.Errorf("%d queries for a hosts file name", n)
	}
}
