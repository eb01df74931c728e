package integration

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"testing"
	"time"
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
