package oauth2

import "github.com/silverback-gw/silverback/internal/schema"

// The client types of oauth2_credentials.
const (
	clientConfidential = "confidential"
	clientPublic       = "public"
)

// Credentials is Kong's oauth2_credentials entity (/oauth2,
// /consumers/{consumer}/oauth2): a client application of a consumer.
var Credentials = &schema.Entity{
	Name: "oauth2_credentials", AdminName: "oauth2", AdminNestedName: "oauth2",
	EndpointKey: "client_id", CacheKey: []string{"client_id"}, Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("consumer", "consumers").Required().Cascade(),
		schema.Str("name").Required(),
		schema.Str("client_id").Unique().Auto(),
		schema.Str("client_secret").Auto(),
		schema.Bool("hash_secret").Required().Default(false),
		schema.ArrayOf("redirect_uris", schema.Str("").Custom(validateRedirectURI)),
		schema.Tags,
		schema.Str("client_type").Required().Default(clientConfidential).OneOf(clientConfidential, clientPublic),
	},
	Transform: hashClientSecret,
}

// hashClientSecret stores the client_secret hashed when hash_secret is
// true (Kong's transformation). A secret already hashed is left alone, so
// that updating another field does not hash the hash.
func hashClientSecret(values map[string]any) {
	secret, _ := values["client_secret"].(string)
	if values["hash_secret"] == true && secret != "" && !isHashed(secret) {
		values["client_secret"] = hashSecret(secret)
	}
}

// AuthorizationCodes is Kong's oauth2_authorization_codes entity: the
// codes of the authorization code grant, valid 5 minutes. It has no Admin
// API and is not exported.
var AuthorizationCodes = &schema.Entity{
	Name: "oauth2_authorization_codes", NoAdminAPI: true, NoExport: true,
	Workspaceable: true, TTL: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("service", "services").Cascade(),
		schema.ForeignKey("credential", "oauth2_credentials").Required().Cascade(),
		schema.Str("code").Unique().Auto(),
		schema.Str("authenticated_userid"),
		schema.Str("scope"),
		schema.Str("challenge"),
		schema.Str("challenge_method").OneOf("S256"),
		schema.ForeignKey("plugin", "plugins").Cascade(),
	},
}

// Tokens is Kong's oauth2_tokens entity (/oauth2_tokens): the access
// tokens issued, with their refresh tokens.
var Tokens = &schema.Entity{
	Name: "oauth2_tokens", EndpointKey: "access_token", CacheKey: []string{"access_token"},
	Workspaceable: true, TTL: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("service", "services").Cascade(),
		schema.ForeignKey("credential", "oauth2_credentials").Required().Cascade(),
		schema.Str("token_type").Required().Default("bearer").OneOf("bearer"),
		schema.Int("expires_in").Required(),
		schema.Str("access_token").Unique().Auto(),
		schema.Str("refresh_token").Unique(),
		schema.Str("authenticated_userid"),
		schema.Str("scope"),
	},
}
