package admin

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeForm(t *testing.T) {
	tests := []struct {
		name  string
		query string
		maps  bool
		want  map[string]any
	}{
		{"plain", "name=x&host=y", true, map[string]any{"name": "x", "host": "y"}},
		{"dotted", "a.b=1", true, map[string]any{"a": map[string]any{"b": "1"}}},
		{"deep dotted", "config.nested.count=2", true,
			map[string]any{"config": map[string]any{"nested": map[string]any{"count": "2"}}}},
		{"map brackets", "a[b]=1", true, map[string]any{"a": map[string]any{"b": "1"}}},
		{"map brackets outside bodies", "a[b]=1", false, map[string]any{"a[b]": "1"}},
		{"append brackets", "a[]=x&a[]=y", true, map[string]any{"a": []any{"x", "y"}}},
		{"repeated name", "a=x&a=y", true, map[string]any{"a": []any{"x", "y"}}},
		{"indexes", "a[2]=y&a[1]=x&a[10]=z", true, map[string]any{"a": []any{"x", "y", "z"}}},
		{"dotted foreign key", "service.id=123&service.name=s", true,
			map[string]any{"service": map[string]any{"id": "123", "name": "s"}}},
		{"mixed dot and brackets", "config[minute]=5&config.hour=6", true,
			map[string]any{"config": map[string]any{"minute": "5", "hour": "6"}}},
		{"array of records", "sources[1].ip=1.1.1.1&sources[1].port=80&sources[2].ip=2.2.2.2", true,
			map[string]any{"sources": []any{
				map[string]any{"ip": "1.1.1.1", "port": "80"},
				map[string]any{"ip": "2.2.2.2"},
			}}},
		{"map of arrays", "headers[x-a][]=1&headers[x-a][]=2", true,
			map[string]any{"headers": map[string]any{"x-a": []any{"1", "2"}}}},
		{"dot inside brackets", "test[foo.bar]=1", true, map[string]any{"test": map[string]any{"foo.bar": "1"}}},
		{"leading dot is literal", ".a=1", true, map[string]any{".a": "1"}},
		{"trailing dot is literal", "a.=1", true, map[string]any{"a.": "1"}},
		{"double dots", "a..b=1", true, map[string]any{"a": map[string]any{"b": "1"}}},
		{"empty value", "name=", true, map[string]any{"name": ""}},
		{"unbalanced bracket", "a[b=1", true, map[string]any{"a[b": "1"}},
		{"text after brackets", "a[b]c=1", true, map[string]any{"a[b]c": "1"}},
		{"leading bracket", "[a]=1", true, map[string]any{"[a]": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeForm(formPairs(v), tt.maps)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decodeForm(%q) mismatch (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestLuaToNumber(t *testing.T) {
	tests := []struct {
		in   string
		want any
		ok   bool
	}{
		{"5", int64(5), true},
		{" 5 ", int64(5), true},
		{"-3", int64(-3), true},
		{"1.5", 1.5, true},
		{"1e3", 1000.0, true},
		{"0x10", int64(16), true},
		{"abc", nil, false},
		{"", nil, false},
		{"inf", nil, false},
		{"nan", nil, false},
		{"1_000", nil, false},
		{"12abc", nil, false},
	}
	for _, tt := range tests {
		got, ok := luaToNumber(tt.in)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("luaToNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseTagFilter(t *testing.T) {
	tests := []struct {
		in      string
		tags    []string
		anyOf   bool
		problem string
	}{
		{"a", []string{"a"}, false, ""},
		{"a,b,c", []string{"a", "b", "c"}, false, ""},
		{"a/b/c", []string{"a", "b", "c"}, true, ""},
		{"a b", []string{"a b"}, false, ""},
		{"é,ü", []string{"é", "ü"}, false, ""},
		{"a,", []string{"a"}, false, ""},
		{"a,b/c", nil, false, "invalid filter syntax"},
		{",a", nil, false, "invalid filter syntax"},
		{"a,,b", nil, false, "invalid filter syntax"},
		{"a\x01", nil, false, "invalid filter syntax"},
		{"1,2,3,4,5,6", nil, false, "cannot query more than 5 tags"},
		{"1/2/3/4/5/6", nil, true, "cannot query more than 5 tags"},
	}
	for _, tt := range tests {
		tags, anyOf, problem := parseTagFilter(tt.in)
		if problem != tt.problem {
			t.Errorf("parseTagFilter(%q) problem = %q, want %q", tt.in, problem, tt.problem)
			continue
		}
		if problem == "" && (!cmp.Equal(tags, tt.tags) || anyOf != tt.anyOf) {
			t.Errorf("parseTagFilter(%q) = %v, %v; want %v, %v", tt.in, tags, anyOf, tt.tags, tt.anyOf)
		}
	}
}

func TestEscapeURI(t *testing.T) {
	tests := map[string]string{
		"WyJhIl0":  "WyJhIl0",
		"a+b/c=":   "a%2Bb%2Fc%3D",
		"tag one":  "tag%20one",
		"a-._~z09": "a-._~z09",
		"é":        "%C3%A9",
	}
	for in, want := range tests {
		if got := escapeURI(in); got != want {
			t.Errorf("escapeURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLuaTable(t *testing.T) {
	tests := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"id": "x"}, `{id="x"}`},
		{map[string]any{"name": "a", "route": nil, "service": map[string]any{"id": "s"}},
			`{name="a",route=null,service={id="s"}}`},
		{map[string]any{"port": int64(80), "@entity": []any{"m"}}, `{["@entity"]={"m"},port=80}`},
	}
	for _, tt := range tests {
		if got := luaTable(tt.in); got != tt.want {
			t.Errorf("luaTable(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestRouterMatch(t *testing.T) {
	rr := newRouter()
	noop := func(*call) error { return nil }
	for _, p := range []string{
		"/", "/services", "/services/{services}", "/services/{services}/routes/{routes}",
		"/upstreams/{upstreams}/targets/{targets}", "/upstreams/{upstreams}/targets/all",
		"/schemas/{name}", "/schemas/plugins/{name}", "/schemas/plugins/validate",
		"/schemas/{db_entity_name}/validate", "/plugins/{plugins}", "/plugins/enabled",
	} {
		rr.handle(p, "GET", noop)
	}
	tests := []struct {
		path, pattern string
		params        map[string]string
	}{
		{"/", "/", map[string]string{}},
		{"/services", "/services", map[string]string{}},
		{"/services/a%2Fb", "/services/{services}", map[string]string{"services": "a%2Fb"}},
		{"/services/s/routes/r", "/services/{services}/routes/{routes}", map[string]string{"services": "s", "routes": "r"}},
		{"/upstreams/u/targets/all", "/upstreams/{upstreams}/targets/all", map[string]string{"upstreams": "u"}},
		{"/upstreams/u/targets/t", "/upstreams/{upstreams}/targets/{targets}", map[string]string{"upstreams": "u", "targets": "t"}},
		{"/schemas/plugins/validate", "/schemas/plugins/validate", map[string]string{}},
		{"/schemas/plugins/key-auth", "/schemas/plugins/{name}", map[string]string{"name": "key-auth"}},
		{"/schemas/services/validate", "/schemas/{db_entity_name}/validate", map[string]string{"db_entity_name": "services"}},
		{"/schemas/plugins", "/schemas/{name}", map[string]string{"name": "plugins"}},
		{"/plugins/enabled", "/plugins/enabled", map[string]string{}},
		{"/plugins/x", "/plugins/{plugins}", map[string]string{"plugins": "x"}},
		{"/services//routes/r", "", nil},
		{"/nope", "", nil},
		{"/services/", "", nil},
	}
	for _, tt := range tests {
		rt, params := rr.match(tt.path)
		got := ""
		if rt != nil {
			got = rt.pattern
		}
		if got != tt.pattern || (rt != nil && !cmp.Equal(params, tt.params)) {
			t.Errorf("match(%q) = %q %v, want %q %v", tt.path, got, params, tt.pattern, tt.params)
		}
	}
}

func TestRoutePaths(t *testing.T) {
	rr := newRouter()
	for _, p := range []string{"/ab/a", "/a/z", "/ab", "/a", "/", "/a/{x}"} {
		rr.handle(p, "GET", nil)
	}
	want := []string{"/", "/a", "/a/z", "/a/{x}", "/ab", "/ab/a"}
	if diff := cmp.Diff(want, rr.paths()); diff != "" {
		t.Errorf("paths mismatch (-want +got):\n%s", diff)
	}
}

func TestAllow(t *testing.T) {
	rr := newRouter()
	noop := func(*call) error { return nil }
	rt := rr.handle("/x", "GET", noop)
	rr.handle("/x", "POST", noop)
	if got := rt.allow(); got != "GET, HEAD, OPTIONS, POST" {
		t.Errorf("allow = %q", got)
	}
	rt = rr.handle("/y", "PUT", noop)
	if got := rt.allow(); got != "OPTIONS, PUT" {
		t.Errorf("allow = %q", got)
	}
}
