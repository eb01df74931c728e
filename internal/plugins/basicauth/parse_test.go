package basicauth

import (
	"encoding/base64"
	"testing"
)

// TestParseBasic: Kong's patterns are unanchored, the password may hold
// colons and nginx's base64 is lenient about padding.
func TestParseBasic(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		value, user, password string
		found                 bool
	}{
		{"Basic " + b64("u:p"), "u", "p", true},
		{"basic " + b64("u:p:q"), "u", "p:q", true},
		{"Basic " + b64("u:"), "u", "", true},
		{"  Basic\t" + b64("u:p"), "u", "p", true},
		{"xxBasic" + b64("u:p"), "u", "p", true},
		{"Basic " + b64(":u:p"), "u", "p", true}, // the username is the first run before a colon
		{"Basic " + b64("::"), "", "", false},    // no username at all
		{"Basic dTpw", "u", "p", true},
		{"Basic dTpwcQ", "u", "pq", true},
		{"Basic dTpwcQ==ignored", "u", "pq", true},
		{"Basic dTpwc", "", "", false}, // 4n+1 characters
		{"Basic dTp-", "", "", false},  // URL alphabet
		{"Basic ", "", "", false},
		{"BASIC " + b64("u:p"), "", "", false},
		{"Bearer " + b64("u:p"), "", "", false},
		{"Basic " + b64("nocolon"), "", "", false},
	}
	for _, c := range cases {
		u, p, found := parseBasic(c.value)
		if u != c.user || p != c.password || found != c.found {
			t.Errorf("%q: %q %q %v, want %q %q %v", c.value, u, p, found, c.user, c.password, c.found)
		}
	}
}

// TestHashPassword: Kong's crypto.hash, sha1(password .. consumer id) in
// hex; a missing password hashes as an empty one.
func TestHashPassword(t *testing.T) {
	for _, c := range []struct{ id, password, want string }{
		{"id123", "pass123", "fc4f9b44781125d2ebd9c08e402d78501c59535b"},
		{"id123", "", "3e4f2f5a1a753783a2c859b649771428fc75d898"},
	} {
		if got := HashPassword(c.id, c.password); got != c.want {
			t.Errorf("HashPassword(%q, %q) = %s, want %s", c.id, c.password, got, c.want)
		}
	}
}
