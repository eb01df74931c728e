package hmacauth

import (
	"slices"
	"testing"
)

func TestParseParams(t *testing.T) {
	cases := []struct {
		value string
		want  params
		ok    bool
	}{
		{`hmac username="u", algorithm="hmac-sha1", headers="date request-line", signature="c2ln"`,
			params{"u", "hmac-sha1", "c2ln", []string{"date", "request-line"}}, true},
		{`Hmac username="u",algorithm="a",headers="h",signature="s"`, params{"u", "a", "s", []string{"h"}}, true},
		{`x hmac username="u",algorithm="a",headers="h",signature="s"`, params{"u", "a", "s", []string{"h"}}, true},
		// the values are greedy: what follows the last quote belongs to the signature
		{`hmac username="u",algorithm="a",headers="h",signature="s", extra="e"`, params{"u", "a", `s", extra="e`, []string{"h"}}, true},
		{`hmac username="u",algorithm="a",headers="a  b ",signature="s"`, params{"u", "a", "s", []string{"a", "", "b", ""}}, true},
		{`hmac username="u",algorithm="a",headers=" ",signature="s"`, params{"u", "a", "s", []string{""}}, true},
		{`hmac username="",algorithm="a",headers="h",signature="s"`, params{}, false},
		{`hmac username="u",algorithm="a",headers="h"`, params{}, false},
		{`HMAC username="u",algorithm="a",headers="h",signature="s"`, params{}, false},
		{`hmac username="u",headers="h",algorithm="a",signature="s"`, params{}, false},
		{"", params{}, false},
	}
	for _, c := range cases {
		got, ok := parseParams(c.value)
		if ok != c.ok || got.username != c.want.username || got.algorithm != c.want.algorithm ||
			got.signature != c.want.signature || !slices.Equal(got.headers, c.want.headers) {
			t.Errorf("%s: %+v %v, want %+v %v", c.value, got, ok, c.want, c.ok)
		}
	}
}
