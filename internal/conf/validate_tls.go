package conf

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"slices"
	"strings"
)

// cipherSuite is one of Kong's ssl_cipher_suite presets (Mozilla Server
// Side TLS 5.7, kong/conf_loader/constants.lua CIPHER_SUITES).
type cipherSuite struct {
	protocols, ciphers, dhparams, preferServerCiphers string
}

const (
	ciphersIntermediate = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" +
		"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" +
		"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" +
		"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
	ciphersOld = ciphersIntermediate + ":" +
		"ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:" +
		"ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:" +
		"ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:" +
		"DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:" +
		"AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA"
)

var cipherSuites = map[string]cipherSuite{
	"modern":       {protocols: "TLSv1.3", preferServerCiphers: "off"},
	"intermediate": {protocols: "TLSv1.2 TLSv1.3", ciphers: ciphersIntermediate, dhparams: "ffdhe2048", preferServerCiphers: "off"},
	"old":          {protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", ciphers: ciphersOld, preferServerCiphers: "on"},
	"fips":         {protocols: "TLSv1.2", ciphers: "TLSv1.2+FIPS:kRSA+FIPS:!eNULL:!aNULL", preferServerCiphers: "on"},
}

// dhGroups are the DH group names OpenSSL generates parameters for, which
// ssl_dhparam may name instead of a file.
var dhGroups = []string{
	"ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192",
	"modp_1536", "modp_2048", "modp_3072", "modp_4096", "modp_6144", "modp_8192",
	"dh_1024_160", "dh_2048_224", "dh_2048_256",
}

// checkCipherSuite applies ssl_cipher_suite: a preset overrides ssl_ciphers,
// the nginx protocol and prefer-server-ciphers directives and (except for
// "old") ssl_dhparam; "custom" leaves them to the user.
func (v *validator) checkCipherSuite() {
	name, ok := v.str("ssl_cipher_suite")
	if ok && name == "custom" {
		return
	}
	suite, found := cipherSuites[name]
	if !found {
		if !ok {
			name = "nil"
		}
		v.errs.add("ssl_cipher_suite", "Undefined cipher suite %s", name)
		return
	}
	v.set("ssl_ciphers", orNil(suite.ciphers))
	for _, sub := range []string{"http", "stream"} {
		v.set("nginx_"+sub+"_ssl_protocols", suite.protocols)
		v.set("nginx_"+sub+"_ssl_prefer_server_ciphers", suite.preferServerCiphers)
	}
	if name != "old" {
		for _, k := range []string{"ssl_dhparam", "nginx_http_ssl_dhparam", "nginx_stream_ssl_dhparam"} {
			v.set(k, orNil(suite.dhparams))
		}
	}
}

// orNil turns "" into an unset value.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// checkDHParam checks that ssl_dhparam names a DH group, a file, or holds
// (base64) PEM parameters; without it, the nginx_*_ssl_dhparam directives
// must name a group or a file.
func (v *validator) checkDHParam() {
	if p, ok := v.str("ssl_dhparam"); ok {
		if slices.Contains(dhGroups, p) || exists(p) {
			return
		}
		decoded := tryDecodeBase64(p)
		v.props["ssl_dhparam"] = decoded
		if !parseDHParams([]byte(decoded)) {
			v.errs.add("ssl_dhparam", "ssl_dhparam: failed loading certificate from %s", decoded)
		}
		return
	}
	for _, k := range []string{"nginx_http_ssl_dhparam", "nginx_stream_ssl_dhparam"} {
		if f, ok := v.str(k); ok && !slices.Contains(dhGroups, f) && !exists(f) {
			v.errs.add(k, "%s: no such file at %s", k, f)
		}
	}
}

// checkTrustedCertificates checks lua_ssl_trusted_certificate: "system"
// (the system's CA store), a file, or a (base64) PEM certificate.
func (v *validator) checkTrustedCertificates() {
	list := v.list("lua_ssl_trusted_certificate")
	for i, c := range list {
		if c == "system" {
			continue
		}
		val, ok := loadPEM(c, parseCertificate)
		list[i] = val
		if !ok {
			v.errs.add("lua_ssl_trusted_certificate", "lua_ssl_trusted_certificate: failed loading certificate from %s", val)
		}
	}
}

// sslListeners pairs each listener property with the prefix of its
// certificate properties.
var sslListeners = []struct{ listen, prefix string }{
	{"proxy_listen", ""}, {"admin_listen", "admin_"}, {"admin_gui_listen", "admin_gui_"}, {"status_listen", "status_"},
}

// checkListenerCerts checks the certificates of every listener property
// with an ssl entry (proxy also counts stream_listen): both lists or
// neither, as many certificates as keys, each loadable.
func (v *validator) checkListenerCerts() {
	for _, l := range sslListeners {
		if !sslFlagged(v.list(l.listen)) && !(l.prefix == "" && sslFlagged(v.list("stream_listen"))) {
			continue
		}
		certName, keyName := l.prefix+"ssl_cert", l.prefix+"ssl_cert_key"
		certs, keys := v.list(certName), v.list(keyName)
		switch {
		case len(certs) > 0 && len(keys) == 0:
			v.errs.add(keyName, "%s must be specified", keyName)
		case len(keys) > 0 && len(certs) == 0:
			v.errs.add(certName, "%s must be specified", certName)
		case len(certs) != len(keys):
			v.errs.add(certName, "%s was specified %d times while %s was specified %d times", certName, len(certs), keyName, len(keys))
		}
		for i, c := range certs {
			val, ok := loadPEM(c, parseCertificate)
			certs[i] = val
			if !ok {
				v.errs.add(certName, "%s: failed loading certificate from %s", certName, val)
			}
		}
		for i, k := range keys {
			val, ok := loadPEM(k, parsePrivateKey)
			keys[i] = val
			if !ok {
				v.errs.add(keyName, "%s: failed loading key from %s", keyName, val)
			}
		}
	}
}

// sslFlagged reports whether an entry has the ssl flag after its first
// word, as Kong's `%sssl[%s,]` search over the raw list does.
func sslFlagged(entries []string) bool {
	for _, e := range entries {
		if f := strings.FieldsFunc(e, isLuaSpace); len(f) > 1 && slices.Contains(f[1:], "ssl") {
			return true
		}
	}
	return false
}

// checkClientSSL checks the client certificate used towards upstreams.
func (v *validator) checkClientSSL() {
	if !v.flag("client_ssl") {
		return
	}
	cert, hasCert := v.str("client_ssl_cert")
	key, hasKey := v.str("client_ssl_cert_key")
	switch {
	case hasCert && !hasKey:
		v.errs.add("client_ssl_cert_key", "client_ssl_cert_key must be specified")
	case hasKey && !hasCert:
		v.errs.add("client_ssl_cert", "client_ssl_cert must be specified")
	}
	if hasCert {
		val, ok := loadPEM(cert, parseCertificate)
		v.props["client_ssl_cert"] = val
		if !ok {
			v.errs.add("client_ssl_cert", "client_ssl_cert: failed loading certificate from %s", val)
		}
	}
	if hasKey {
		val, ok := loadPEM(key, parsePrivateKey)
		v.props["client_ssl_cert_key"] = val
		if !ok {
			v.errs.add("client_ssl_cert_key", "client_ssl_cert_key: failed loading key from %s", val)
		}
	}
}

// loadPEM resolves a certificate-like value as Kong does: an existing
// file becomes its absolute path; anything else is content, base64-decoded
// when it decodes, which parse must accept.
func loadPEM(value string, parse func([]byte) bool) (string, bool) {
	if exists(value) {
		if abs, err := filepath.Abs(value); err == nil {
			return abs, true
		}
		return value, true
	}
	decoded := tryDecodeBase64(value)
	return decoded, parse([]byte(decoded))
}

// tryDecodeBase64 decodes standard or URL-safe base64, padded or not, and
// returns s unchanged when it is neither (Kong's try_decode_base64).
func tryDecodeBase64(s string) string {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b)
		}
	}
	return s
}

// parseCertificate accepts a PEM or DER X.509 certificate (the first one
// of a bundle).
func parseCertificate(data []byte) bool {
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	_, err := x509.ParseCertificate(data)
	return err == nil
}

// parsePrivateKey accepts a PEM or DER private key in PKCS#8, PKCS#1 or
// SEC 1 form.
func parsePrivateKey(data []byte) bool {
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(data)
	return err == nil
}

// parseDHParams accepts PEM or DER PKCS#3 DH parameters.
func parseDHParams(data []byte) bool {
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	var params struct {
		P, G               *big.Int
		PrivateValueLength int `asn1:"optional"`
	}
	rest, err := asn1.Unmarshal(data, &params)
	return err == nil && len(rest) == 0
}
