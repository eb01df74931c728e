package conf

import (
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	httpUsage   = " must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] [reuseport] [backlog=%d+] [ipv6only=on] [ipv6only=off] [so_keepalive=on] [so_keepalive=off] [so_keepalive=%w*:%w*:%d*], [... next entry ...]"
	debugUsage  = " must be of form: [off] | <ip>:<port>, [... next entry ...]"
	streamUsage = " must be of form: [off] | <ip>:<port> [udp] [ssl] [proxy_protocol] [bind] [reuseport] [backlog=%d+] [ipv6only=on] [ipv6only=off] [so_keepalive=on] [so_keepalive=off] [so_keepalive=%w*:%w*:%d*], [... next entry ...]"

	testCert = "testdata/certs/proxy.crt"
	testKey  = "testdata/certs/proxy.key"
)

// hybrid returns overrides for a hybrid mode node with valid certificates.
func hybrid(role string, more map[string]string) map[string]string {
	m := map[string]string{"role": role, "cluster_cert": testCert, "cluster_cert_key": testKey}
	if role == "data_plane" {
		m["database"] = "off"
	}
	for k, v := range more {
		m[k] = v
	}
	return m
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	certPEM, err := os.ReadFile(testCert)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		overrides map[string]string
		want      []string
	}{
		// types and enums
		{"enum", map[string]string{"log_level": "loud"},
			[]string{"log_level has an invalid value: 'loud' (debug, info, notice, warn, error, crit, alert, emerg)"}},
		{"database enum", map[string]string{"database": "mysql"},
			[]string{"database has an invalid value: 'mysql' (sqlite, postgres, cassandra, off)"}},
		{"unset enum", map[string]string{"database": ""},
			[]string{"database has an invalid value: 'nil' (sqlite, postgres, cassandra, off)"}},
		{"worker_consistency", map[string]string{"worker_consistency": "magical"},
			[]string{"worker_consistency has an invalid value: 'magical' (strict, eventual)"}},
		{"router_flavor", map[string]string{"router_flavor": "fast"},
			[]string{"router_flavor has an invalid value: 'fast' (traditional, traditional_compatible, expressions)"}},
		{"error_default_type", map[string]string{"error_default_type": "text/csv"},
			[]string{"error_default_type has an invalid value: 'text/csv' (application/json, application/xml, text/html, text/plain)"}},
		{"proxy_http1_engine", map[string]string{"proxy_http1_engine": "fasthttp"},
			[]string{"proxy_http1_engine has an invalid value: 'fasthttp' (native, nethttp)"}},
		{"role", map[string]string{"role": "edge"},
			[]string{"role has an invalid value: 'edge' (data_plane, control_plane, traditional)"}},
		{"cassandra", map[string]string{"database": "cassandra"},
			[]string{"Cassandra as a datastore for Kong is not supported in versions 3.4 and above. Please use Postgres."}},
		{"not a number", map[string]string{"pg_port": "abc"}, []string{"pg_port is not a number: 'abc'"}},
		{"inf is not a number", map[string]string{"db_cache_ttl": "inf"}, []string{"db_cache_ttl is not a number: 'inf'"}},
		{"not a size", map[string]string{"nginx_http_client_max_body_size": "10x"},
			[]string{"nginx_http_client_max_body_size is not a size: '10x'"}},
		{"prefix unset", map[string]string{"prefix": ""}, []string{"prefix must be specified"}},

		// headers, trusted_ips
		{"headers", map[string]string{"headers": "server_tokens,Foo-Bar"}, []string{"headers: invalid entry 'Foo-Bar'"}},
		{"headers OFF is not off", map[string]string{"headers": "OFF"}, []string{"headers: invalid entry 'OFF'"}},
		{"headers empty entry", map[string]string{"headers": "via,"}, []string{"headers: invalid entry ''"}},
		{"headers_upstream", map[string]string{"headers_upstream": "server"}, []string{"headers_upstream: invalid entry 'server'"}},
		{"trusted_ips", map[string]string{"trusted_ips": "10.0.0.1, abc, 1.2.3.4/33, fe80::1%eth0, 01.2.3.4"}, []string{
			"trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got 'abc'",
			"trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got '1.2.3.4/33'",
			"trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got 'fe80::1%eth0'",
			"trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got '01.2.3.4'",
		}},

		// limits
		{"lua_max_req_headers zero", map[string]string{"lua_max_req_headers": "0"},
			[]string{"lua_max_req_headers must be an integer between 1 and 1000"}},
		{"lua limits", map[string]string{"lua_max_resp_headers": "1001", "lua_max_uri_args": "1.5", "lua_max_post_args": "-1"}, []string{
			"lua_max_resp_headers must be an integer between 1 and 1000",
			"lua_max_uri_args must be an integer between 1 and 1000",
			"lua_max_post_args must be an integer between 1 and 1000",
		}},
		{"upstream keepalive", map[string]string{"upstream_keepalive_pool_size": "-1", "upstream_keepalive_max_requests": "-1", "upstream_keepalive_idle_timeout": "-1"}, []string{
			"upstream_keepalive_pool_size must be 0 or greater",
			"upstream_keepalive_max_requests must be 0 or greater",
			"upstream_keepalive_idle_timeout must be 0 or greater",
		}},
		{"cluster limits", map[string]string{"cluster_data_plane_purge_delay": "59", "cluster_max_payload": "4194303"}, []string{
			"cluster_data_plane_purge_delay must be 60 or greater",
			"cluster_max_payload must be 4194304 (4MB) or greater",
		}},
		{"postgres numbers", map[string]string{"pg_max_concurrent_queries": "-1", "pg_semaphore_timeout": "1.5", "pg_pool_size": "-0.5", "pg_ro_backlog": "-2"}, []string{
			"pg_max_concurrent_queries must be greater than 0",
			"pg_semaphore_timeout must be an integer greater than 0",
			"pg_pool_size must be greater than 0",
			"pg_pool_size must be an integer greater than 0",
			"pg_ro_backlog must be greater than 0",
		}},
		{"more postgres numbers", map[string]string{"pg_keepalive_timeout": "-1", "pg_backlog": "0.1", "pg_ro_max_concurrent_queries": "-1",
			"pg_ro_semaphore_timeout": "-1", "pg_ro_keepalive_timeout": "2.5", "pg_ro_pool_size": "-3"}, []string{
			"pg_keepalive_timeout must be greater than 0",
			"pg_backlog must be an integer greater than 0",
			"pg_ro_max_concurrent_queries must be greater than 0",
			"pg_ro_semaphore_timeout must be greater than 0",
			"pg_ro_keepalive_timeout must be an integer greater than 0",
			"pg_ro_pool_size must be greater than 0",
		}},
		{"worker_state_update_frequency", map[string]string{"worker_state_update_frequency": "0"},
			[]string{"worker_state_update_frequency must be greater than 0"}},
		{"node_id", map[string]string{"node_id": "foobar"}, []string{"node_id must be a valid UUID"}},
		{"port_maps", map[string]string{"port_maps": "80:8000, src:dst, 0:1"}, []string{
			"invalid port mapping (`port_maps`): src:dst",
			"invalid port mapping (`port_maps`): 0:1",
		}},

		// listeners
		{"listen without port", map[string]string{"admin_listen": "127.0.0.1"}, []string{"admin_listen" + httpUsage}},
		{"empty listen", map[string]string{"proxy_listen": ""}, []string{"proxy_listen" + httpUsage}},
		{"unknown flag", map[string]string{"status_listen": "127.0.0.1:8007 quic"}, []string{"status_listen" + httpUsage}},
		{"debug_listen takes no flags", map[string]string{"debug_listen": "127.0.0.1:8102 reuseport"}, []string{"debug_listen" + debugUsage}},
		{"debug_listen without port", map[string]string{"debug_listen": "localhost"}, []string{"debug_listen" + debugUsage}},
		{"stream flags", map[string]string{"stream_listen": "0.0.0.0:5555 http2"}, []string{"stream_listen" + streamUsage}},
		{"udp is stream only", map[string]string{"cluster_listen": "0.0.0.0:8005 udp"}, []string{"cluster_listen" + httpUsage}},
		{"admin_gui_listen", map[string]string{"admin_gui_listen": "[::1]"}, []string{"admin_gui_listen" + httpUsage}},

		// TLS
		{"ssl_cert_key missing", map[string]string{"ssl_cert": testCert}, []string{"ssl_cert_key must be specified"}},
		{"ssl_cert missing", map[string]string{"ssl_cert_key": testKey}, []string{"ssl_cert must be specified"}},
		{"ssl counts", map[string]string{"ssl_cert": testCert, "ssl_cert_key": testKey + "," + testKey},
			[]string{"ssl_cert was specified 1 times while ssl_cert_key was specified 2 times"}},
		{"ssl not loadable", map[string]string{"ssl_cert": "nope.crt", "ssl_cert_key": "/no/such.key"}, []string{
			"ssl_cert: failed loading certificate from nope.crt",
			"ssl_cert_key: failed loading key from /no/such.key",
		}},
		{"ssl checked for stream_listen", map[string]string{"proxy_listen": "off", "stream_listen": "0.0.0.0:9000 ssl", "ssl_cert": testCert},
			[]string{"ssl_cert_key must be specified"}},
		{"ssl not checked without ssl listener", map[string]string{"proxy_listen": "0.0.0.0:8000", "ssl_cert": "nope"}, nil},
		{"admin ssl", map[string]string{"admin_ssl_cert": testCert}, []string{"admin_ssl_cert_key must be specified"}},
		{"admin_gui ssl", map[string]string{"admin_gui_ssl_cert_key": testKey}, []string{"admin_gui_ssl_cert must be specified"}},
		{"existing files are not parsed", map[string]string{"status_listen": "127.0.0.1:8443 ssl", "status_ssl_cert": testKey, "status_ssl_cert_key": testCert}, nil},
		{"status ssl content", map[string]string{"status_listen": "127.0.0.1:8443 ssl", "status_ssl_cert": "x", "status_ssl_cert_key": string(certPEM)}, []string{
			"status_ssl_cert: failed loading certificate from x",
			"status_ssl_cert_key: failed loading key from " + strings.TrimSpace(string(certPEM)),
		}},
		{"base64 certificate accepted", map[string]string{
			"ssl_cert": base64.StdEncoding.EncodeToString(certPEM), "ssl_cert_key": testKey}, nil},
		{"client_ssl key missing", map[string]string{"client_ssl": "on", "client_ssl_cert": testCert},
			[]string{"client_ssl_cert_key must be specified"}},
		{"client_ssl cert missing", map[string]string{"client_ssl": "on", "client_ssl_cert_key": "bad.key"}, []string{
			"client_ssl_cert must be specified",
			"client_ssl_cert_key: failed loading key from bad.key",
		}},
		{"client_ssl bad cert", map[string]string{"client_ssl": "on", "client_ssl_cert": "bad.crt", "client_ssl_cert_key": testKey},
			[]string{"client_ssl_cert: failed loading certificate from bad.crt"}},
		{"client_ssl off is not checked", map[string]string{"client_ssl_cert": "bad"}, nil},
		{"cipher suite", map[string]string{"ssl_cipher_suite": "bogus"}, []string{"Undefined cipher suite bogus"}},
		{"cipher suite unset", map[string]string{"ssl_cipher_suite": ""}, []string{"Undefined cipher suite nil"}},
		{"ssl_dhparam", map[string]string{"ssl_cipher_suite": "custom", "ssl_dhparam": "bogus"},
			[]string{"ssl_dhparam: failed loading certificate from bogus"}},
		{"ssl_dhparam group", map[string]string{"ssl_cipher_suite": "custom", "ssl_dhparam": "ffdhe4096"}, nil},
		{"nginx dhparam", map[string]string{"ssl_cipher_suite": "old", "nginx_http_ssl_dhparam": "/no/dh.pem", "nginx_stream_ssl_dhparam": "ffdhe3072"},
			[]string{"nginx_http_ssl_dhparam: no such file at /no/dh.pem"}},
		{"lua_ssl_trusted_certificate", map[string]string{"lua_ssl_trusted_certificate": "system, " + testCert + ", junk.pem"},
			[]string{"lua_ssl_trusted_certificate: failed loading certificate from junk.pem"}},

		// admin_gui_path
		{"admin_gui_path no slash", map[string]string{"admin_gui_path": "manager"},
			[]string{"admin_gui_path must start with a slash ('/')"}},
		{"admin_gui_path trailing slash", map[string]string{"admin_gui_path": "/manager/"},
			[]string{"admin_gui_path must not end with a slash ('/')"}},
		{"admin_gui_path characters", map[string]string{"admin_gui_path": "with!invalid$characters"}, []string{
			"admin_gui_path must start with a slash ('/')",
			"admin_gui_path can only contain letters, digits, hyphens ('-'), underscores ('_'), and slashes ('/')",
		}},
		{"admin_gui_path slashes", map[string]string{"admin_gui_path": "/a//b"},
			[]string{"admin_gui_path must not contain continuous slashes ('/')"}},
		{"admin_gui_path ok", map[string]string{"admin_gui_path": "/kong/manager"}, nil},

		// DNS
		{"dns_resolver", map[string]string{"dns_resolver": "1.2.3.4:53;4.3.2.1, 198.51.100.0, 1.2.3.4:53, ::1, [::1]:53, dns.google"}, []string{
			"dns_resolver must be a comma separated list in the form of IPv4/6 or IPv4/6:port, got '1.2.3.4:53;4.3.2.1'",
			"dns_resolver must be a comma separated list in the form of IPv4/6 or IPv4/6:port, got 'dns.google'",
		}},
		{"resolver_address", map[string]string{"resolver_address": "[::1]:x"},
			[]string{"resolver_address must be a comma separated list in the form of IPv4/6 or IPv4/6:port, got '[::1]:x'"}},
		{"hosts files", map[string]string{"dns_hostsfile": "/a_file_that_does_not_exist", "resolver_hosts_file": "/"}, []string{
			"dns_hostsfile: file does not exist",
			"resolver_hosts_file: file does not exist",
		}},
		{"dns_order", map[string]string{"dns_order": "A,CXAME,srv"}, []string{"dns_order: invalid entry 'CXAME'"}},
		{"resolver_family", map[string]string{"resolver_family": "A,AAAX,SRV"}, []string{"resolver_family: invalid entry 'AAAX'"}},

		// proxy_server
		{"proxy_server scheme", map[string]string{"proxy_server": "example.test:3128"},
			[]string{`proxy_server only supports "http" and "https", got example.test`}},
		{"proxy_server no scheme", map[string]string{"proxy_server": "//example.test"}, []string{"proxy_server missing scheme"}},
		{"proxy_server no host", map[string]string{"proxy_server": "http://"}, []string{"proxy_server missing host"}},
		{"proxy_server query", map[string]string{"proxy_server": "http://example.test/?a=b"},
			[]string{"fragments, query strings or parameters are meaningless in proxy configuration"}},
		{"proxy_server invalid", map[string]string{"proxy_server": "http://[::1"},
			[]string{`proxy_server is invalid: parse "http://[::1": missing ']' in host`}},
		{"proxy_server ok", map[string]string{"proxy_server": "https://user:pass@proxy.test:3128"}, nil},

		// tracing, wasm, plugin servers
		{"tracing type", map[string]string{"tracing_instrumentations": "request,bogus"}, []string{"invalid tracing type: bogus"}},
		{"tracing off exclusive", map[string]string{"tracing_instrumentations": "off,router"},
			[]string{"invalid tracing types: off, other types are mutually exclusive"}},
		{"tracing rate", map[string]string{"tracing_sampling_rate": "1.5"}, []string{"tracing_sampling_rate must be between 0 and 1"}},
		{"wasm_filters_path", map[string]string{"wasm": "on", "wasm_filters_path": "/no/filters"},
			[]string{"wasm_filters_path '/no/filters' is not a valid directory"}},
		{"wasm off ignores the path", map[string]string{"wasm_filters_path": "/no/filters"}, nil},
		{"pluginserver", map[string]string{"pluginserver_names": "Go-Hello, ok", "pluginserver_ok_query_cmd": "/bin/ok -dump"},
			[]string{"query_command undefined for pluginserver go-hello"}},

		// hybrid mode
		{"hybrid without certificates", map[string]string{"role": "control_plane"},
			[]string{"cluster certificate and key must be provided to use Hybrid mode"}},
		{"hybrid bad certificates", hybrid("control_plane", map[string]string{"cluster_cert": "a", "cluster_cert_key": "b", "cluster_ca_cert": "c"}), []string{
			"cluster_cert: failed loading certificate from a",
			"cluster_cert_key: failed loading key from b",
			"cluster_ca_cert: failed loading certificate from c",
		}},
		{"control plane", hybrid("control_plane", map[string]string{"admin_listen": "off", "cluster_listen": "off",
			"database": "off", "cluster_mtls": "pki", "cluster_use_proxy": "on", "cluster_dp_labels": "a:b"}), []string{
			`admin_listen must be specified when role = "control_plane"`,
			`cluster_ca_cert must be specified when cluster_mtls = "pki"`,
			`cluster_listen must be specified when role = "control_plane"`,
			`in-memory storage can not be used when role = "control_plane"`,
			`cluster_use_proxy can not be used when role = "control_plane"`,
			`cluster_dp_labels can not be used when role = "control_plane"`,
		}},
		{"control plane ok", hybrid("control_plane", nil), nil},
		{"data plane", hybrid("data_plane", map[string]string{"proxy_listen": "off", "database": "sqlite", "cluster_use_proxy": "on"}), []string{
			`proxy_listen must be specified when role = "data_plane"`,
			"only in-memory storage can be used when role = \"data_plane\"\nHint: set database = off in your kong.conf",
			"cluster_use_proxy is turned on but no proxy_server is configured",
		}},
		{"data plane ok", hybrid("data_plane", map[string]string{"cluster_dp_labels": "region:eu-west,Tier:Gold_1"}), nil},
		{"labels outside data plane", map[string]string{"cluster_dp_labels": "a:b"},
			[]string{`cluster_dp_labels can only be used when role = "data_plane"`}},
		{"label count", hybrid("data_plane", map[string]string{"cluster_dp_labels": "a:1,b:1,c:1,d:1,e:1,f:1,g:1,h:1,i:1,j:1,k:1"}),
			[]string{"labels validation failed: count exceeded 10 max elements"}},
		{"label without colon", hybrid("data_plane", map[string]string{"cluster_dp_labels": "region"}),
			[]string{"label key validation failed:  must have between 1 and 63 characters"}},
		{"reserved label key", hybrid("data_plane", map[string]string{"cluster_dp_labels": "KongX:1"}), []string{
			"label key validation failed: KongX is invalid. Must match pattern: (?!kong)(?!konnect)(?!insomnia)(?!mesh)(?!kic)[a-z0-9]([\\w\\.:-]*[a-z0-9]|)$",
		}},
		{"bad label value", hybrid("data_plane", map[string]string{"cluster_dp_labels": "tier:gold-"}), []string{
			"label value validation failed: gold- is invalid. Must match pattern: [a-z0-9]([\\w\\.:-]*[a-z0-9]|)$",
		}},

		{"every error is reported", map[string]string{"log_level": "loud", "pg_port": "x", "headers": "nope", "admin_listen": "bad"}, []string{
			"pg_port is not a number: 'x'",
			"log_level has an invalid value: 'loud' (debug, info, notice, warn, error, crit, alert, emerg)",
			"admin_listen" + httpUsage,
			"headers: invalid entry 'nope'",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(sources{overrides: tt.overrides})
			var got []string
			if err != nil {
				var errs Errors
				if !errors.As(err, &errs) {
					t.Fatalf("error %v is not Errors", err)
				}
				for _, e := range errs {
					got = append(got, e.Message)
					if !known(e.Property) {
						t.Errorf("error %q names %q, not a property", e.Message, e.Property)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorsType(t *testing.T) {
	t.Parallel()
	_, err := load(sources{overrides: map[string]string{"log_level": "x", "node_id": "y"}})
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("error = %v, want 2 Errors", err)
	}
	want := "log_level has an invalid value: 'x' (debug, info, notice, warn, error, crit, alert, emerg)\nnode_id must be a valid UUID"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	var one *Error
	if !errors.As(err, &one) || one.Property != "log_level" || one.Error() != one.Message {
		t.Errorf("errors.As(*Error) = %v, want the log_level error", one)
	}
}
