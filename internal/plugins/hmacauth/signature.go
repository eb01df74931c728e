package hmacauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// algorithms are the HMAC digests by Kong's names.
var algorithms = map[string]func() hash.Hash{
	"hmac-sha1":   sha1.New,
	"hmac-sha256": sha256.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha512": sha512.New,
}

// verify reports whether the signature of p is the HMAC of the request's
// signing string with secret, comparing in constant time. The signature
// is decoded as nginx's ngx.decode_base64.
func verify(r *proxy.Request, p params, secret string) bool {
	newHash, ok := algorithms[p.algorithm]
	if !ok {
		return false
	}
	given, err := ngx.DecodeBase64(p.signature)
	if err != nil {
		return false
	}
	mac := hmac.New(newHash, []byte(secret))
	mac.Write([]byte(signingString(r, p.headers)))
	return hmac.Equal(mac.Sum(nil), given)
}

// signingString is what the client signs, as Kong builds it: one line per
// header name, in the client's order and spelling, "name: value" for a
// header the request has; otherwise "request-line" stands for
// "<METHOD> <uri> HTTP/<version>", "@request-target" for
// "@request-target: <method> <uri>", and any other name for "name:". The
// uri is the path and query as the client sent them.
func signingString(r *proxy.Request, names []string) string {
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		if value, ok := requestHeader(r, name); ok {
			b.WriteString(name + ": " + value)
			continue
		}
		switch name {
		case "@request-target":
			b.WriteString(name + ": " + strings.ToLower(r.Method()) + " " + requestURI(r))
		case "request-line":
			b.WriteString(r.Method() + " " + requestURI(r) + " HTTP/" + httpVersion(r))
		default:
			b.WriteString(name + ":")
		}
	}
	return b.String()
}

// requestHeader finds a request header as kong.request.get_header does:
// case-insensitively, "_" standing for "-", the first value when sent
// several times; false when the request does not have it.
func requestHeader(r *proxy.Request, name string) (string, bool) {
	name = strings.ReplaceAll(name, "_", "-")
	if strings.EqualFold(name, "Host") {
		host := r.Header("Host")
		return host, host != ""
	}
	vs := r.Headers().Values(name)
	if len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// requestURI is nginx's $request_uri (kong.request.get_path_with_query).
func requestURI(r *proxy.Request) string {
	if q := r.RawQuery(); q != "" {
		return r.RawPath() + "?" + q
	}
	return r.RawPath()
}

// httpVersion is the version as Kong formats it ("%.01f" of 1.0, 1.1, 2).
func httpVersion(r *proxy.Request) string {
	if v := r.HTTPVersion(); v != "2" {
		return v
	}
	return "2.0"
}

// digestValid reports whether the Digest header is the SHA-256 of body
// ("SHA-256=<base64>"); without a Digest, only an empty body is valid.
func digestValid(r *proxy.Request, body []byte) bool {
	digest, ok := requestHeader(r, "Digest")
	if !ok {
		return len(body) == 0
	}
	sum := sha256.Sum256(body)
	return digest == "SHA-256="+base64.StdEncoding.EncodeToString(sum[:])
}
