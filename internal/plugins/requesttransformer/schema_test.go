package requesttransformer_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/store"
)

func TestDefinition(t *testing.T) {
	set, err := plugin.Load([]string{"request-transformer"})
	if err != nil {
		t.Fatal(err)
	}
	d, ok := set.Get("request-transformer")
	if !ok || d.Priority != 801 {
		t.Errorf("definition %v %+v", ok, d)
	}
}

func TestConfigDefaults(t *testing.T) {
	e := plugintest.New(t, loaded)
	id := e.Plugin("request-transformer", "", `{"remove":{"headers":["just_a_key"],"body":["just_a_key"],"querystring":["just_a_key"]}}`)
	var row store.Row
	ctx := context.Background()
	if err := e.DB.View(ctx, func(tx *store.Txn) (err error) { row, err = tx.Get(ctx, "plugins", id); return err }); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(map[string]any{"config": row["config"], "protocols": row["protocols"]})
	const want = `{"config":{` +
		`"add":{"body":[],"headers":[],"querystring":[]},` +
		`"append":{"body":[],"headers":[],"querystring":[]},` +
		`"http_method":null,` +
		`"remove":{"body":["just_a_key"],"headers":["just_a_key"],"querystring":["just_a_key"]},` +
		`"rename":{"body":[],"headers":[],"querystring":[]},` +
		`"replace":{"body":[],"headers":[],"querystring":[],"uri":null}},` +
		`"protocols":["grpc","grpcs","http","https"]}`
	if string(got) != want {
		t.Errorf("stored config\n got %s\nwant %s", got, want)
	}
	svc := e.Service()
	for i, config := range []string{
		`{"http_method":"GET"}`,
		`{"add":{"querystring":["uri_param1:$(uri_captures.user1)","uri_param2:value"]}}`,
		`{"add":{"headers":["h1:","h2:value:2","X_Under-score:$(bad template"]}}`,
		`{"rename":{"headers":["a:B"],"body":["a:b"],"querystring":["a:b"]}}`,
		`{"replace":{"uri":"/x/$(uri_captures[1])","body":["a::b"]},"append":{"body":["p:#hash"]}}`,
		`{"remove":{"body":[":x"],"querystring":["a:b"]}}`,
	} {
		route := e.Route(svc, "/"+strconv.Itoa(i))
		if err := e.TryInsert("plugins", `{"name":"request-transformer",`+plugintest.On("route", route)+`,"config":`+config+`}`); err != nil {
			t.Errorf("%s refused: %v", config, err)
		}
	}
}

// TestConfigRefusals: Kong's messages for invalid entries.
func TestConfigRefusals(t *testing.T) {
	e := plugintest.New(t, loaded)
	nulls := `{"body":null,"headers":null,"querystring":null}`
	missing := `{"body":"required field missing","headers":"required field missing","querystring":"required field missing"}`
	for _, c := range []struct{ config, fields string }{
		{`{"http_method":"HELLO!"}`, `{"http_method":"invalid value: HELLO!"}`},
		{`{"http_method":"get"}`, `{"http_method":"invalid value: get"}`},
		{`{"add":{"headers":["just_a_key"]}}`, `{"add":{"headers":["invalid value: just_a_key"]}}`},
		{`{"replace":{"headers":["just_a_key"]}}`, `{"replace":{"headers":["invalid value: just_a_key"]}}`},
		{`{"append":{"headers":["ok:1","just_a_key"]}}`, `{"append":{"headers":[null,"invalid value: just_a_key"]}}`},
		{`{"rename":{"headers":["just_a_key"]}}`, `{"rename":{"headers":["invalid value: just_a_key"]}}`},
		{`{"add":{"querystring":["uri_param2:"]}}`, `{"add":{"querystring":["key 'uri_param2' has no value"]}}`},
		{`{"add":{"body":["just_a_key"]}}`, `{"add":{"body":["key 'just_a_key' has no value"]}}`},
		{`{"add":{"querystring":["uri_param2:$(uri_captures user2)"]}}`,
			`{"add":{"querystring":["value '$(uri_captures user2)' is not in supported format, error:[string \"TMP\"]:1: ')' expected near 'user2'"]}}`},
		{`{"append":{"body":["p:$()"]}}`,
			`{"append":{"body":["value '$()' is not in supported format, error:[string \"TMP\"]:1: unexpected symbol near ')'"]}}`},
		{`{"add":{"headers":["bad header:v"]}}`, `{"add":{"headers":["'bad header' is not a valid header"]}}`},
		{`{"remove":{"headers":["x.y"]}}`, `{"remove":{"headers":["'x.y' is not a valid header"]}}`},
		{`{"remove":{"headers":[":x"]}}`, `{"remove":{"headers":["'nil' is not a valid header"]}}`},
		{`{"rename":{"headers":["a:"]}}`, `{"rename":{"headers":["'' is not a valid header"]}}`},
		{`{"rename":{"headers":["a:b c"]}}`, `{"rename":{"headers":["'b c' is not a valid header"]}}`},
		{`{"add":{"headers":[""]}}`, `{"add":{"headers":["length must be at least 1"]}}`},
		{`{"replace":{"uri":""}}`, `{"replace":{"uri":"length must be at least 1"}}`},
		{`{"add":{"headers":"x:y"}}`, `{"add":{"headers":"expected an array"}}`},
		{`{"add":{"cookies":[]}}`, `{"add":{"cookies":"unknown field"}}`},
		{`{"remove":` + nulls + `,"rename":` + nulls + `,"replace":` + nulls + `,"add":` + nulls + `,"append":` + nulls + `}`,
			`{"add":` + missing + `,"append":` + missing + `,"remove":` + missing + `,"rename":` + missing + `,"replace":` + missing + `}`},
	} {
		err := e.TryInsert("plugins", `{"name":"request-transformer","config":`+c.config+`}`)
		var se *store.Error
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a schema violation", c.config, err)
			continue
		}
		got, _ := json.Marshal(se.Fields["config"])
		if string(got) != c.fields {
			t.Errorf("%s:\n got %s\nwant %s", c.config, got, c.fields)
		}
	}
}
