package acl_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// groupsSetter stands for an auth plugin that authenticates with groups
// (session, Kong's enterprise LDAP): it runs before key-auth and acl and
// leaves the groups of X-Test-Groups in kong.ctx.shared.
const groupsSetter = "test-authenticated-groups"

type groupsSetterHandler struct{}

func (groupsSetterHandler) Access(kong *plugin.PDK) error {
	if g := kong.Request.Header("X-Test-Groups"); g != "" {
		kong.Shared()["authenticated_groups"] = strings.Split(g, ",")
	}
	return nil
}

func init() {
	plugin.Register(plugin.Definition{Name: groupsSetter, Priority: 3000, Version: "1.0.0",
		Schema: plugin.ConfigSchema(plugin.Protocols, nil),
		New:    func(map[string]any) (plugin.Handler, error) { return groupsSetterHandler{}, nil }})
}

// TestAuthenticatedGroups: without a consumer, or with the anonymous one,
// or with always_use_authenticated_groups, acl checks the groups an auth
// plugin authenticated the request with and sends them as
// X-Authenticated-Groups; a consumer with a credential is checked by its
// acls otherwise.
func TestAuthenticatedGroups(t *testing.T) {
	for _, always := range []bool{false, true} {
		e := plugintest.New(t, []string{"key-auth", "acl", groupsSetter})
		route := e.Route(e.Service(), "/")
		e.Plugin(groupsSetter, "", "")
		e.Insert("consumers", `{"username":"guest"}`)
		e.Plugin("key-auth", plugintest.On("route", route), `{"anonymous":"guest"}`)
		config := `{"allow":["gold"]}`
		if always {
			config = `{"allow":["gold"],"always_use_authenticated_groups":true}`
		}
		e.Plugin("acl", plugintest.On("route", route), config)
		alice := e.Insert("consumers", `{"username":"alice"}`)
		e.Insert("keyauth_credentials", `{"consumer":{"id":"`+alice+`"},"key":"k-alice"}`)
		e.Insert("acls", `{"consumer":{"id":"`+alice+`"},"group":"gold"}`)

		cases := []struct {
			name, key, groups string
			status            int
			header, value     string // the groups header the upstream gets
		}{
			{"anonymous with authenticated groups", "", "gold,ops", 200, "X-Authenticated-Groups", "gold, ops"},
			{"anonymous with other groups", "", "silver", 403, "", ""},
			{"anonymous without groups", "", "", 401, "", ""},
			{"credential, consumer groups", "k-alice", "", 200, "X-Consumer-Groups", "gold"},
		}
		if always {
			cases = append(cases, struct {
				name, key, groups string
				status            int
				header, value     string
			}{"credential, authenticated groups win", "k-alice", "silver", 403, "", ""})
		} else {
			cases = append(cases, struct {
				name, key, groups string
				status            int
				header, value     string
			}{"credential, consumer groups win", "k-alice", "silver", 200, "X-Consumer-Groups", "gold"})
		}
		for _, c := range cases {
			h := http.Header{"X-Consumer-Groups": {"spoofed"}, "X-Authenticated-Groups": {"spoofed"}}
			if c.key != "" {
				h.Set("Apikey", c.key)
			}
			if c.groups != "" {
				h.Set("X-Test-Groups", c.groups)
			}
			res, body := e.Do(plugintest.Request{Path: "/", Header: h})
			if res.StatusCode != c.status {
				t.Errorf("always=%v %s: %d %q", always, c.name, res.StatusCode, body)
				continue
			}
			if c.status != 200 {
				continue
			}
			up := plugintest.DecodeEcho(t, body).Headers
			for _, name := range []string{"X-Consumer-Groups", "X-Authenticated-Groups"} {
				want := ""
				if name == c.header {
					want = c.value
				}
				if got := strings.Join(up[name], ","); got != want {
					t.Errorf("always=%v %s: upstream %s = %q, want %q", always, c.name, name, got, want)
				}
			}
		}
	}
}
