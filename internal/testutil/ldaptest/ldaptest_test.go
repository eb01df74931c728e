package ldaptest_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strconv"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/silverback-gw/silverback/internal/testutil/ldaptest"
)

// TestServer binds against the server over ldap://, StartTLS and
// ldaps:// (verifying the certificate), counts the binds, and checks
// that Stop and Restart take it down and up again with its data.
func TestServer(t *testing.T) {
	s := ldaptest.Start(t, map[string]string{"einstein": "password"})
	certPEM, err := ldaptest.CertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	tlsConfig := &tls.Config{RootCAs: roots, ServerName: ldaptest.Host}
	addr := func(port int) string { return net.JoinHostPort(ldaptest.Host, strconv.Itoa(port)) }
	dial := map[string]func() (*ldap.Conn, error){
		"plain": func() (*ldap.Conn, error) { return ldap.DialURL(s.URL()) },
		"starttls": func() (*ldap.Conn, error) {
			c, err := ldap.DialURL(s.URL())
			if err == nil {
				err = c.StartTLS(tlsConfig)
			}
			return c, err
		},
		"ldaps": func() (*ldap.Conn, error) {
			return ldap.DialURL("ldaps://"+addr(s.TLSPort), ldap.DialWithTLSConfig(tlsConfig))
		},
	}
	dn := s.UserDN("einstein")
	for name, d := range dial {
		c, err := d()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.Bind(dn, "password"); err != nil {
			t.Errorf("%s: good password: %v", name, err)
		}
		if err := c.Bind(dn, "wrong"); !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			t.Errorf("%s: wrong password: %v", name, err)
		}
		c.Close()
	}
	if n := s.Binds(dn); n != 6 {
		t.Errorf("binds counted: %d, want 6", n)
	}

	s.Stop()
	if _, err := ldap.DialURL(s.URL()); err == nil {
		t.Fatal("slapd still answers after Stop")
	}
	s.Restart()
	c, err := ldap.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Bind(dn, "password"); err != nil {
		t.Errorf("after restart: %v", err)
	}
}
