package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testIssuer is a certificate and key that can sign others.
type testIssuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// issueCert returns a certificate for cn, valid for localhost and
// 127.0.0.1, signed by parent (self-signed when parent is nil).
func issueCert(t *testing.T, cn string, isCA bool, parent *testIssuer) testIssuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: isCA, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return testIssuer{c, key}
}

func (i testIssuer) certPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.cert.Raw}))
}

func (i testIssuer) keyPEM(t *testing.T) string {
	der, err := x509.MarshalPKCS8PrivateKey(i.key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// trustUpstream is an https upstream on 127.0.0.1 whose certificate chain
// leads to root through an intermediate CA, answering "hello <common name
// of the client certificate>" ("hello " without one, which it accepts).
func trustUpstream(t *testing.T, root testIssuer) *httptest.Server {
	mid := issueCert(t, "mid", true, &root)
	leaf := issueCert(t, "upstream", false, &mid)
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := ""
		if pc := r.TLS.PeerCertificates; len(pc) > 0 {
			cn = pc[0].Subject.CommonName
		}
		fmt.Fprintf(w, "hello %s", cn)
	}))
	clients := x509.NewCertPool()
	clients.AddCert(root.cert)
	up.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: clients,
		Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.cert.Raw, mid.cert.Raw}, PrivateKey: leaf.key}}}
	up.Config.ErrorLog = log.New(io.Discard, "", 0)
	up.StartTLS()
	t.Cleanup(up.Close)
	return up
}

// addService creates a service to url with extra fields and a route
// /<name>, and waits until the route serves.
func addService(t *testing.T, n *node, name, url string, extra map[string]any) {
	t.Helper()
	svc := map[string]any{"name": name, "url": url}
	for k, v := range extra {
		svc[k] = v
	}
	b, _ := json.Marshal(svc)
	mustAdmin(t, n, "POST", "/services", string(b), 201)
	mustAdmin(t, n, "POST", "/services/"+name+"/routes", `{"name": "`+name+`", "paths": ["/`+name+`"]}`, 201)
	eventually(t, 2*time.Second, "route /"+name, func() bool {
		status, _ := get(t, n.proxy+"/"+name)
		return status != 404
	})
}

// TestUpstreamTrustIsNginxs: a service with tls_verify and no
// ca_certificates trusts what nginx's proxy_ssl_trusted_certificate
// holds: nothing by default, not lua_ssl_trusted_certificate (which only
// Lua connections use), so Kong answers 502 and logs OpenSSL's error.
func TestUpstreamTrustIsNginxs(t *testing.T) {
	root := issueCert(t, "root", true, nil)
	up := trustUpstream(t, root)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, caFile, root.certPEM())
	var logs syncBuffer
	n := startLogged(t, map[string]string{"lua_ssl_trusted_certificate": "system," + caFile}, &logs)
	addService(t, n, "verified", up.URL, map[string]any{"tls_verify": true})
	addService(t, n, "unverified", up.URL, nil)
	if status, body := get(t, n.proxy+"/verified"); status != 502 || !strings.Contains(body, msgBadGateway) {
		t.Errorf("tls_verify: %d %q, want 502", status, body)
	}
	const want = "upstream SSL certificate verify error: (20:unable to get local issuer certificate)"
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, logs.String())
	}
	if status, body := get(t, n.proxy+"/unverified"); status != 200 || body != "hello " {
		t.Errorf("tls_verify unset: %d %q, want 200 (proxy_ssl_verify off)", status, body)
	}
}

// TestUpstreamTrustDirectives: nginx_proxy_proxy_ssl_verify and
// nginx_proxy_proxy_ssl_trusted_certificate verify services without
// tls_verify or ca_certificates, within proxy_ssl_verify_depth (1)
// unless tls_verify_depth says otherwise, matching the certificate
// against the upstream host (a target's, or the client's with
// preserve_host); client_ssl_cert is presented to upstreams
// unless the service names a client_certificate.
func TestUpstreamTrustDirectives(t *testing.T) {
	root := issueCert(t, "root", true, nil)
	up := trustUpstream(t, root)
	dir := t.TempDir()
	caFile, certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	writeFile(t, caFile, root.certPEM())
	nodeClient := issueCert(t, "node-client", false, &root)
	writeFile(t, certFile, nodeClient.certPEM())
	writeFile(t, keyFile, nodeClient.keyPEM(t))
	var logs syncBuffer
	n := startLogged(t, map[string]string{
		"nginx_proxy_proxy_ssl_verify": "on", "nginx_proxy_proxy_ssl_trusted_certificate": caFile,
		"client_ssl": "on", "client_ssl_cert": certFile, "client_ssl_cert_key": keyFile,
	}, &logs)
	svcClient := issueCert(t, "service-client", false, &root)
	b, _ := json.Marshal(map[string]any{"cert": svcClient.certPEM(), "key": svcClient.keyPEM(t)})
	cert := mustAdmin(t, n, "POST", "/certificates", string(b), 201)
	mustAdmin(t, n, "POST", "/upstreams", `{"name": "named-upstream"}`, 201)
	mustAdmin(t, n, "POST", "/upstreams/named-upstream/targets", `{"target": "`+up.Listener.Addr().String()+`"}`, 201)

	addService(t, n, "node", up.URL, nil)
	addService(t, n, "own", up.URL, map[string]any{"client_certificate": map[string]any{"id": cert["id"]}})
	addService(t, n, "shallow", up.URL, map[string]any{"tls_verify_depth": 0})
	addService(t, n, "upstream", "https://named-upstream", nil)
	addService(t, n, "preserved", up.URL, nil)
	mustAdmin(t, n, "PATCH", "/routes/preserved", `{"preserve_host": true}`, 200)
	addService(t, n, "off", up.URL, map[string]any{"tls_verify": false})
	for path, want := range map[string]struct {
		status int
		body   string
	}{
		"/node":      {200, "hello node-client"},
		"/own":       {200, "hello service-client"},
		"/shallow":   {502, msgBadGateway},
		"/upstream":  {200, "hello node-client"},
		"/preserved": {502, msgBadGateway},
		"/off":       {200, "hello node-client"},
	} {
		req, _ := http.NewRequest("GET", n.proxy+path, nil)
		req.Host = "other.test" // the server name of the preserved host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		status, body := res.StatusCode, string(b)
		if status != want.status || !strings.Contains(body, want.body) {
			t.Errorf("%s: %d %q, want %d %q", path, status, body, want.status, want.body)
		}
	}
	for _, want := range []string{
		"upstream SSL certificate verify error: (22:certificate chain too long)",
		`upstream SSL certificate does not match \"other.test\"`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s", want)
		}
	}
}

// TestHealthCheckTrust: https active probes verify the target with
// lua_ssl_trusted_certificate, where nginx's proxy directives play no
// part: "system" alone does not trust a private CA, its file does.
func TestHealthCheckTrust(t *testing.T) {
	root := issueCert(t, "root", true, nil)
	up := trustUpstream(t, root)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, caFile, root.certPEM())
	checks := `{"name": "checked", "healthchecks": {"active": {"type": "https", "http_path": "/",
		"healthy": {"interval": 0.05, "successes": 1},
		"unhealthy": {"interval": 0.05, "tcp_failures": 1, "http_failures": 1}}}}`
	target := up.Listener.Addr().String()
	health := func(n *node) string {
		_, _, b := call(t, "GET", n.admin+"/upstreams/checked/health", "", "")
		var out struct {
			Data []struct{ Health string } `json:"data"`
		}
		_ = json.Unmarshal(b, &out)
		if len(out.Data) == 0 {
			return ""
		}
		return out.Data[0].Health
	}
	for _, tc := range []struct {
		trusted, want string
	}{
		{"system", "UNHEALTHY"},
		{"system," + caFile, "HEALTHY"},
	} {
		n := start(t, map[string]string{"lua_ssl_trusted_certificate": tc.trusted,
			"nginx_proxy_proxy_ssl_verify": "on", "nginx_proxy_proxy_ssl_trusted_certificate": caFile})
		mustAdmin(t, n, "POST", "/upstreams", checks, 201)
		mustAdmin(t, n, "POST", "/upstreams/checked/targets", `{"target": "`+target+`"}`, 201)
		if tc.want == "HEALTHY" { // it starts healthy: make it earn it
			eventually(t, 2*time.Second, "the target", func() bool { return health(n) != "" })
			if status, _, b := call(t, "PUT", n.admin+"/upstreams/checked/targets/"+target+"/unhealthy", "", ""); status != 204 {
				t.Fatalf("PUT unhealthy: %d %s", status, b)
			}
		}
		eventually(t, 5*time.Second, tc.trusted+": "+tc.want, func() bool { return health(n) == tc.want })
	}
}
