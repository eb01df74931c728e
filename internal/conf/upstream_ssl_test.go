package conf

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUpstreamTLSProperties: the properties of the gateway's outgoing TLS,
// from kong.conf and from KONG_* variables (which win): the Lua trust
// store and depth, the node's client certificate, and the injected
// proxy_ssl_* directives of each module, innermost block first.
func TestUpstreamTLSProperties(t *testing.T) {
	t.Parallel()
	certPEM, err := os.ReadFile(testCert)
	if err != nil {
		t.Fatal(err)
	}
	absCert, _ := filepath.Abs(testCert)
	absKey, _ := filepath.Abs(testKey)
	type want struct {
		trusted                  []string
		depth                    int
		clientSSL                bool
		clientCert, clientKey    string
		proxy, grpc, streamProxy UpstreamSSL
	}
	defaults := want{trusted: []string{"system"}, depth: 1,
		proxy: UpstreamSSL{VerifyDepth: 1}, grpc: UpstreamSSL{VerifyDepth: 1}, streamProxy: UpstreamSSL{VerifyDepth: 1}}
	with := func(f func(*want)) want { w := defaults; f(&w); return w }
	for _, tc := range []struct {
		name string
		file string   // kong.conf content
		env  []string // KONG_* variables
		want want
	}{
		{name: "defaults", want: defaults},
		{name: "trusted files and system from the file",
			file: "lua_ssl_trusted_certificate = system, " + testCert + "\nlua_ssl_verify_depth = 3\n",
			want: with(func(w *want) { w.trusted, w.depth = []string{"system", absCert}, 3 })},
		{name: "environment wins",
			file: "lua_ssl_trusted_certificate = system\n",
			env:  []string{"KONG_LUA_SSL_TRUSTED_CERTIFICATE=" + testCert, "KONG_LUA_SSL_VERIFY_DEPTH=2"},
			want: with(func(w *want) { w.trusted, w.depth = []string{absCert}, 2 })},
		{name: "trusted base64 PEM",
			env:  []string{"KONG_LUA_SSL_TRUSTED_CERTIFICATE=" + base64.StdEncoding.EncodeToString(certPEM)},
			want: with(func(w *want) { w.trusted = []string{string(certPEM)} })},
		{name: "client certificate",
			file: "client_ssl = on\nclient_ssl_cert = " + testCert + "\n",
			env:  []string{"KONG_CLIENT_SSL_CERT_KEY=" + testKey},
			want: with(func(w *want) { w.clientSSL, w.clientCert, w.clientKey = true, absCert, absKey })},
		{name: "proxy directives",
			file: "nginx_http_proxy_ssl_verify = on\nnginx_http_proxy_ssl_trusted_certificate = /etc/ca.pem\n" +
				"nginx_proxy_proxy_ssl_verify_depth = 4\n",
			want: with(func(w *want) { w.proxy = UpstreamSSL{Verify: true, TrustedCertificate: "/etc/ca.pem", VerifyDepth: 4} })},
		{name: "innermost block wins",
			file: "nginx_http_proxy_ssl_verify = on\nnginx_http_proxy_ssl_trusted_certificate = /etc/ca.pem\n",
			env:  []string{"KONG_NGINX_LOCATION_PROXY_SSL_VERIFY=off", "KONG_NGINX_PROXY_PROXY_SSL_TRUSTED_CERTIFICATE=ca.pem"},
			want: with(func(w *want) { w.proxy = UpstreamSSL{TrustedCertificate: "/usr/local/kong/ca.pem", VerifyDepth: 1} })},
		{name: "grpc and stream directives",
			file: "nginx_proxy_grpc_ssl_verify = on\nnginx_http_grpc_ssl_trusted_certificate = /g.pem\n" +
				"nginx_stream_proxy_ssl_verify = on\nnginx_sproxy_proxy_ssl_trusted_certificate = /s.pem\nnginx_sproxy_proxy_ssl_verify_depth = 0\n",
			want: with(func(w *want) {
				w.grpc = UpstreamSSL{Verify: true, TrustedCertificate: "/g.pem", VerifyDepth: 1}
				w.streamProxy = UpstreamSSL{Verify: true, TrustedCertificate: "/s.pem", VerifyDepth: 0}
			})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kong.conf")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			got := want{c.LuaSSLTrustedCertificate, c.LuaSSLVerifyDepth, c.ClientSSL, c.ClientSSLCert, c.ClientSSLCertKey,
				c.ProxySSL, c.GRPCSSL, c.StreamProxySSL}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestUpstreamTLSPropertyErrors: nginx's errors for the injected
// directives, Kong's for the others.
func TestUpstreamTLSPropertyErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"nginx_proxy_proxy_ssl_verify": "yes"},
			`nginx_proxy_proxy_ssl_verify: invalid value "yes" in "proxy_ssl_verify" directive, it must be "on" or "off"`},
		{map[string]string{"nginx_proxy_proxy_ssl_verify": "on"}, "no proxy_ssl_trusted_certificate for proxy_ssl_verify"},
		{map[string]string{"nginx_http_grpc_ssl_verify": "on"}, "no grpc_ssl_trusted_certificate for grpc_ssl_verify"},
		{map[string]string{"nginx_sproxy_proxy_ssl_verify_depth": "-1"},
			`nginx_sproxy_proxy_ssl_verify_depth: invalid number "-1" in "proxy_ssl_verify_depth" directive`},
		{map[string]string{"lua_ssl_trusted_certificate": "/no/such/ca.pem"},
			"lua_ssl_trusted_certificate: failed loading certificate from /no/such/ca.pem"},
		{map[string]string{"lua_ssl_verify_depth": "deep"}, "lua_ssl_verify_depth is not a number: 'deep'"},
		{map[string]string{"client_ssl": "on", "client_ssl_cert": testCert}, "client_ssl_cert_key must be specified"},
	} {
		_, err := LoadOverrides("", nil, tc.props)
		if err == nil || !slices.Contains(strings.Split(err.Error(), "\n"), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.props, err, tc.want)
		}
	}
}
