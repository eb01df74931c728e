package oauth2

import (
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/ngx"
)

// TestVerifySecret: a hash in Kong's format, computed independently
// (Python's hashlib.pbkdf2_hmac), verifies; hashes of other parameters do
// not, as in Kong, which re-formats with its fixed ones.
func TestVerifySecret(t *testing.T) {
	const kong = "$pbkdf2-sha512$i=10000,l=32$AAECAwQFBgcICQoLDA0ODw$n76rCNU9Ok4OEJaEOEAF43w0dYQzeiHVwYOovughajc"
	cases := []struct {
		secret, hash string
		ok           bool
	}{
		{"secret123", kong, true},
		{"secret124", kong, false},
		{"secret123", kong + "=", false},
		{"secret123", strings.Replace(kong, "i=10000", "i=9999", 1), false},
		{"secret123", strings.Replace(kong, "sha512", "sha256", 1), false},
		{"secret123", "secret123", false},
		{"x", hashSecret("x"), true},
	}
	for _, c := range cases {
		if got := verifySecret(c.secret, c.hash); got != c.ok {
			t.Errorf("verify(%q, %q) = %v", c.secret, c.hash, got)
		}
	}
	if a, b := hashSecret("x"), hashSecret("x"); a == b || !isHashed(a) {
		t.Errorf("hashes %q %q: the salt must differ", a, b)
	}
}

// TestURI: LuaSocket's parsing, rebuilding and escaping, and Kong's
// argument encoding.
func TestURI(t *testing.T) {
	for _, s := range []string{
		"http://google.test/kong", "https://u:p@[::1]:8443/a;b?c=d#e", "myapp:/cb", "http://h?q", "http://h:/x",
	} {
		if got := parseURI(s).String(); got != s {
			t.Errorf("rebuilt %q as %q", s, got)
		}
	}
	for s, host := range map[string]string{
		"http://u@h.test:80/p": "h.test", "http://[::1]:80": "::1", "http://h.test?x=/y": "h.test?x=", "myapp:/cb": "",
	} {
		if got := parseURI(s).host; got != host {
			t.Errorf("host of %q = %q, want %q", s, got, host)
		}
	}
	got := encodeArgs(map[string]any{
		"b": "x y-z.", "a": true, "e": "", "n": 7200.0, "l": []any{"1", "2"}, "m": map[string]any{"k": "v"}, "z": nil,
	})
	if want := "a=true&b=x%20y%2dz%2e&e&l%5b1%5d=1&l%5b2%5d=2&m%2ek=v&n=7200"; got != want {
		t.Errorf("encodeArgs = %q, want %q", got, want)
	}
	args := ngx.DecodeArgs("a=1&a=2&flag&e=&sp=a+b%20c&bad=%zz&=x")
	if len(args) != 5 || args["flag"] != true || args["e"] != "" || args["sp"] != "a b c" || args["bad"] != "%zz" ||
		len(args["a"].([]any)) != 2 {
		t.Errorf("decodeArgs = %v", args)
	}
}
