package balancer

import (
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/silverback-gw/silverback/internal/runtime"
)

// flaky is an upstream on 127.0.0.1 that answers 500 while failing is set.
type flaky struct {
	*httptest.Server
	failing atomic.Bool
	hits    atomic.Int64
	host    atomic.Value // the Host of the last request
}

func newFlaky(t *testing.T) *flaky {
	f := &flaky{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		f.host.Store(r.Host)
		if f.failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *flaky) target() string { return f.Listener.Addr().String() }

// Address health values in tests.
const (
	healthy   = "HEALTHY"
	unhealthy = "UNHEALTHY"
	checksOff = "HEALTHCHECKS_OFF"
	dnsError  = "DNS_ERROR"
)

// addressHealth is the health of target's first address as the Admin
// API reports it.
func addressHealth(s *Set, id, target string) string {
	st, _ := s.Status(id)
	for _, t := range st.Targets {
		switch {
		case t.Target != target:
		case len(t.Addresses) == 0:
			return dnsError
		case !st.ChecksInUse:
			return checksOff
		case t.Addresses[0].Healthy:
			return healthy
		default:
			return unhealthy
		}
	}
	return ""
}

func TestActiveHealthChecks(t *testing.T) {
	tests := []struct{ typ string }{{"http"}, {"tcp"}}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			good, bad := newFlaky(t), newFlaky(t)
			hc := map[string]any{"active": map[string]any{
				"type": tt.typ, "timeout": 1.0, "http_path": "/status",
				"healthy":   map[string]any{"interval": 0.02, "successes": int64(2)},
				"unhealthy": map[string]any{"interval": 0.02, "http_failures": int64(2), "tcp_failures": int64(2)},
			}}
			s := newTestSet(t, nil)
			u := upstream("u", "round-robin", hc, good.target(), bad.target())
			// tcp probes run for an upstream a stream service uses.
			s.Sync(snapshotWith(u, map[string]string{"tcp": "tcp", "http": "http"}[tt.typ]))
			// An http check sees the 500s; a tcp check needs the port closed.
			var ln net.Listener
			if tt.typ == "tcp" {
				bad.Listener.Close()
			} else {
				bad.failing.Store(true)
			}
			eventually(t, "the failing target unhealthy", func() bool {
				return addressHealth(s, "u", bad.target()) == unhealthy
			})
			if h, _ := good.host.Load().(string); tt.typ == "http" && h != "127.0.0.1" {
				t.Fatalf("probe Host %q", h)
			}
			if h := addressHealth(s, "u", good.target()); h != healthy {
				t.Fatalf("good target %s", h)
			}
			b := s.Get(u)
			for range 50 {
				a, err := b.Pick(0, nil)
				if err != nil {
					t.Fatal(err)
				}
				if a.AddrPort.String() == bad.target() {
					t.Fatal("the unhealthy target was picked")
				}
				b.Report(a, Outcome{Status: 200})
			}
			if tt.typ == "tcp" {
				var err error
				if ln, err = net.Listen("tcp", bad.target()); err != nil {
					t.Skip("port taken again:", err)
				}
				defer ln.Close()
			} else {
				bad.failing.Store(false)
			}
			eventually(t, "the recovered target healthy", func() bool {
				return addressHealth(s, "u", bad.target()) == healthy
			})
			if st, _ := s.Status("u"); !st.Healthy || b.available.Load() != 200 {
				t.Fatalf("balancer %+v", st)
			}
		})
	}
}

func TestPassiveHealthChecks(t *testing.T) {
	hc := map[string]any{"passive": map[string]any{
		"unhealthy": map[string]any{"http_failures": int64(3), "tcp_failures": int64(2), "timeouts": int64(2)},
	}}
	tests := []struct {
		name    string
		outcome Outcome
		times   int
	}{
		{"http statuses", Outcome{Status: 500}, 3},
		{"tcp failures", Outcome{Failure: FailureTCP}, 2},
		{"timeouts", Outcome{Failure: FailureTimeout}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSet(t, nil)
			b := s.Get(upstream("u", "round-robin", hc, "10.0.0.1:80", "10.0.0.2:80"))
			bad := b.view.Load().addrs[0]
			for i := range tt.times {
				if h := addressHealth(s, "u", "10.0.0.1:80"); h != healthy {
					t.Fatalf("after %d failures: %s", i, h)
				}
				bad.inflight.Add(1)
				b.Report(bad, tt.outcome)
			}
			if h := addressHealth(s, "u", "10.0.0.1:80"); h != unhealthy {
				t.Fatalf("after %d failures: %s", tt.times, h)
			}
			counts := pickCounts(t, b, 20, nil)
			if counts["10.0.0.1:80"] != 0 {
				t.Fatalf("unhealthy target got traffic: %v", counts)
			}
			// Passive checks alone cannot bring it back: a manual call does.
			if err := s.SetTargetHealth("u", "10.0.0.1:80", "", true); err != nil {
				t.Fatal(err)
			}
			if counts := pickCounts(t, b, 20, nil); counts["10.0.0.1:80"] != 10 {
				t.Fatalf("recovered target got %v", counts)
			}
		})
	}
}

func TestManualHealth(t *testing.T) {
	s := newTestSet(t, nil)
	b := s.Get(upstream("u", "round-robin", map[string]any{"threshold": 50.0}, "10.0.0.1:80", "10.0.0.2:81"))
	tests := []struct {
		target, address string
		healthy         bool
		err             string
		balancer        bool // healthy after the call
	}{
		{"10.0.0.1:80", "", false, "", false}, // 50% available is not above 50
		{"10.0.0.1:80", "10.0.0.1:80", true, "", true},
		{"10.0.0.2:81", "10.0.0.2:81", false, "", false},
		{"10.0.0.2:81", "10.0.0.9:81", true, "address not found: 10.0.0.9:81", false},
		{"10.0.0.2:81", "nope", true, "invalid address: nope", false},
		{"10.0.0.2:81", "", true, "", true},
	}
	for _, tt := range tests {
		err := s.SetTargetHealth("u", tt.target, tt.address, tt.healthy)
		if got := errText(err); got != tt.err {
			t.Fatalf("%+v: error %q", tt, got)
		}
		if got := b.healthy(b.view.Load()); got != tt.balancer {
			t.Fatalf("%+v: balancer healthy %v", tt, got)
		}
		if _, err := b.Pick(0, nil); (err == nil) != tt.balancer {
			t.Fatalf("%+v: pick error %v", tt, err)
		}
	}
	if st, _ := s.Status("u"); st.ChecksInUse || !st.Healthy {
		t.Fatalf("checks off: %+v", st)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestActiveHTTPSChecks: https probes send https_sni and verify the
// certificate, unless https_verify_certificate is false, against
// lua_ssl_trusted_certificate only (the system store alone does not trust
// httptest's certificate).
func TestActiveHTTPSChecks(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok" || r.TLS == nil {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	system, err := x509.SystemCertPool()
	if err != nil {
		system = x509.NewCertPool()
	}
	trusted := x509.NewCertPool()
	trusted.AddCert(srv.Certificate())
	tests := []struct {
		name   string
		verify bool
		sni    string
		node   *runtime.NodeTLS
		want   string
	}{
		// httptest's certificate is for example.com and 127.0.0.1,
		// self-signed.
		{"verify off", false, "example.com", nil, healthy},
		{"nothing trusted", true, "example.com", nil, unhealthy},
		{"system store", true, "example.com", &runtime.NodeTLS{Trust: system, Depth: 1}, unhealthy},
		{"trusted", true, "example.com", &runtime.NodeTLS{Trust: trusted, Depth: 1}, healthy},
		{"other name", true, "other.test", &runtime.NodeTLS{Trust: trusted, Depth: 1}, unhealthy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := map[string]any{"active": map[string]any{
				"type": "https", "http_path": "/ok", "https_verify_certificate": tt.verify, "https_sni": tt.sni,
				"healthy":   map[string]any{"interval": 0.02, "successes": int64(1)},
				"unhealthy": map[string]any{"interval": 0.02, "tcp_failures": int64(1), "http_failures": int64(1)},
			}}
			s := newTestSet(t, nil)
			target := srv.Listener.Addr().String()
			u := upstream("u", "round-robin", hc, target)
			snap := snapshotWith(u, "http")
			snap.Node = tt.node
			s.Sync(snap)
			s.Get(u).view.Load().addrs[0].health.set(tt.want != healthy)
			eventually(t, tt.want, func() bool { return addressHealth(s, "u", target) == tt.want })
		})
	}
}
