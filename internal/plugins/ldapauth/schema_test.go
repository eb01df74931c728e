package ldapauth_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/store"
)

func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	cases := []struct {
		name, config, fields string // fields: the violation's tree, "" when accepted
	}{
		{"minimal", `{"ldap_host":"ldap.example.org","base_dn":"dc=example,dc=org","attribute":"uid"}`, ""},
		{"ldaps and start_tls", `{"ldap_host":"none","ldap_port":389,"ldaps":true,"start_tls":true,"base_dn":"ou=users","attribute":"cn"}`,
			`{"config":{"@entity":["'ldaps' and 'start_tls' cannot be enabled simultaneously"],"start_tls":"value must be false"}}`},
		{"ldaps alone", `{"ldap_host":"none","ldaps":true,"base_dn":"ou=users","attribute":"cn"}`, ""},
		{"required", `{}`,
			`{"config":{"attribute":"required field missing","base_dn":"required field missing","ldap_host":"required field missing"}}`},
		{"port", `{"ldap_host":"h","ldap_port":70000,"base_dn":"b","attribute":"a"}`,
			`{"config":{"ldap_port":"value should be between 0 and 65535"}}`},
		{"host", `{"ldap_host":"not a host","base_dn":"b","attribute":"a"}`,
			`{"config":{"ldap_host":"invalid value: not a host"}}`},
	}
	for _, c := range cases {
		route := e.Route(e.Service(), "/"+strings.ReplaceAll(c.name, " ", "-"))
		err := e.TryInsert("plugins", `{"name":"ldap-auth",`+plugintest.On("route", route)+`,"config":`+c.config+`}`)
		if c.fields == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		se, ok := store.AsError(err)
		if !ok || se.Code != store.CodeSchemaViolation {
			t.Errorf("%s: %v, want a schema violation", c.name, err)
			continue
		}
		if got, _ := json.Marshal(se.Fields); string(got) != c.fields {
			t.Errorf("%s: fields %s, want %s", c.name, got, c.fields)
		}
	}

	c := e.Insert("consumers", `{"username":"c"}`)
	if err := e.TryInsert("plugins", `{"name":"ldap-auth","consumer":{"id":"`+c+`"},"config":{"ldap_host":"h","base_dn":"b","attribute":"a"}}`); err == nil {
		t.Error("ldap-auth on a consumer accepted")
	}
}

// TestDefaults: the defaults Kong fills in.
func TestDefaults(t *testing.T) {
	e := plugintest.New(t, loaded)
	id := e.Plugin("ldap-auth", "", `{"ldap_host":"ldap.example.org","base_dn":"dc=example,dc=org","attribute":"uid"}`)
	ctx := context.Background()
	var row store.Row
	if err := e.DB.View(ctx, func(tx *store.Txn) error {
		var err error
		row, err = tx.Get(ctx, "plugins", id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(row["config"])
	want := `{"anonymous":null,"attribute":"uid","base_dn":"dc=example,dc=org","cache_ttl":60,"header_type":"ldap",` +
		`"hide_credentials":false,"keepalive":60000,"ldap_host":"ldap.example.org","ldap_port":389,"ldaps":false,` +
		`"realm":null,"start_tls":false,"timeout":10000,"verify_ldap_host":false}`
	if string(got) != want {
		t.Errorf("config\n got %s\nwant %s", got, want)
	}
	if p, _ := json.Marshal(row["protocols"]); string(p) != `["grpc","grpcs","http","https"]` {
		t.Errorf("protocols %s", p)
	}
}
