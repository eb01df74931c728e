package conf

import (
	"path/filepath"
	"strconv"
)

// UpstreamSSL is one nginx module's upstream TLS directives, set through
// the injected nginx_* properties: Kong's node-wide defaults of a
// service's tls_verify, ca_certificates and tls_verify_depth.
type UpstreamSSL struct {
	// Verify is proxy_ssl_verify (off unless set).
	Verify bool
	// TrustedCertificate is proxy_ssl_trusted_certificate, a PEM file
	// (relative paths are resolved against the prefix, as nginx does);
	// "" when unset. nginx reads it only when Verify is on.
	TrustedCertificate string
	// VerifyDepth is proxy_ssl_verify_depth (1 unless set).
	VerifyDepth int
}

// upstreamSSLModule names a module's directives and the nginx_* prefixes
// that inject them, innermost block first (a directive set in a block
// overrides the one inherited from its parent).
type upstreamSSLModule struct {
	directive string // "proxy_ssl" or "grpc_ssl"
	prefixes  []string
}

var (
	// https services are proxied by `location /` in the proxy server.
	proxyModule = upstreamSSLModule{"proxy_ssl", []string{"nginx_location_", "nginx_proxy_", "nginx_http_"}}
	// grpcs services by `location @grpc`, which takes no nginx_location_*.
	grpcModule = upstreamSSLModule{"grpc_ssl", []string{"nginx_proxy_", "nginx_http_"}}
	// tls services by the stream proxy server.
	streamModule = upstreamSSLModule{"proxy_ssl", []string{"nginx_sproxy_", "nginx_stream_"}}
)

// upstreamSSL reads m's directives, reporting nginx's errors: a value
// other than on or off, a depth that is not a number, and verification
// without a trusted certificate.
func (b *builder) upstreamSSL(m upstreamSSLModule, prefix string) UpstreamSSL {
	s := UpstreamSSL{VerifyDepth: 1}
	if k, v, ok := b.directive(m, "_verify"); ok {
		switch v {
		case "on":
			s.Verify = true
		case "off":
		default:
			b.errs.add(k, `%s: invalid value "%s" in "%s_verify" directive, it must be "on" or "off"`, k, v, m.directive)
		}
	}
	if _, v, ok := b.directive(m, "_trusted_certificate"); ok {
		s.TrustedCertificate = v
		if !filepath.IsAbs(v) {
			s.TrustedCertificate = filepath.Join(prefix, v)
		}
	}
	if k, v, ok := b.directive(m, "_verify_depth"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			b.errs.add(k, `%s: invalid number "%s" in "%s_verify_depth" directive`, k, v, m.directive)
		}
		s.VerifyDepth = n
	}
	if s.Verify && s.TrustedCertificate == "" {
		b.errs.add(m.prefixes[0]+m.directive+"_verify", "no %s_trusted_certificate for %s_verify", m.directive, m.directive)
	}
	return s
}

// directive returns the property that sets m's directive with suffix in
// the innermost block, and its value.
func (b *builder) directive(m upstreamSSLModule, suffix string) (key, value string, ok bool) {
	for _, p := range m.prefixes {
		key = p + m.directive + suffix
		if value, ok = b.str(key); ok {
			return key, value, true
		}
	}
	return "", "", false
}
