package session

import (
	"crypto/rand"
	"encoding/base64"
	"math/big"
	"strings"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration. A field the user set to null
// keeps lua-resty-session's own default, which newHandler puts in first
// (the schema's defaults apply when a field is absent).
type Config struct {
	Secret                  *string  `json:"secret"`
	Storage                 string   `json:"storage"`
	Audience                string   `json:"audience"`
	IdlingTimeout           float64  `json:"idling_timeout"`
	RollingTimeout          float64  `json:"rolling_timeout"`
	AbsoluteTimeout         float64  `json:"absolute_timeout"`
	StaleTTL                float64  `json:"stale_ttl"`
	CookieName              string   `json:"cookie_name"`
	CookiePath              string   `json:"cookie_path"`
	CookieDomain            string   `json:"cookie_domain"`
	CookieSameSite          string   `json:"cookie_same_site"`
	CookieHTTPOnly          bool     `json:"cookie_http_only"`
	CookieSecure            bool     `json:"cookie_secure"`
	Remember                bool     `json:"remember"`
	RememberCookieName      string   `json:"remember_cookie_name"`
	RememberRollingTimeout  float64  `json:"remember_rolling_timeout"`
	RememberAbsoluteTimeout float64  `json:"remember_absolute_timeout"`
	ResponseHeaders         []string `json:"response_headers"`
	RequestHeaders          []string `json:"request_headers"`
	ReadBodyForLogout       bool     `json:"read_body_for_logout"`
	LogoutMethods           []string `json:"logout_methods"`
	LogoutQueryArg          string   `json:"logout_query_arg"`
	LogoutPostArg           string   `json:"logout_post_arg"`
}

// libraryDefaults are lua-resty-session's defaults, used for fields set to
// null (cookie_same_site is then Lax and cookie_secure false, unlike the
// schema's defaults).
func libraryDefaults() Config {
	return Config{
		Storage: "cookie", Audience: "default",
		IdlingTimeout: 900, RollingTimeout: 3600, AbsoluteTimeout: 86400, StaleTTL: 10,
		CookieName: "session", CookiePath: "/", CookieSameSite: "Lax", CookieHTTPOnly: true,
		RememberCookieName: "remember", RememberRollingTimeout: 604800, RememberAbsoluteTimeout: 2592000,
	}
}

// Session properties that response_headers and request_headers can send.
var headerProperties = []any{"id", "audience", "subject", "timeout", "idling-timeout", "rolling-timeout", "absolute-timeout"}

var configSchema = func() *schema.Subschema {
	sub := plugin.NoConsumer(plugin.ConfigSchema(plugin.Protocols, configFields))
	sub.Fields[1] = sub.Fields[1].Shorthands(shorthands...)
	return sub
}()

var configFields = []schema.Field{
	schema.Str("secret").Default(randomSecret()).Referenceable(),
	schema.Str("storage").OneOf("cookie", "kong").Default("cookie"),
	schema.Str("audience").Default("default"),
	schema.Num("idling_timeout").Default(900),
	schema.Num("rolling_timeout").Default(3600),
	schema.Num("absolute_timeout").Default(86400),
	schema.Num("stale_ttl").Default(10),
	schema.Str("cookie_name").Default("session"),
	schema.Str("cookie_path").Default("/"),
	schema.Str("cookie_domain"),
	schema.Str("cookie_same_site").OneOf("Strict", "Lax", "None", "Default").Default("Strict"),
	schema.Bool("cookie_http_only").Default(true),
	schema.Bool("cookie_secure").Default(true),
	schema.Bool("remember").Default(false),
	schema.Str("remember_cookie_name").Default("remember"),
	schema.Num("remember_rolling_timeout").Default(604800),
	schema.Num("remember_absolute_timeout").Default(2592000),
	schema.SetOf("response_headers", schema.Str("").OneOf(headerProperties...)),
	schema.SetOf("request_headers", schema.Str("").OneOf(headerProperties...)),
	schema.Bool("read_body_for_logout").Default(false),
	schema.SetOf("logout_methods", schema.Str("").OneOf("GET", "POST", "DELETE")).Default([]any{"POST", "DELETE"}),
	schema.Str("logout_query_arg").Default("session_logout"),
	schema.Str("logout_post_arg").Default("session_logout"),
}

// randomSecret is the secret's default, drawn once per process as Kong
// draws it when its schema loads: 32 random bytes in base64 (44
// characters) where every "/" becomes one random digit, every "+" one
// random upper-case letter and "=" one random lower-case letter.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return strings.NewReplacer(
		"/", string(randomChar('0', 10)),
		"+", string(randomChar('A', 26)),
		"=", string(randomChar('a', 26)),
	).Replace(base64.StdEncoding.EncodeToString(b))
}

func randomChar(first byte, n int64) byte {
	i, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return first + byte(i.Int64())
}

// Sessions is Kong's sessions entity (/sessions), where storage "kong"
// keeps session data: session_id is the base64url session id of the
// cookie, data the encrypted payload, expires a Unix time; rows expire by
// ttl. It is never exported.
var Sessions = &schema.Entity{
	Name: "sessions", EndpointKey: "session_id", CacheKey: []string{"session_id"},
	TTL: true, NoExport: true,
	Fields: []schema.Field{
		schema.ID,
		schema.Str("session_id").Unique().Required(),
		schema.Int("expires"),
		schema.Str("data"),
		schema.CreatedAt,
	},
}
