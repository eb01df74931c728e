package jwt

import (
	"slices"

	"github.com/silverback-gw/silverback/internal/schema"
)

// algorithms are the signature algorithms a jwt_secret can use, in Kong's
// order; HS256 is the default.
var algorithms = []any{
	"HS256", "HS384", "HS512",
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
	"EdDSA",
}

// keyRequired lists the algorithms whose credentials Kong requires to hold
// a parseable rsa_public_key. ES256/384/512 are not among them in Kong
// 3.9: such a credential without a key refuses every token ("Invalid
// key/secret").
var keyRequired = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"}

// Secrets is Kong's jwt_secrets entity (/jwts, /consumers/{consumer}/jwt).
var Secrets = &schema.Entity{
	Name: "jwt_secrets", AdminName: "jwts", AdminNestedName: "jwt",
	EndpointKey: "key", CacheKey: []string{"key"}, Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("consumer", "consumers").Required().Cascade(),
		schema.Str("key").Unique().Auto(),
		schema.Str("secret").Auto(),
		schema.Str("rsa_public_key"),
		schema.Str("algorithm").Default("HS256").OneOf(algorithms...),
		schema.Tags,
	},
	Checks: []schema.Check{publicKeyCheck()},
}

// publicKeyCheck is Kong's conditional entity check: RS*, PS* and EdDSA
// credentials need an rsa_public_key that parses as a key.
func publicKeyCheck() schema.Check {
	const msg = "failed conditional validation given value of field 'algorithm'"
	c := schema.Custom([]string{"algorithm", "rsa_public_key"}, func(values map[string]any, _ schema.Op, errs schema.Errors) {
		if alg, _ := values["algorithm"].(string); !slices.Contains(keyRequired, alg) {
			return
		}
		pem, ok := values["rsa_public_key"].(string)
		switch {
		case !ok:
			errs["rsa_public_key"] = "required field missing"
		case !validKey(pem):
			errs["rsa_public_key"] = "invalid key"
		default:
			return
		}
		errs.AddEntity(msg)
	})
	patterns := make([]any, len(keyRequired))
	for i, alg := range keyRequired {
		patterns[i] = "^" + alg + "$"
	}
	c.JSON = map[string]any{"conditional": map[string]any{
		"if_field": "algorithm", "if_match": map[string]any{"match_any": map[string]any{"patterns": patterns}},
		"then_field": "rsa_public_key", "then_match": map[string]any{"required": true},
	}}
	return c
}
