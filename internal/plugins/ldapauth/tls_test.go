package ldapauth_test

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/testutil/ldaptest"
)

// TestTLS binds over LDAPS and StartTLS. slapd's self-signed certificate
// is not trusted here: verify_ldap_host makes the handshake fail, which
// Kong answers with 401. Talking TLS to the plain port is a failed
// handshake too; plain LDAP to the LDAPS port breaks the bind (500).
func TestTLS(t *testing.T) {
	s := ldaptest.Start(t, users)
	cases := []struct {
		name   string
		tls    bool // the LDAPS port
		config map[string]any
		status int
	}{
		{"ldaps", true, map[string]any{"ldaps": true}, 200},
		{"start_tls", false, map[string]any{"start_tls": true}, 200},
		{"ldaps verified", true, map[string]any{"ldaps": true, "verify_ldap_host": true}, 401},
		{"start_tls verified", false, map[string]any{"start_tls": true, "verify_ldap_host": true}, 401},
		{"ldaps to the plain port", false, map[string]any{"ldaps": true}, 401},
		{"plain to the ldaps port", true, nil, 500},
	}
	for _, c := range cases {
		port := s.Port
		if c.tls {
			port = s.TLSPort
		}
		e := plugintest.New(t, loaded)
		e.Plugin("ldap-auth", plugintest.On("route", e.Route(e.Service(), "/")), ldapConfig(port, c.config))
		handshakes := s.TLSSessions()
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {"ldap " + basic("einstein:password")}}})
		if res.StatusCode != c.status {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
		}
		if c.status == 200 && s.TLSSessions() != handshakes+1 {
			t.Errorf("%s: slapd saw no TLS session", c.name)
		}
	}
}

// trustedEnv gives the child process of TestVerifyLDAPHost the ports of
// the parent's slapd, as "<ldap port>,<ldaps port>".
const trustedEnv = "LDAPAUTH_TEST_TRUSTED_SLAPD"

// TestVerifyLDAPHost binds with verify_ldap_host to a server whose
// certificate is trusted (the system's trust store, here SSL_CERT_FILE):
// in a child process, as Go reads the trust store once.
func TestVerifyLDAPHost(t *testing.T) {
	if ports := os.Getenv(trustedEnv); ports != "" {
		verifiedBinds(t, ports)
		return
	}
	s := ldaptest.Start(t, users)
	pem, err := ldaptest.CertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestVerifyLDAPHost$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d,%d", trustedEnv, s.Port, s.TLSPort),
		"SSL_CERT_FILE="+file, "SSL_CERT_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verified binds: 4") {
		t.Errorf("child process: %v\n%s", err, out)
	}
}

// verifiedBinds binds over LDAPS and StartTLS, by IP address and by
// name, with verify_ldap_host.
func verifiedBinds(t *testing.T, ports string) {
	var port, tlsPort int
	if _, err := fmt.Sscanf(ports, "%d,%d", &port, &tlsPort); err != nil {
		t.Fatalf("%s=%q: %v", trustedEnv, ports, err)
	}
	n := 0
	for _, host := range []string{ldaptest.Host, "localhost"} {
		for _, c := range []struct {
			port   int
			config map[string]any
		}{
			{tlsPort, map[string]any{"ldaps": true}},
			{port, map[string]any{"start_tls": true}},
		} {
			c.config["verify_ldap_host"] = true
			c.config["ldap_host"] = host
			e := plugintest.New(t, loaded)
			e.Plugin("ldap-auth", plugintest.On("route", e.Route(e.Service(), "/")), ldapConfig(c.port, c.config))
			res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {"ldap " + basic("einstein:password")}}})
			if res.StatusCode != 200 {
				t.Errorf("%s %v: %d %q\n%s", host, c.config, res.StatusCode, body, e.Logs)
				continue
			}
			n++
		}
	}
	t.Logf("verified binds: %d", n)
}

// TestVerifyLDAPHostNodeTrust: verify_ldap_host checks the server against
// the node's lua_ssl_trusted_certificate (runtime.NodeTLS.Trust), as Kong's
// Lua sockets do: trusted with slapd's certificate in it, refused without.
func TestVerifyLDAPHostNodeTrust(t *testing.T) {
	s := ldaptest.Start(t, users)
	pem, err := ldaptest.CertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	withCert := x509.NewCertPool()
	if !withCert.AppendCertsFromPEM(pem) {
		t.Fatal("slapd's certificate does not parse")
	}
	for _, c := range []struct {
		name   string
		trust  *x509.CertPool
		status int
	}{ // refused first: a verified connection is pooled, per server, for the next
		{"not trusted", x509.NewCertPool(), 401}, {"trusted", withCert, 200}} {
		e := plugintest.New(t, loaded)
		e.Holder.SetNodeTLS(&runtime.NodeTLS{Trust: c.trust, Depth: 1})
		e.Plugin("ldap-auth", plugintest.On("route", e.Route(e.Service(), "/")),
			ldapConfig(s.TLSPort, map[string]any{"ldaps": true, "verify_ldap_host": true, "ldap_host": "localhost"}))
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {"ldap " + basic("einstein:password")}}})
		if res.StatusCode != c.status {
			t.Errorf("%s: %d %q\n%s", c.name, res.StatusCode, body, e.Logs)
		}
	}
}
