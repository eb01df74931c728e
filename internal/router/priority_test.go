package router

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPriority(t *testing.T) {
	t.Parallel()
	manyHeaders := map[string][]string{}
	for i := range 300 {
		manyHeaders[fmt.Sprintf("x-%d", i)] = []string{"v"}
	}
	longPath := "/" + strings.Repeat("a", 1<<19+2)
	tests := []struct {
		name  string
		route Route
		want  uint64
	}{
		{"methods + plain host + prefix", Route{Methods: []string{"GET"}, Hosts: []string{"a.com"}, Paths: []string{"/foo"}},
			3<<61 | 1<<60 | 4},
		{"wildcard host + headers", Route{Hosts: []string{"a.com", "*.a.com"}, Headers: map[string][]string{"x": {"1"}, "y": {"2"}}},
			2<<61 | 2<<52},
		{"host with port is plain", Route{Hosts: []string{"a.com:8080"}}, 1<<61 | 1<<60},
		{"regex with regex_priority", Route{Paths: []string{"~/x"}, RegexPriority: 7}, 1<<61 | 1<<51 | 7<<19},
		{"regex_priority ignored for prefixes", Route{Paths: []string{"/x"}, RegexPriority: 7}, 1<<61 | 2},
		{"negative regex_priority fills the high bits", Route{Paths: []string{"~/x"}, RegexPriority: -1}, 0xffff_ffff_fff8_0000},
		{"snis count", Route{SNIs: []string{"x.test"}, Paths: []string{"/a"}}, 2<<61 | 2},
		{"empty hosts is still plain-host-only", Route{Hosts: []string{}, Paths: []string{"/a"}}, 1<<61 | 1<<60 | 2},
		{"headers capped at 255", Route{Headers: manyHeaders}, 1<<61 | 255<<52},
		{"path length masked to 19 bits", Route{Paths: []string{longPath}}, 1<<61 | 3},
		{"all fields", Route{Methods: []string{"GET"}, Hosts: []string{"a"}, Headers: map[string][]string{"x": {"1"}}, Paths: []string{"/"}, SNIs: []string{"a"}},
			5<<61 | 1<<60 | 1<<52 | 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := tt.route
			var g pathGroup
			if groups := splitPaths(rt.Paths); len(groups) > 0 {
				g = groups[0]
			}
			if got := priority(&rt, g); got != tt.want {
				t.Errorf("priority = %#x, want %#x", got, tt.want)
			}
		})
	}
}

func TestSplitPaths(t *testing.T) {
	t.Parallel()
	got := splitPaths([]string{`~/regex.*$`, "/long-path", "/one", "/two", "/three", "~/.*"})
	want := []pathGroup{
		{regex: true, paths: []string{`~/regex.*$`, "~/.*"}},
		{paths: []string{"/long-path"}},
		{paths: []string{"/one", "/two"}},
		{paths: []string{"/three"}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(pathGroup{})); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestUUIDv5(t *testing.T) {
	t.Parallel()
	tests := []struct{ ns, name, want string }{
		// resty.jit-uuid's documented example.
		{"e6ebd542-06ae-11e6-8e82-bba81706b27d", "hello", "4850816f-1658-5890-8bfd-1ed14251f1f0"},
		// Sub-route ids, computed with Python's uuid.uuid5.
		{"7f145bf9-0dce-4f91-98eb-debbce4b9f6b", id(1) + "#1", "086b6591-cafa-58be-b2dd-7640f294421f"},
		{"7f145bf9-0dce-4f91-98eb-debbce4b9f6b", id(1) + "#2", "f3f66107-db02-53dc-baaf-ff30ef99a039"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := uuidV5(mustParseUUID(tt.ns), tt.name); got != mustParseUUID(tt.want) {
				t.Errorf("uuidV5 = %x, want %s", got, tt.want)
			}
		})
	}
}

// TestSplitRouteTieBreak shows that a split sub-route ties with its own
// uuidv5 id, not the route's: 086b... for "/x" loses to 5000..., f3f6...
// for "/yy" beats f000..., although the route id e8fb... would do the
// opposite both times.
func TestSplitRouteTieBreak(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), Paths: []string{"/x", "/yy", `~/z`}},
		{ID: "50000000-0000-4000-8000-000000000000", Paths: []string{"/x"}},
		{ID: "f0000000-0000-4000-8000-000000000000", Paths: []string{"/yy"}},
	}
	runSelect(t, routes, []selectCase{
		{"lower sub-route id loses", Request{Path: "/x"}, "50000000-0000-4000-8000-000000000000"},
		{"higher sub-route id wins", Request{Path: "/yy"}, id(1)},
		{"regex sub-route", Request{Path: "/z"}, id(1)},
	})
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: "not-a-uuid", Paths: []string{"/a"}},
		{ID: id(1), Paths: []string{"/b"}},
		{ID: id(1), Paths: []string{"/c"}},
		{ID: id(2), Paths: []string{"~/("}},
		{ID: id(3), Paths: []string{"/d"}},
	}
	r, err := New(routes)
	// One error per route left out, in the order of their ids.
	want := "route " + id(1) + ": duplicate id\n" +
		"route " + id(2) + ": invalid regex \"~/(\": error parsing regexp: missing closing ): `^/(`\n" +
		"route not-a-uuid: invalid id: expected a UUID"
	if got := errText(err); got != want {
		t.Errorf("New error:\n%s\nwant:\n%s", got, want)
	}
	// The router keeps the routes that compiled.
	for path, wantID := range map[string]string{"/b": id(1), "/c": "", "/d": id(3), "/a": ""} {
		got := ""
		if m, ok := r.Match(&Request{Path: path}); ok {
			got = m.Route.ID
		}
		if got != wantID {
			t.Errorf("Match(%s) = %q, want %q", path, got, wantID)
		}
	}
}
