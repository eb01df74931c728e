package jwt_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/store"
)

// fieldsJSON returns the per-field errors of a schema violation as JSON.
func fieldsJSON(t *testing.T, err error) string {
	t.Helper()
	e, ok := store.AsError(err)
	if !ok || e.Code != store.CodeSchemaViolation {
		t.Fatalf("not a schema violation: %v", err)
	}
	b, _ := json.Marshal(e.Fields)
	return string(b)
}

func TestConfigSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	id := e.Plugin("jwt", "", "")
	var config map[string]any
	ctx := context.Background()
	_ = e.DB.View(ctx, func(tx *store.Txn) error {
		row, err := tx.Get(ctx, "plugins", id)
		if err == nil {
			config, _ = row["config"].(map[string]any)
		}
		return err
	})
	b, _ := json.Marshal(config)
	want := `{"anonymous":null,"claims_to_verify":null,"cookie_names":[],"header_names":["authorization"],"key_claim_name":"iss",` +
		`"maximum_expiration":0,"realm":null,"run_on_preflight":true,"secret_is_base64":false,"uri_param_names":["jwt"]}`
	if string(b) != want {
		t.Errorf("defaults:\n%s\nwant\n%s", b, want)
	}

	c := e.Insert("consumers", `{"username":"c"}`)
	cases := []struct{ name, body, fields string }{
		{"maximum_expiration without exp", `{"config":{"maximum_expiration":60,"claims_to_verify":["nbf"]}}`,
			`{"@entity":["failed conditional validation given value of field 'config.maximum_expiration'"],"config":{"claims_to_verify":"expected to contain: exp"}}`},
		{"maximum_expiration without claims", `{"config":{"maximum_expiration":60}}`,
			`{"@entity":["failed conditional validation given value of field 'config.maximum_expiration'"],"config":{"claims_to_verify":"expected to contain: exp"}}`},
		{"negative maximum_expiration", `{"config":{"maximum_expiration":-1,"claims_to_verify":["exp","nbf"]}}`,
			`{"config":{"maximum_expiration":"value should be between 0 and 31536000"}}`},
		{"maximum_expiration too large", `{"config":{"maximum_expiration":31536001,"claims_to_verify":["exp"]}}`,
			`{"config":{"maximum_expiration":"value should be between 0 and 31536000"}}`},
		{"unknown claim", `{"config":{"claims_to_verify":["iat"]}}`,
			`{"config":{"claims_to_verify":["expected one of: exp, nbf"]}}`},
		{"on a consumer", `{"consumer":{"id":"` + c + `"}}`, `{"consumer":"value must be null"}`},
	}
	for _, tc := range cases {
		var in map[string]any
		_ = json.Unmarshal([]byte(tc.body), &in)
		in["name"] = "jwt"
		b, _ := json.Marshal(in)
		err := e.TryInsert("plugins", string(b))
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if got := fieldsJSON(t, err); got != tc.fields {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.fields)
		}
	}
	route := e.Route(e.Service(), "/")
	if err := e.TryInsert("plugins", `{"name":"jwt",`+plugintest.On("route", route)+`,"config":{"maximum_expiration":60,"claims_to_verify":["exp","nbf"]}}`); err != nil {
		t.Errorf("maximum_expiration with exp: %v", err)
	}
}

func TestSecretsSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	c := e.Insert("consumers", `{"username":"c"}`)
	consumer := `"consumer":{"id":"` + c + `"}`
	_, rsPEM := signer("RS256", "")
	const conditional = `"@entity":["failed conditional validation given value of field 'algorithm'"]`
	cases := []struct{ name, body, fields string }{
		{"RS256 without key", `{"algorithm":"RS256"}`, `{` + conditional + `,"rsa_public_key":"required field missing"}`},
		{"RS256 with a bad key", `{"algorithm":"RS256","rsa_public_key":"test"}`, `{` + conditional + `,"rsa_public_key":"invalid key"}`},
		{"PS512 without key", `{"algorithm":"PS512"}`, `{` + conditional + `,"rsa_public_key":"required field missing"}`},
		{"EdDSA with a bad key", `{"algorithm":"EdDSA","rsa_public_key":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}`,
			`{` + conditional + `,"rsa_public_key":"invalid key"}`},
		{"unknown algorithm", `{"algorithm":"none"}`,
			`{"algorithm":"expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA"}`},
		{"empty key", `{"algorithm":"RS256","rsa_public_key":""}`, `{"rsa_public_key":"length must be at least 1"}`},
	}
	for _, tc := range cases {
		err := e.TryInsert("jwt_secrets", `{`+consumer+`,`+tc.body[1:])
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if got := fieldsJSON(t, err); got != tc.fields {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.fields)
		}
	}
	for _, ok := range []string{
		`{"algorithm":"RS256","rsa_public_key":` + quote(rsPEM) + `}`,
		`{"algorithm":"ES256"}`, // Kong does not require ES keys
		`{"key":"given","secret":"tooshort"}`,
	} {
		if err := e.TryInsert("jwt_secrets", `{`+consumer+`,`+ok[1:]); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}

	// key and secret are generated, algorithm defaults to HS256
	var row store.Row
	ctx := context.Background()
	err := e.DB.Update(ctx, func(tx *store.Txn) error {
		var err error
		row, err = tx.Insert(ctx, "jwt_secrets", map[string]any{"consumer": map[string]any{"id": c}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := row["key"].(string)
	secret, _ := row["secret"].(string)
	if len(key) != 32 || len(secret) != 32 || row["algorithm"] != "HS256" || row["rsa_public_key"] != nil {
		t.Errorf("generated: %v", row)
	}
	if err := e.TryInsert("jwt_secrets", `{`+consumer+`,"key":"given"}`); err == nil {
		t.Error("duplicate key accepted")
	}
}
