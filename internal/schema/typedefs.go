package schema

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Shared field definitions, Kong's kong/db/schema/typedefs.lua. Each is a
// value: use .Named, .Required, .Default ... to get an adjusted copy.
var (
	// ID is the primary key: a UUID generated when absent.
	ID = Str("id").UUID().Auto()
	// CreatedAt and UpdatedAt are integer Unix seconds set by the DAO.
	CreatedAt = Int("created_at").Timestamp().Auto()
	UpdatedAt = Int("updated_at").Timestamp().Auto()
	// CreatedAtMs and UpdatedAtMs are float seconds with millisecond
	// precision (targets).
	CreatedAtMs = Num("created_at").Timestamp().Auto()
	UpdatedAtMs = Num("updated_at").Timestamp().Auto()

	// Name is a unique name of alphanumerics and . - _ ~.
	Name = Str("name").Unique().Custom(validateName)
	// UTF8Name is a unique name that also allows UTF-8 characters.
	UTF8Name = Str("name").Unique().Custom(validateUTF8Name)

	// Host is a host name or IP address without a port.
	Host = Str("host").Custom(validateHost)
	// HostWithOptionalPort is a host name or IP with an optional :port.
	HostWithOptionalPort = Str("host").Custom(validateHostWithOptionalPort)
	// WildcardHost allows one * at the leftmost or rightmost label.
	WildcardHost = Str("host").Custom(validateWildcardHost)
	// SNI is a host name, not an IP, without port.
	SNI = Str("name").Custom(validateSNI)

	// Port is an integer 0..65535.
	Port = Int("port").Between(0, 65535)
	// Timeout is milliseconds, 0..2^31-2.
	Timeout = Int("timeout").Between(0, maxTimeout)

	// Path is an upstream path: starts with /, RFC 3986 characters only.
	Path = Str("path").StartsWith("/").Custom(validatePath)
	// URL must have a scheme and a host.
	URL = Str("url").Custom(validateURL)
	// HeaderName allows A-Z a-z 0-9 _ -.
	HeaderName = Str("header").Custom(validateHeaderName)

	// IP, IPOrCIDR and CIDRv4 validate addresses.
	IP       = Str("ip").Custom(validateIP)
	IPOrCIDR = Str("ip").Custom(validateIPOrCIDR)

	// Tag and Tags: printable ASCII except , and /, or valid UTF-8.
	Tag  = Str("tag").Custom(validateTag)
	Tags = SetOf("tags", Tag)

	// Protocol is one of Kong's eight protocols.
	Protocol = Str("protocol").OneOf(protocolValues...)
	// Protocols is a set of protocols (plugins' default covers HTTP and gRPC).
	Protocols = SetOf("protocols", Protocol.Required()).Required().
			Default([]any{"grpc", "grpcs", "http", "https"})

	// Certificate and Key are PEM texts.
	Certificate = Str("cert").Custom(validateCertificate).Referenceable()
	Key         = Str("key").Custom(validateKey).Referenceable()
)

const maxTimeout = 1<<31 - 2

var protocolValues = []any{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"}

var (
	nameRe     = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)
	utf8NameRe = regexp.MustCompile(`^[A-Za-z0-9._~\x{80}-\x{10FFFF}-]+$`)
	hostnameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	headerRe   = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	pathCharRe = regexp.MustCompile(`^[A-Za-z0-9._~/%:@!$&'()*+,;=-]*$`)
	pctRe      = regexp.MustCompile(`%([^%]{0,2})`)
)

func validateName(v any) error {
	s := v.(string)
	if !nameRe.MatchString(s) {
		return errors.New("invalid value '" + s + "': it must only contain alphanumeric and '., -, _, ~' characters")
	}
	return nil
}

func validateUTF8Name(v any) error {
	s := v.(string)
	if !utf8.ValidString(s) {
		return errors.New("invalid utf-8 character sequence detected at position " + strconv.Itoa(invalidUTF8Pos(s)))
	}
	if !utf8NameRe.MatchString(s) {
		return errors.New("invalid value '" + s + "': the only accepted ascii characters are alphanumerics or ., -, _, and ~")
	}
	return nil
}

func invalidUTF8Pos(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i + 1
		}
		i += size
	}
	return len(s) + 1
}

// SplitHostPort splits "host", "host:port", "[v6]:port" or a bare IPv6
// address; port is -1 when absent. ok is false when a port is not a number.
func SplitHostPort(s string) (host string, port int, ok bool) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return s, -1, false
		}
		host, rest := s[1:end], s[end+1:]
		if rest == "" {
			return host, -1, true
		}
		if !strings.HasPrefix(rest, ":") {
			return host, -1, false
		}
		p, err := strconv.Atoi(rest[1:])
		return host, p, err == nil && p >= 0 && p <= 65535
	}
	if strings.Count(s, ":") > 1 { // bare IPv6
		return s, -1, true
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		p, err := strconv.Atoi(s[i+1:])
		return s[:i], p, err == nil && p >= 0 && p <= 65535
	}
	return s, -1, true
}

// hostKind classifies a host without port: "ipv4", "ipv6", "name" or "".
func hostKind(h string) string {
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Is4() {
			return "ipv4"
		}
		return "ipv6"
	}
	if hostnameRe.MatchString(h) && !strings.Contains(h, "..") {
		return "name"
	}
	return ""
}

func validateHost(v any) error {
	s := v.(string)
	h, port, ok := SplitHostPort(s)
	if !ok && port == -1 {
		return errors.New("invalid value: " + s)
	}
	if port >= 0 || !ok {
		return errors.New("must not have a port")
	}
	if hostKind(h) == "" {
		return errors.New("invalid value: " + s)
	}
	return nil
}

func validateHostWithOptionalPort(v any) error {
	s := v.(string)
	h, _, ok := SplitHostPort(s)
	if !ok || hostKind(h) == "" {
		return errors.New("invalid value: " + s)
	}
	return nil
}

func validateWildcardHost(v any) error {
	s := v.(string)
	if n := strings.Count(s, "*"); n > 1 {
		return errors.New("only one wildcard must be specified")
	} else if n == 1 && !strings.HasPrefix(s, "*") && !strings.HasSuffix(s, "*") {
		return errors.New("wildcard must be leftmost or rightmost character")
	}
	h := strings.Replace(s, "*", "wildcard", 1)
	if err := validateSNIHost(h, s); err != nil {
		return err
	}
	return nil
}

func validateSNI(v any) error {
	s := v.(string)
	return validateSNIHost(s, s)
}

func validateSNIHost(h, orig string) error {
	if err := validateHost(h); err != nil {
		if err.Error() == "must not have a port" {
			return err
		}
		return errors.New("invalid value: " + orig)
	}
	if k := hostKind(h); k == "ipv4" || k == "ipv6" {
		return errors.New("must not be an IP")
	}
	return nil
}

func validatePath(v any) error {
	s := v.(string)
	if strings.Contains(s, "//") {
		return errors.New("must not have empty segments")
	}
	if !pathCharRe.MatchString(s) {
		return errors.New("invalid path: '" + s + "' (characters outside of the reserved list of RFC 3986 found)")
	}
	for _, m := range pctRe.FindAllStringSubmatch(s, -1) {
		if !isHex2(m[1]) {
			return errors.New("invalid url-encoded value: '%" + m[1] + "'")
		}
	}
	return nil
}

func isHex2(s string) bool {
	if len(s) != 2 {
		return false
	}
	_, err := strconv.ParseUint(s, 16, 8)
	return err == nil
}

func validateURL(v any) error {
	s := v.(string)
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("cannot parse '" + s + "'")
	case u.Scheme == "":
		return errors.New("missing scheme in url")
	case u.Host == "":
		return errors.New("missing host in url")
	}
	return nil
}

func validateHeaderName(v any) error {
	s := v.(string)
	if !headerRe.MatchString(s) {
		return errors.New("bad header name '" + s + "', allowed characters are A-Z, a-z, 0-9, '_', and '-'")
	}
	return nil
}

func validateIP(v any) error {
	s := v.(string)
	if _, err := netip.ParseAddr(s); err != nil {
		return errors.New("not an ip address: " + s)
	}
	return nil
}

func validateIPOrCIDR(v any) error {
	s := v.(string)
	if _, err := netip.ParseAddr(s); err == nil {
		return nil
	}
	if _, err := netip.ParsePrefix(s); err == nil {
		return nil
	}
	return errors.New("invalid ip or cidr range: '" + s + "'")
}

// ValidTag reports whether s is a valid tag: printable ASCII except ',' and
// '/', or valid UTF-8 sequences.
func ValidTag(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c < 0x20 || c > 0x7e || c == ',' || c == '/') {
			return false
		}
	}
	return true
}

func validateTag(v any) error {
	s := v.(string)
	if !ValidTag(s) {
		return errors.New("invalid tag '" + s + "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences")
	}
	return nil
}

// ParseCertificates parses every CERTIFICATE block of a PEM text.
func ParseCertificates(text string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(text)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("PEM_read_bio_X509_AUX() failed")
	}
	return certs, nil
}

// ParsePrivateKey parses a PEM private key (PKCS#1, PKCS#8 or EC).
func ParsePrivateKey(text string) (any, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("PEM_read_bio_PrivateKey() failed")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, errors.New("PEM_read_bio_PrivateKey() failed")
}

func validateCertificate(v any) error {
	if _, err := ParseCertificates(v.(string)); err != nil {
		return errors.New("invalid certificate: " + err.Error())
	}
	return nil
}

func validateKey(v any) error {
	if _, err := ParsePrivateKey(v.(string)); err != nil {
		return errors.New("invalid key: " + err.Error())
	}
	return nil
}
