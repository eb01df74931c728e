package requesttransformer_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

func TestQuerystring(t *testing.T) {
	for _, c := range []struct{ name, config, sent, want string }{
		{"add", `{"add":{"querystring":["q1:v1"]}}`, "/request?q2=v2", "/request?q1=v1&q2=v2"},
		{"add keeps an existing argument", `{"add":{"querystring":["q1:v1"]}}`, "/request?q1=v2", "/request?q1=v2"},
		{"add with a colon in the value", `{"add":{"querystring":["p1:anything:1"]}}`, "/request", "/request?p1=anything%3A1"},
		{"remove", `{"remove":{"querystring":["q1"]}}`, "/request?q1=v1&q2=v2&q1=v3", "/request?q2=v2"},
		{"rename", `{"rename":{"querystring":["originalparam:renamedparam"]}}`,
			"/request?originalparam=true&nottorename=true", "/request?nottorename=true&renamedparam=true"},
		{"rename of an absent argument", `{"rename":{"querystring":["inexist:exist"]}}`, "/request?exist=true", "/request?exist=true"},
		{"replace", `{"replace":{"querystring":["q1:v1"]}}`, "/request?q1=v&q2=v2", "/request?q1=v1&q2=v2"},
		{"replace of an absent argument", `{"replace":{"querystring":["q1:v1"]}}`, "/request?q2=v2", "/request?q2=v2"},
		{"replace of a repeated argument", `{"replace":{"querystring":["q1:v1"]}}`, "/request?q1=a&q1=b", "/request?q1=v1"},
		{"append", `{"append":{"querystring":["q1:v1","q1:v2","q2:v1"]}}`, "/request", "/request?q1=v1&q1=v2&q2=v1"},
		{"append to an existing argument", `{"append":{"querystring":["q1:v2"]}}`, "/request?q1=v0", "/request?q1=v0&q1=v2"},
		{"append replaces a bare flag", `{"append":{"querystring":["flag:v"]}}`, "/request?flag", "/request?flag=v"},
		{"every operation", `{
			"add":{"querystring":["query-added:newvalue","p1:anything:1"]},
			"remove":{"querystring":["toremovequery"]},
			"append":{"querystring":["p1:a2","p2:b1"]},
			"replace":{"querystring":["toreplacequery:no"]}}`,
			"/request?toremovequery=yes&nottoremove=yes&toreplacequery=yes&q1=20",
			"/request?nottoremove=yes&p1=anything%3A1&p1=a2&p2=b1&q1=20&query-added=newvalue&toreplacequery=no"},
		{"re-encoded, sorted by the encoded pairs", `{"add":{"querystring":["z:~!*'() /?"]}}`,
			"/request?b=a%2fb+c&a-b=1&a=2&flag&empty=&=nokey&&x=%zz",
			"/request?a-b=1&a=2&b=a%2Fb%20c&empty=&flag&x=%25zz&z=~!*'()%20%2F%3F"},
		{"untouched without querystring entries", `{"add":{"headers":["h:v"]}}`,
			"/request?expected=$&+,/:;?@", "/request?expected=$&+,/:;?@"},
		{"a name without value stays bare", `{"remove":{"querystring":["x"]}}`, "/request?flag&x=1", "/request?flag"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, c.config)
			if up := upstream(t, e, plugintest.Request{Path: c.sent}); up.URI != c.want {
				t.Errorf("upstream URI %q, want %q", up.URI, c.want)
			}
		})
	}
}

// TestQueryArgsLimit: like ngx.req.get_uri_args, 100 arguments are read,
// so a transformed query string keeps only those.
func TestQueryArgsLimit(t *testing.T) {
	e := setup(t, `{"add":{"querystring":["added:1"]}}`)
	var sent []string
	for i := range 101 {
		sent = append(sent, "a"+strconv.Itoa(1000+i)+"=x")
	}
	up := upstream(t, e, plugintest.Request{Path: "/request?" + strings.Join(sent, "&")})
	if !strings.Contains(up.URI, "a1099=x") || strings.Contains(up.URI, "a1100=x") || !strings.Contains(up.URI, "added=1") {
		t.Errorf("upstream URI %q, want the first 100 arguments and the added one", up.URI)
	}
}

func TestRemoveWithoutName(t *testing.T) {
	e := setup(t, `{"remove":{"querystring":[":x"]}}`)
	fails(t, e, plugintest.Request{Path: "/request?x=1"})
}
