package router

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// kongCaptures is Captures as Kong's uri_captures table: nil when empty,
// unnamed by position, named by name, groups that took no part left out.
type kongCaptures struct {
	Unnamed map[int]string
	Named   map[string]string
}

func toKong(c Captures) *kongCaptures {
	if c.Empty() {
		return nil
	}
	k := &kongCaptures{Unnamed: map[int]string{}, Named: map[string]string{}}
	for i := range c.Len() {
		if v, ok := c.Unnamed(i); ok {
			k.Unnamed[i] = v
		}
	}
	for _, name := range c.Names() {
		if v, ok := c.Named(name); ok {
			k.Named[name] = v
		}
	}
	return k
}

func TestCaptures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, request string
		strip               bool
		want                *kongCaptures
		wantPrefix          string
	}{{
		name:    "named and unnamed",
		path:    `~/users/(?P<user_id>\d+)/profile/?(?P<scope>[a-z]*)`,
		request: "/users/1984/profile",
		want: &kongCaptures{
			Unnamed: map[int]string{0: "/users/1984/profile", 1: "1984", 2: ""},
			Named:   map[string]string{"user_id": "1984", "scope": ""},
		},
	}, {
		name:    "named and unnamed, more",
		path:    `~/users/(?P<user_id>\d+)/profile/?(?P<scope>[a-z]*)`,
		request: "/users/1984/profile/email",
		want: &kongCaptures{
			Unnamed: map[int]string{0: "/users/1984/profile/email", 1: "1984", 2: "email"},
			Named:   map[string]string{"user_id": "1984", "scope": "email"},
		},
	}, {
		// Fix #13014: an optional group that takes no part is absent.
		name:    "optional group",
		path:    `~/(users/)?1984/(?<subpath>profile)$`,
		request: "/1984/profile",
		want: &kongCaptures{
			Unnamed: map[int]string{0: "/1984/profile", 2: "profile"},
			Named:   map[string]string{"subpath": "profile"},
		},
	}, {
		// Fix #7913: captures come from the normalized path.
		name:    "normalized",
		path:    `~/users/(?P<fullname>[a-zA-Z\s\d%]+)/profile/?(?P<scope>[a-z]*)`,
		request: "/users/%6aohn%20doe/profile",
		want: &kongCaptures{
			Unnamed: map[int]string{0: "/users/john doe/profile", 1: "john doe", 2: ""},
			Named:   map[string]string{"fullname": "john doe", "scope": ""},
		},
	}, {
		name:    "regex without groups",
		path:    `~/users/\d+/profile`,
		request: "/users/1984/profile",
	}, {
		name:    "no group took part",
		path:    `~/users(/x)?`,
		request: "/users",
	}, {
		name:       "prefix",
		path:       "/hello",
		request:    "/hello/world",
		strip:      true,
		wantPrefix: "/hello",
	}, {
		name:       "strip the matched portion of a regex",
		path:       `~/users/\d+`,
		request:    "/users/1984/profile",
		strip:      true,
		wantPrefix: "/users/1984",
	}, {
		name:       "strip with a capture group",
		path:       `~/users/(\d+)`,
		request:    "/users/1984/profile",
		strip:      true,
		want:       &kongCaptures{Unnamed: map[int]string{0: "/users/1984", 1: "1984"}, Named: map[string]string{}},
		wantPrefix: "/users/1984",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := Route{ID: id(1), Paths: []string{tt.path}, StripPath: tt.strip}
			m := mustMatch(t, []Route{rt}, &Request{Method: "GET", Path: tt.request})
			if diff := cmp.Diff(tt.want, toKong(m.Captures)); diff != "" {
				t.Errorf("captures (-want +got):\n%s", diff)
			}
			if m.MatchedPrefix != tt.wantPrefix {
				t.Errorf("matched prefix = %q, want %q", m.MatchedPrefix, tt.wantPrefix)
			}
		})
	}
}

func TestCapturesLookups(t *testing.T) {
	t.Parallel()
	rt := Route{ID: id(1), Paths: []string{`~/(?P<a>x)(y)?`}}
	c := mustMatch(t, []Route{rt}, &Request{Path: "/x"}).Captures
	tests := []struct {
		name   string
		get    func() (string, bool)
		want   string
		wantOK bool
	}{
		{"whole", func() (string, bool) { return c.Unnamed(0) }, "/x", true},
		{"named by position", func() (string, bool) { return c.Unnamed(1) }, "x", true},
		{"took no part", func() (string, bool) { return c.Unnamed(2) }, "", false},
		{"out of range", func() (string, bool) { return c.Unnamed(3) }, "", false},
		{"negative", func() (string, bool) { return c.Unnamed(-1) }, "", false},
		{"named", func() (string, bool) { return c.Named("a") }, "x", true},
		{"unknown name", func() (string, bool) { return c.Named("b") }, "", false},
		{"empty name", func() (string, bool) { return c.Named("") }, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.get()
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got (%q, %t), want (%q, %t)", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
