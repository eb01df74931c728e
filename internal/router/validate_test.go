package router

import (
	"testing"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestValidatePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		// Refusals, from spec/01-unit/01-db/01-schema/06-routes_spec.lua.
		{"", "length must be at least 1"},
		{"foo", "should start with: / (fixed path) or ~/ (regex path)"},
		{"/foo//bar", "must not have empty segments"},
		{"/foo/bar//", "must not have empty segments"},
		{"//foo/bar", "must not have empty segments"},
		{"foo//bar", "must not have empty segments"}, // checked before the start
		{"~//x", "must not have empty segments"},
		{`~/users/(foo/profile`, `invalid regex: '/users/(foo/profile' (PCRE returned: pcre2_compile() failed: missing closing parenthesis in "/users/(foo/profile")`},
		{"/some%2words", "invalid url-encoded value: '%2w'"},
		{"/some%0Xwords", "invalid url-encoded value: '%0X'"},
		{"/some%2Gwords", "invalid url-encoded value: '%2G'"},
		{"/some%20words%", "invalid url-encoded value: '%'"},
		{"/some%20words%a", "invalid url-encoded value: '%a'"},
		{"/some%20words%ax", "invalid url-encoded value: '%ax'"},
		{"/a%%41", "invalid url-encoded value: '%__'"}, // Kong quotes after blanking triplets
		{"~/a%zz", "invalid url-encoded value: '%zz'"},
		{"/a/../b", "non-normalized path, consider use '/b' instead"},
		{"/abc%2e", "non-normalized path, consider use '/abc.' instead"},
		{"/a%2fb", "non-normalized path, consider use '/a%2Fb' instead"},
		{"/%7Euser", "non-normalized path, consider use '/~user' instead"},
		{"~/a)", `invalid regex: '/a)' (PCRE returned: pcre2_compile() failed: unmatched closing parenthesis in "/a)")`},
		{"~/[a", `invalid regex: '/[a' (PCRE returned: pcre2_compile() failed: missing terminating ] for character class in "/[a")`},
		{"~/[z-a]", `invalid regex: '/[z-a]' (PCRE returned: pcre2_compile() failed: range out of order in character class in "/[z-a]")`},
		{`~/a\`, `invalid regex: '/a\' (PCRE returned: pcre2_compile() failed: \ at end of pattern in "/a\")`},
		// Acceptance.
		{"/", ""},
		{"/abcd~user~2", ""},
		{"/ovo/", ""},
		{"/a%2Fb", ""},
		{"/some path", ""}, // Kong ignores its RFC 3986 character check for routes
		{`~/users/\d+/profile`, ""},
		{`~/(?<name>x)`, ""},
		{`~/foo(?=bar)`, ""}, // PCRE accepts it; ValidateRoute refuses it
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			if got := errText(ValidatePath(tt.path)); got != tt.want {
				t.Errorf("ValidatePath(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestValidateRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		route Route
		want  string
	}{
		{"valid", Route{Paths: []string{`~/a/(?<x>\d+)`, "/b"}, Headers: map[string][]string{"x": {"~*^v\\d$", "y"}}}, ""},
		{"look-ahead", Route{Paths: []string{`~/foo(?=bar)`}},
			"Router Expression failed validation: invalid regex \"~/foo(?=bar)\": error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
		{"look-behind", Route{Paths: []string{`~/(?<=a)b`}},
			"Router Expression failed validation: invalid regex \"~/(?<=a)b\": error parsing regexp: invalid named capture: `(?P<=a)b`"},
		{"back-reference", Route{Paths: []string{`~/(a)\1`}},
			"Router Expression failed validation: invalid regex \"~/(a)\\\\1\": error parsing regexp: invalid escape sequence: `\\1`"},
		{"header regex", Route{Headers: map[string][]string{"x": {"~*("}}},
			"Router Expression failed validation: header \"x\": invalid regex \"(\": error parsing regexp: missing closing ): `(`"},
		{"header without values", Route{Headers: map[string][]string{"x": {}}},
			"Router Expression failed validation: header \"x\" has no values"},
		{"invalid utf-8 path", Route{Paths: []string{"/abcd\xaa\x10\xff"}},
			"Router Expression failed validation: invalid utf-8 in paths: \"/abcd\\xaa\\x10\\xff\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errText(ValidateRoute(&tt.route)); got != tt.want {
				t.Errorf("ValidateRoute = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateHost(t *testing.T) {
	t.Parallel()
	tests := []struct{ host, want string }{
		{"", "length must be at least 1"},
		// Refusals, from spec/01-unit/01-db/01-schema/06-routes_spec.lua.
		{"/example", "invalid hostname: /example"},
		{".example", "invalid hostname: .example"},
		{"example:", "invalid hostname: example:"},
		{"mock;bin", "invalid hostname: mock;bin"},
		{"example.com/org", "invalid hostname: example.com/org"},
		{"example-.org", "invalid hostname: example-.org"},
		{"example.org-", "invalid hostname: example.org-"},
		{"hello..example.com", "invalid hostname: hello..example.com"},
		{"hello-.example.com", "invalid hostname: hello-.example.com"},
		{"example.com:1000000", "invalid port number"},
		{"*example.com", "invalid wildcard: must be placed at leftmost or rightmost label"},
		{"www.example*", "invalid wildcard: must be placed at leftmost or rightmost label"},
		{"mock*bin.com", "invalid wildcard: must be placed at leftmost or rightmost label"},
		{"*.example.*", "invalid wildcard: must have at most one wildcard"},
		{"**.example.com", "invalid wildcard: must have at most one wildcard"},
		{"*.example*.*", "invalid wildcard: must have at most one wildcard"},
		// The wildcard is checked as "abc", and Kong's message shows it.
		{"*.ex ample.com", "invalid hostname: abc.ex ample.com"},
		{"*.example.com:99999", "invalid port number"},
		// Addresses, as kong/tools/ip.lua reads them.
		{"1.2.3.256", "invalid ipv4 address: 1.2.3.256"},
		{"1.2.3.4:", "invalid ipv4 address: 1.2.3.4:"},
		{"123", "invalid ipv4 address: 123"},
		{"1.2.3.4:70000", "invalid port number"},
		{"::g", "invalid ipv6 address: ::g"},
		{"[::1]x", "invalid ipv6 address"},
		{"[::1]:70000", "invalid port number"},
		// Acceptance.
		{"hello.com", ""},
		{"hello.COM", ""},
		{"HELLO.com", ""},
		{"123helloWORLD.com", ""},
		{"example.123", ""},
		{"example-api.com", ""},
		{"example_api.com", ""},
		{"localhost", ""},
		{"example.com:80", ""},
		{"example.com:8080", ""},
		{"example.com.", ""},
		{"3B-ww4c5e180e575a65lsy2b", ""},
		{"-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n", ""},
		{"Hello-Another-Way--fc4qua05auwb3674vfr0b", ""},
		{"2-u9tlzr9756bt3uc0v", ""},
		{"MajiKoi5-783gue6qz075azm5e", ""},
		{"de-jg4avhby1noc0d", ""},
		{"d9juau41awczczp", ""},
		{"example.*", ""},
		{"*.example.org", ""},
		{"*.example.org:321", ""},
		{"1.2.3.4", ""},
		{"1.2.3.4:80", ""},
		{"::1", ""},
		{"[::1]", ""},
		{"[::1]:8080", ""},
		{"fe80::1:2:3", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			if got := errText(ValidateHost(tt.host)); got != tt.want {
				t.Errorf("ValidateHost(%q) = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}
