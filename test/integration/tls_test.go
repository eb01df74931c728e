package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/gateway"
)

// servedCN is the common name of the certificate a TLS listener at addr
// serves for serverName, and the protocol ALPN agreed on.
func servedCN(t *testing.T, addr, serverName string) (cn, proto string) {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: serverName, InsecureSkipVerify: true,
		NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatalf("handshake %s with SNI %q: %v", addr, serverName, err)
	}
	defer c.Close()
	st := c.ConnectionState()
	return st.PeerCertificates[0].Subject.CommonName, st.NegotiatedProtocol
}

func certificateBody(t *testing.T, name string, snis ...string) string {
	t.Helper()
	cert, key := selfSigned(t, name)
	b, _ := json.Marshal(map[string]any{"cert": cert, "key": key, "snis": snis})
	return string(b)
}

// TestTLSCertificateBySNI: proxy TLS listeners serve the certificate whose
// SNI matches the client's server name (exact, then wildcard), else the
// default; a certificate updated through the Admin API is served on the
// next handshake; ALPN offers h2 only on a listener with http2.
func TestTLSCertificateBySNI(t *testing.T) {
	n := start(t, map[string]string{"proxy_listen": "127.0.0.1:0, 127.0.0.1:0 ssl http2, 127.0.0.1:0 ssl"})
	addrs := n.g.Addrs()["proxy"]
	h2, plain := addrs[1], addrs[2]
	mustAdmin(t, n, "POST", "/certificates", certificateBody(t, "exact", "a.example.com"), 201)
	mustAdmin(t, n, "POST", "/certificates", certificateBody(t, "wild", "*.example.com"), 201)
	cert := mustAdmin(t, n, "POST", "/certificates", certificateBody(t, "suffix", "example.*"), 201)
	eventually(t, 2*time.Second, "the certificates in the snapshot", func() bool {
		cn, _ := servedCN(t, plain, "example.org")
		return cn == "suffix"
	})
	for sni, want := range map[string]string{
		"a.example.com": "exact", "b.example.com": "wild", "example.net": "suffix",
		"other.test": "localhost", "": "localhost",
	} {
		if cn, _ := servedCN(t, plain, sni); cn != want {
			t.Errorf("SNI %q: certificate %q, want %q", sni, cn, want)
		}
	}
	if _, proto := servedCN(t, h2, "a.example.com"); proto != "h2" {
		t.Errorf("http2 listener: ALPN %q, want h2", proto)
	}
	if _, proto := servedCN(t, plain, "a.example.com"); proto != "http/1.1" {
		t.Errorf("listener without http2: ALPN %q, want http/1.1", proto)
	}
	certPEM, keyPEM := selfSigned(t, "updated")
	b, _ := json.Marshal(map[string]any{"cert": certPEM, "key": keyPEM})
	mustAdmin(t, n, "PATCH", "/certificates/"+cert["id"].(string), string(b), 200)
	eventually(t, 2*time.Second, "the updated certificate", func() bool {
		cn, _ := servedCN(t, plain, "example.net")
		return cn == "updated"
	})
}

// TestTLSDefaultCertificateFiles: ssl_cert/ssl_cert_key and
// admin_ssl_cert/admin_ssl_cert_key are the listeners' default
// certificates, and TLS versions follow ssl_cipher_suite.
func TestTLSDefaultCertificateFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) (string, string) {
		c, k := selfSigned(t, name)
		cp, kp := dir+"/"+name+".crt", dir+"/"+name+".key"
		writeFile(t, cp, c)
		writeFile(t, kp, k)
		return cp, kp
	}
	pc, pk := write("proxy-default")
	ac, ak := write("admin-default")
	n := start(t, map[string]string{
		"proxy_listen": "127.0.0.1:0 ssl", "ssl_cert": pc, "ssl_cert_key": pk,
		"admin_listen": "127.0.0.1:0 ssl", "admin_ssl_cert": ac, "admin_ssl_cert_key": ak,
		"ssl_cipher_suite": "modern",
	})
	if cn, _ := servedCN(t, n.g.Addrs()["proxy"][0], "x.test"); cn != "proxy-default" {
		t.Errorf("proxy default certificate %q", cn)
	}
	if cn, _ := servedCN(t, n.g.Addrs()["admin"][0], "x.test"); cn != "admin-default" {
		t.Errorf("admin certificate %q", cn)
	}
	_, err := tls.Dial("tcp", n.g.Addrs()["proxy"][0], &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	if err == nil {
		t.Error("modern cipher suite accepted TLS 1.2")
	}
	roots := x509.NewCertPool()
	roots.AddCert(certificateFile(t, ac))
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "admin-default"}}}
	res, err := cl.Get("https://" + n.g.Addrs()["admin"][0] + "/status")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("admin over TLS: %d", res.StatusCode)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// certificateFile parses the certificate in the PEM file at path.
func certificateFile(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startLogged is start with the node's debug log written to w.
func startLogged(t *testing.T, overrides map[string]string, w io.Writer) *node {
	t.Helper()
	props := map[string]string{"prefix": t.TempDir(), "proxy_listen": "127.0.0.1:0",
		"admin_listen": "127.0.0.1:0", "status_listen": "127.0.0.1:0", "log_level": "debug"}
	maps.Copy(props, overrides)
	cfg, err := conf.LoadOverrides("", nil, props)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gateway.New(cfg, slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = g.Shutdown(ctx)
	})
	a := g.Addrs()
	return &node{g: g, proxy: "http://" + a["proxy"][0], admin: "http://" + a["admin"][0], statusBase: "http://" + a["status"][0]}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestUpstreamTLS: https services present their client_certificate to an
// upstream that requires one, verify it with tls_verify and the
// ca_certificates they name (Kong's 502 when verification fails), and no
// key reaches the log.
func TestUpstreamTLS(t *testing.T) {
	clientCert, clientKey := selfSigned(t, "kong-client")
	clientPool := x509.NewCertPool()
	clientPool.AppendCertsFromPEM([]byte(clientCert))
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	up.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientPool}
	up.Config.ErrorLog = log.New(io.Discard, "", 0)
	up.StartTLS()
	t.Cleanup(up.Close)
	upCA := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}))

	var logs syncBuffer
	n := startLogged(t, nil, &logs)
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	cert := mustAdmin(t, n, "POST", "/certificates", js(map[string]any{"cert": clientCert, "key": clientKey}), 201)
	ca := mustAdmin(t, n, "POST", "/ca_certificates", js(map[string]any{"cert": upCA}), 201)
	for name, svc := range map[string]map[string]any{
		"mtls":       {"client_certificate": map[string]any{"id": cert["id"]}},
		"noclient":   {},
		"verified":   {"client_certificate": map[string]any{"id": cert["id"]}, "tls_verify": true, "ca_certificates": []any{ca["id"]}},
		"unverified": {"client_certificate": map[string]any{"id": cert["id"]}, "tls_verify": true},
	} {
		svc["name"], svc["url"] = name, up.URL
		mustAdmin(t, n, "POST", "/services", js(svc), 201)
		mustAdmin(t, n, "POST", "/services/"+name+"/routes", js(map[string]any{"paths": []string{"/" + name}}), 201)
	}
	// An upstream entity's client_certificate serves services without one.
	mustAdmin(t, n, "POST", "/upstreams", js(map[string]any{"name": "tls-upstream",
		"client_certificate": map[string]any{"id": cert["id"]}}), 201)
	mustAdmin(t, n, "POST", "/upstreams/tls-upstream/targets", js(map[string]any{"target": up.Listener.Addr().String()}), 201)
	mustAdmin(t, n, "POST", "/services", js(map[string]any{"name": "viaupstream", "url": "https://tls-upstream"}), 201)
	mustAdmin(t, n, "POST", "/services/viaupstream/routes", js(map[string]any{"paths": []string{"/viaupstream"}}), 201)
	eventually(t, 2*time.Second, "the routes", func() bool {
		status, _ := get(t, n.proxy+"/viaupstream")
		return status != 404
	})
	for path, want := range map[string]struct {
		status int
		body   string
	}{
		"/mtls":        {200, "hello kong-client"},
		"/viaupstream": {200, "hello kong-client"},
		"/verified":    {200, "hello kong-client"},
		"/noclient":    {502, msgBadGateway},
		"/unverified":  {502, msgBadGateway},
	} {
		status, body := get(t, n.proxy+path)
		if status != want.status || !strings.Contains(body, want.body) {
			t.Errorf("%s: %d %q, want %d %q", path, status, body, want.status, want.body)
		}
	}
	keyLine := strings.Split(strings.TrimSpace(clientKey), "\n")[1]
	if strings.Contains(logs.String(), keyLine) || strings.Contains(logs.String(), "PRIVATE KEY") {
		t.Error("a private key reached the log")
	}
}

// msgBadGateway is Kong's message for a failed upstream exchange.
const msgBadGateway = "An invalid response was received from the upstream server"

// rsaSelfSigned returns a PEM RSA certificate and key for name.
func rsaSelfSigned(t *testing.T, name string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), DNSNames: []string{name}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// TestTLSCertAlt: of a certificate's ECDSA cert and RSA cert_alt, a client
// that only accepts RSA gets the RSA one, others the ECDSA one.
func TestTLSCertAlt(t *testing.T) {
	n := start(t, map[string]string{"proxy_listen": "127.0.0.1:0 ssl"})
	addr := n.g.Addrs()["proxy"][0]
	ec, ek := selfSigned(t, "ecdsa")
	rc, rk := rsaSelfSigned(t, "rsa")
	b, _ := json.Marshal(map[string]any{"cert": ec, "key": ek, "cert_alt": rc, "key_alt": rk, "snis": []string{"alt.test"}})
	mustAdmin(t, n, "POST", "/certificates", string(b), 201)
	eventually(t, 2*time.Second, "the certificate", func() bool {
		cn, _ := servedCN(t, addr, "alt.test")
		return cn == "ecdsa"
	})
	c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "alt.test", InsecureSkipVerify: true,
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if cn := c.ConnectionState().PeerCertificates[0].Subject.CommonName; cn != "rsa" {
		t.Errorf("RSA-only client got %q", cn)
	}
	// The generated default is an ECDSA and an RSA pair, as Kong's.
	d, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "unknown.test", InsecureSkipVerify: true,
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
	if err != nil {
		t.Fatalf("RSA-only client, default certificate: %v", err)
	}
	defer d.Close()
	if alg := d.ConnectionState().PeerCertificates[0].PublicKeyAlgorithm; alg != x509.RSA {
		t.Errorf("RSA-only client got a %v default certificate", alg)
	}
}

// TestHTTPSRoute: a route with protocols ["https"] is proxied over a TLS
// listener with http2 (over HTTP/2) and answers plain HTTP with Kong's 426.
func TestHTTPSRoute(t *testing.T) {
	up := upstream(t, "secure")
	n := start(t, map[string]string{"proxy_listen": "127.0.0.1:0, 127.0.0.1:0 ssl http2"})
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	mustAdmin(t, n, "POST", "/services", js(map[string]any{"name": "s", "url": up.URL}), 201)
	mustAdmin(t, n, "POST", "/services/s/routes", js(map[string]any{"paths": []string{"/secure"}, "protocols": []string{"https"}}), 201)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: true}, Timeout: 5 * time.Second}
	tlsURL := "https://" + n.g.Addrs()["proxy"][1] + "/secure"
	eventually(t, 2*time.Second, "the https route", func() bool {
		res, err := client.Get(tlsURL)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 200 && res.ProtoMajor != 2 {
			t.Fatalf("proxied over %s, want HTTP/2", res.Proto)
		}
		return res.StatusCode == 200
	})
	status, body := get(t, n.proxy+"/secure")
	if status != 426 || !strings.Contains(body, "Please use HTTPS protocol") {
		t.Errorf("plain HTTP: %d %q", status, body)
	}
}
