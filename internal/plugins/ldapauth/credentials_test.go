package ldapauth

import (
	"encoding/base64"
	"testing"
)

// TestCredentials: Kong's parsing of "<header_type> base64(user:password)"
// (a case-insensitive regex, nginx's base64 decoder, "^(.*?):(.+)$").
func TestCredentials(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	h := &handler{scheme: asciiLower("Ldap")}
	cases := []struct {
		value, user, password string
		ok                    bool
	}{
		{"ldap " + b64("einstein:password"), "einstein", "password", true},
		{"LdAp " + b64("einstein:password"), "einstein", "password", true},
		{" \t ldap \t " + b64("einstein:password"), "einstein", "password", true},
		{"ldap " + b64("a:b:c"), "a", "b:c", true},
		{"ldap " + b64(":password"), "", "password", true},
		{"ldap " + b64("a::"), "a", ":", true},
		{"ldap " + b64("a:b\n"), "a", "b", true},
		{"ldap " + b64("a:b") + "=garbage", "a", "b", true},
		{"ldap YTpi", "a", "b", true},
		{"ldap " + b64("a:"), "", "", false},
		{"ldap " + b64("a:\n"), "", "", false},
		{"ldap " + b64("a:b\nc"), "", "", false},
		{"ldap " + b64("a\n:b"), "", "", false},
		{"ldap " + b64("ab"), "", "", false},
		{"ldap YTpiY", "", "", false},
		{"ldap YTpi\nYw", "", "", false},
		{"ldap YT-i", "", "", false},
		{"ldap", "", "", false},
		{"ldap ", "", "", false},
		{"ldapYTpi", "", "", false},
		{"basic YTpi", "", "", false},
		{"", "", "", false},
		{"\u212aldap YTpi", "", "", false},
	}
	for _, c := range cases {
		user, password, ok := h.credentials(c.value)
		if user != c.user || password != c.password || ok != c.ok {
			t.Errorf("%q: %q %q %v, want %q %q %v", c.value, user, password, ok, c.user, c.password, c.ok)
		}
	}
}

func FuzzCredentials(f *testing.F) {
	h := &handler{scheme: "ldap"}
	for _, s := range []string{"ldap YTpi", " LDAP YTpiOmM=", "ldap ", "basic x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		user, password, ok := h.credentials(value)
		if ok && password == "" {
			t.Errorf("%q: empty password accepted", value)
		}
		if !ok && (user != "" || password != "") {
			t.Errorf("%q: refused with credentials", value)
		}
	})
}
