package proxy

import (
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	lb "github.com/silverback-gw/silverback/internal/balancer"
)

func TestRealIP(t *testing.T) {
	t.Parallel()
	trusted := trustedIPs{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	peer := netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		name      string
		peer      netip.Addr
		values    []string
		recursive bool
		want      string
		changed   bool
	}{
		{"untrusted peer", netip.MustParseAddr("192.0.2.1"), []string{"1.2.3.4"}, false, "192.0.2.1", false},
		{"no header", peer, nil, false, "127.0.0.1", false},
		{"rightmost", peer, []string{"1.1.1.1, 10.0.0.2"}, false, "10.0.0.2", true},
		{"recursive skips trusted", peer, []string{"1.1.1.1, 10.0.0.2"}, true, "1.1.1.1", true},
		{"recursive all trusted ends leftmost", peer, []string{"10.0.0.1,10.0.0.2"}, true, "10.0.0.1", true},
		{"with port", peer, []string{"1.1.1.1:8080"}, false, "1.1.1.1", true},
		{"ipv6 in brackets", peer, []string{"[2001:db8::1]:443"}, false, "2001:db8::1", true},
		{"bare bracketed ipv6", peer, []string{"[2001:db8::2]"}, false, "2001:db8::2", true},
		{"garbage", peer, []string{"not-an-ip"}, false, "127.0.0.1", false},
		{"garbage stops the walk", peer, []string{"1.1.1.1, nope, 10.0.0.3"}, true, "10.0.0.3", true},
		{"last line without recursion", peer, []string{"1.1.1.1", "2.2.2.2"}, false, "2.2.2.2", true},
		{"lines walked when recursive", peer, []string{"1.1.1.1", "10.0.0.4"}, true, "1.1.1.1", true},
		{"empty value", peer, []string{" , "}, false, "127.0.0.1", false},
	}
	for _, tt := range tests {
		got, changed := realIP(tt.peer, tt.values, trusted, tt.recursive)
		if got.String() != tt.want || changed != tt.changed {
			t.Errorf("%s: got %v %v, want %s %v", tt.name, got, changed, tt.want, tt.changed)
		}
	}
}

func FuzzRealIP(f *testing.F) {
	f.Add("1.1.1.1, 10.0.0.2", true)
	f.Add("[::1]:1,,, ", false)
	trusted := trustedIPs{netip.MustParsePrefix("0.0.0.0/0")}
	f.Fuzz(func(t *testing.T, v string, recursive bool) {
		realIP(netip.MustParseAddr("127.0.0.1"), []string{v}, trusted, recursive) // must not panic
	})
}

func TestHeaderList(t *testing.T) {
	t.Parallel()
	var h headerList
	h.Add("A", "1")
	h.Add("b", "2")
	h.Add("a", "3")
	if got := h.Values("A"); !slices.Equal(got, []string{"1", "3"}) || h.Get("B") != "2" {
		t.Errorf("values %v, b %q", got, h.Get("B"))
	}
	h.Set("a", "4")
	if got := h.Values("a"); !slices.Equal(got, []string{"4"}) {
		t.Errorf("after Set: %v", got)
	}
	h.Set("C", "5")
	h.Del("B")
	var names []string
	h.Each(func(name, value string) bool {
		names = append(names, name+"="+value)
		return true
	})
	if strings.Join(names, ",") != "A=4,C=5" {
		t.Errorf("fields %v", names)
	}
	h.Each(func(string, string) bool { names = nil; return false })
	if names != nil || !h.has("c") || h.has("b") {
		t.Error("Each must stop when fn returns false")
	}
	setShared(&h, "D", newShared("6"))
	h.reset()
	if len(h.fields) != 0 || h.Get("A") != "" {
		t.Errorf("after reset: %v", h.fields)
	}
}

func TestValidField(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, value string
		ok          bool
	}{
		{"X-Ok", "a\tb c", true},
		{"", "v", false},
		{"Bad Name", "v", false},
		{"X-Inject", "a\r\nX-Evil: 1", false},
		{"X-Del", "a\x7f", false},
	} {
		if validField(tt.name, tt.value) != tt.ok {
			t.Errorf("validField(%q, %q) != %v", tt.name, tt.value, tt.ok)
		}
	}
}

func TestSplitRequestURI(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ uri, path, query string }{
		{"/a/b?c=d", "/a/b", "c=d"},
		{"/a?", "/a", ""},
		{"http://example.com/x/y?z", "/x/y", "z"},
		{"http://example.com", "/", ""},
		{"http://example.com?q", "/", "q"},
		{"*", "*", ""},
	} {
		path, query, has := splitRequestURI(tt.uri)
		got := path
		if has {
			got += "?" + query
		}
		want := tt.path
		if tt.query != "" || strings.HasSuffix(tt.uri, "?") {
			want += "?" + tt.query
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", tt.uri, got, want)
		}
	}
}

func TestNginxHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Example.COM:8000": "example.com",
		"example.com.":     "example.com",
		"[::1]:8000":       "[::1]",
		"[::1]":            "[::1]",
		"":                 "kong",
		"1.2.3.4":          "1.2.3.4",
	} {
		if got := nginxHost(in); got != want {
			t.Errorf("nginxHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestServerName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"example.com:8443": "example.com",
		"example.com":      "example.com",
		"127.0.0.1:443":    "127.0.0.1",
		"[::1]:443":        "::1",
		"[::1]":            "::1",
	} {
		if got := serverName(in); got != want {
			t.Errorf("serverName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHostHeader(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, addr, scheme, want string
	}{
		{"example.com", "10.0.0.1:80", "http", "example.com"},
		{"example.com", "10.0.0.1:443", "https", "example.com"},
		{"example.com", "10.0.0.1:443", "http", "example.com:443"},
		{"example.com", "10.0.0.1:8080", "http", "example.com:8080"},
		{"::1", "[::1]:8080", "http", "[::1]:8080"},
		{"[::1]", "[::1]:80", "http", "[::1]"},
	} {
		pr := lb.Peer{Addr: netip.MustParseAddrPort(tt.addr), Hostname: tt.name}
		if got := hostHeader(pr, tt.scheme); got != tt.want {
			t.Errorf("hostHeader(%s, %s, %s) = %q, want %q", tt.name, tt.addr, tt.scheme, got, tt.want)
		}
	}
}

// TestSetFields: SetFields replaces values as Set does, on a response's
// header and on a header list, and a value added later to one field
// leaves the others, which share its backing array, alone.
func TestSetFields(t *testing.T) {
	t.Parallel()
	fields := []Header{{"x-a", "1"}, {"X-B", "2"}}
	hh := httpHeader{"X-A": {"old", "older"}, "X-C": {"3"}}
	SetFields(hh, fields)
	hh.Add("X-A", "added")
	want := http.Header{"X-A": {"1", "added"}, "X-B": {"2"}, "X-C": {"3"}}
	if !reflect.DeepEqual(http.Header(hh), want) {
		t.Errorf("response header %v, want %v", hh, want)
	}
	var hl headerList
	hl.Set("X-A", "old")
	SetFields(&hl, fields)
	if got := hl.Values("X-A"); !slices.Equal(got, []string{"1"}) || hl.Get("X-B") != "2" {
		t.Errorf("header list %v", hl.fields)
	}
}
