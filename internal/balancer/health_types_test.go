package balancer

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// snapshotWith is a snapshot holding u and, unless protocol is "", a
// service of that protocol whose host is u's name.
func snapshotWith(u *runtime.Upstream, protocol string) *runtime.Snapshot {
	snap := &runtime.Snapshot{Upstreams: map[string]*runtime.Upstream{u.Name: u}, Services: map[string]*entities.Service{}}
	if protocol != "" {
		snap.Services["svc"] = &entities.Service{ID: "svc", Host: u.Name, Protocol: protocol}
	}
	return snap
}

// rawServer is a TCP server on 127.0.0.1 that counts connections, sends
// each request head it reads on heads, and answers reply (nothing when
// reply is "") without closing until the client does.
type rawServer struct {
	net.Listener
	conns atomic.Int64
	heads chan string
}

func newRawServer(t *testing.T, reply string) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{Listener: ln, heads: make(chan string, 64)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				var head strings.Builder
				for {
					line, err := br.ReadString('\n')
					head.WriteString(line)
					if err != nil || line == "\r\n" {
						break
					}
				}
				select {
				case s.heads <- head.String():
				default:
				}
				if reply != "" {
					c.Write([]byte(reply))
				}
				_, _ = br.ReadByte() // until the prober closes
			}()
		}
	}()
	return s
}

func (s *rawServer) target() string { return s.Addr().String() }

// activeRecord is an active healthchecks record of typ probing every 20 ms,
// one event of each kind changing the state.
func activeRecord(typ string) map[string]any {
	return map[string]any{"active": map[string]any{
		"type": typ, "timeout": 0.5, "http_path": "/status",
		"healthy": map[string]any{"interval": 0.02, "successes": int64(1)},
		"unhealthy": map[string]any{"interval": 0.02, "http_failures": int64(1), "tcp_failures": int64(1),
			"timeouts": int64(1)},
	}}
}

// TestActiveCheckTypes: Kong's http subsystem does not probe with tcp,
// its stream subsystem does; lua-resty-healthcheck refuses grpc and
// grpcs, so nothing probes with them.
func TestActiveCheckTypes(t *testing.T) {
	for _, tc := range []struct {
		typ, protocol string
		probed        bool
	}{
		{"tcp", "http", false},
		{"tcp", "", false},
		{"tcp", "tcp", true},
		{"tcp", "tls_passthrough", true},
		{"http", "http", true},
		{"http", "tcp", true},
		{"grpc", "grpc", false},
		{"grpcs", "grpcs", false},
	} {
		t.Run(tc.typ+" used by "+tc.protocol, func(t *testing.T) {
			srv := newRawServer(t, "HTTP/1.1 200 OK\r\n\r\n")
			s := newTestSet(t, nil)
			s.Sync(snapshotWith(upstream("u", "round-robin", activeRecord(tc.typ), srv.target()), tc.protocol))
			if tc.probed {
				eventually(t, "a probe", func() bool { return srv.conns.Load() > 0 })
				return
			}
			time.Sleep(150 * time.Millisecond) // seven intervals
			if n := srv.conns.Load(); n != 0 {
				t.Errorf("%d probes", n)
			}
		})
	}
}

// TestActiveCheckGRPCLogged: the refused type is logged as Kong's
// checker creation error.
func TestActiveCheckGRPCLogged(t *testing.T) {
	logs := make(chan string, 16)
	s := NewSet(Options{Logger: slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		logs <- string(p)
		return len(p), nil
	}), nil))})
	t.Cleanup(func() { s.Close() })
	s.Get(upstream("u", "round-robin", activeRecord("grpcs"), "127.0.0.1:1"))
	select {
	case line := <-logs:
		if want := "checks.active.type can only be 'http', 'https' or 'tcp', got 'grpcs'"; !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing logged")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestActiveProbeRequest: lua-resty-healthcheck's request (HTTP/1.0, the
// headers, Host from host_header or the target), and only the status
// line of the answer read: a status in neither list is ignored, one that
// does not parse is an http failure.
func TestActiveProbeRequest(t *testing.T) {
	for _, tc := range []struct {
		name, reply, hostHeader, want string
	}{
		{"healthy status, nothing more", "HTTP/1.1 302 Found\r\n", "", healthy},
		{"unhealthy status", "http/1.0 503 Unavailable\r\n\r\n", "", unhealthy},
		{"not a status line", "SSH-2.0-OpenSSH\r\n", "", unhealthy},
		{"ignored status", "HTTP/1.1 418 Teapot\r\n\r\n", "", "ignored"},
		{"host_header", "HTTP/1.1 200 OK\r\n\r\n", "api.test", healthy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRawServer(t, tc.reply)
			hc := activeRecord("http")
			hc["active"].(map[string]any)["headers"] = map[string]any{"X-Probe": []any{"a", "b"}}
			u := upstream("u", "round-robin", hc, srv.target())
			u.HostHeader = tc.hostHeader
			s := newTestSet(t, nil)
			s.Sync(snapshotWith(u, "http"))
			b := s.Get(u)
			var head string
			select {
			case head = <-srv.heads:
			case <-time.After(5 * time.Second):
				t.Fatal("no probe")
			}
			host := "127.0.0.1"
			if tc.hostHeader != "" {
				host = tc.hostHeader
			}
			lines := strings.Split(head, "\r\n")
			if lines[0] != "GET /status HTTP/1.0" || !strings.Contains(head, "\r\nX-Probe: a\r\nX-Probe: b\r\n") ||
				!strings.HasSuffix(head, "\r\nHost: "+host+"\r\n\r\n") || len(lines) != 6 {
				t.Errorf("request head %q", head)
			}
			if tc.want == "ignored" {
				// the address starts healthy and stays so; a forced
				// unhealthy state stays too
				b.view.Load().addrs[0].health.set(false)
				time.Sleep(100 * time.Millisecond)
				if h := addressHealth(s, "u", srv.target()); h != unhealthy {
					t.Errorf("ignored status changed the health to %s", h)
				}
				return
			}
			b.view.Load().addrs[0].health.set(tc.want != healthy)
			eventually(t, tc.want, func() bool { return addressHealth(s, "u", srv.target()) == tc.want })
		})
	}
}

// TestActiveHTTPSClientCertificate: https probes present the upstream's
// client_certificate, else the node's client_ssl_cert.
func TestActiveHTTPSClientCertificate(t *testing.T) {
	serverCert, serverKey := selfSignedCert(t, "server")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{ClientAuth: tls.RequireAnyClientCert,
		Certificates: []tls.Certificate{{Certificate: [][]byte{serverCert.Raw}, PrivateKey: serverKey}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	clients := make(chan string, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := c.(*tls.Conn)
				if tc.Handshake() != nil {
					return
				}
				select {
				case clients <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName:
				default:
				}
				_, _ = bufio.NewReader(tc).ReadString('\n')
				tc.Write([]byte("HTTP/1.1 200 OK\r\n\r\n"))
			}()
		}
	}()
	nodeCert, nodeKey := selfSignedCert(t, "node-client")
	upCert, upKey := selfSignedCert(t, "upstream-client")
	keyDER, _ := x509.MarshalECPrivateKey(upKey)
	node := &runtime.NodeTLS{ClientCert: &tls.Certificate{Certificate: [][]byte{nodeCert.Raw}, PrivateKey: nodeKey}}
	for _, tc := range []struct{ upstreamCert, want string }{{"", "node-client"}, {"up-cert", "upstream-client"}} {
		hc := activeRecord("https")
		hc["active"].(map[string]any)["https_verify_certificate"] = false
		u := upstream("u", "round-robin", hc, ln.Addr().String())
		u.ClientCertID = tc.upstreamCert
		snap := snapshotWith(u, "https")
		snap.Node = node
		snap.TLS = &runtime.TLS{Certificates: map[string]*entities.Certificate{"up-cert": {ID: "up-cert",
			Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: upCert.Raw})),
			Key:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))}}}
		s := newTestSet(t, nil)
		s.Sync(snap)
		select {
		case got := <-clients:
			if got != tc.want {
				t.Errorf("client certificate %q, want %q", got, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no probe")
		}
		s.Close()
		for len(clients) > 0 {
			<-clients
		}
	}
}

// selfSignedCert is a certificate for cn and its key.
func selfSignedCert(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{cn}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}
