package entities

import (
	"errors"
	"net/netip"
	"regexp"

	"github.com/silverback-gw/silverback/internal/schema"
)

var hashValues = []any{"none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}

// Upstreams declares Kong's upstreams entity.
var Upstreams = &schema.Entity{
	Name:          "upstreams",
	EndpointKey:   "name",
	Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt, schema.UpdatedAt,
		schema.Str("name").Required().Unique().Custom(validateUpstreamName),
		schema.Str("algorithm").Default("round-robin").OneOf("consistent-hashing", "least-connections", "round-robin", "latency"),
		schema.Str("hash_on").Default("none").OneOf(hashValues...),
		schema.Str("hash_fallback").Default("none").OneOf(hashValues...),
		schema.HeaderName.Named("hash_on_header"),
		schema.HeaderName.Named("hash_fallback_header"),
		schema.Str("hash_on_cookie").Custom(validateCookieName),
		schema.Path.Named("hash_on_cookie_path").Default("/"),
		schema.Str("hash_on_query_arg"),
		schema.Str("hash_fallback_query_arg"),
		schema.Str("hash_on_uri_capture"),
		schema.Str("hash_fallback_uri_capture"),
		schema.Int("slots").Default(10000).Between(10, 1<<16),
		healthchecksField(),
		schema.Tags,
		schema.HostWithOptionalPort.Named("host_header"),
		schema.ForeignKey("client_certificate", "certificates"),
		schema.Bool("use_srv_name").Default(false),
	},
	Checks: []schema.Check{
		whenThenRequired("hash_on", "header", "hash_on_header"),
		whenThenRequired("hash_fallback", "header", "hash_fallback_header"),
		whenThenRequired("hash_on", "cookie", "hash_on_cookie"),
		whenThenRequired("hash_fallback", "cookie", "hash_on_cookie"),
		schema.Conditional("hash_on", schema.Cond{OneOf: []any{"none"}}, "hash_fallback", schema.Cond{OneOf: []any{"none"}}),
		schema.Conditional("hash_on", schema.Cond{OneOf: []any{"cookie"}}, "hash_fallback", schema.Cond{OneOf: []any{"none"}}),
		schema.Conditional("hash_on", schema.Cond{OneOf: []any{"consumer"}}, "hash_fallback", schema.Cond{NotOneOf: []any{"consumer"}}),
		schema.Conditional("hash_on", schema.Cond{OneOf: []any{"ip"}}, "hash_fallback", schema.Cond{NotOneOf: []any{"ip"}}),
		schema.Conditional("hash_on", schema.Cond{OneOf: []any{"path"}}, "hash_fallback", schema.Cond{NotOneOf: []any{"path"}}),
		whenThenRequired("hash_on", "query_arg", "hash_on_query_arg"),
		whenThenRequired("hash_fallback", "query_arg", "hash_fallback_query_arg"),
		whenThenRequired("hash_on", "uri_capture", "hash_on_uri_capture"),
		whenThenRequired("hash_fallback", "uri_capture", "hash_fallback_uri_capture"),
		schema.Distinct("hash_on_header", "hash_fallback_header"),
		schema.Distinct("hash_on_query_arg", "hash_fallback_query_arg"),
		schema.Distinct("hash_on_uri_capture", "hash_fallback_uri_capture"),
	},
	Normalize: normalizeUpstream,
}

func whenThenRequired(ifField, value, thenField string) schema.Check {
	return schema.Conditional(ifField, schema.Cond{OneOf: []any{value}}, thenField, schema.Cond{Required: true})
}

// normalizeUpstream couples algorithm and hash_on as Kong's upstreams
// shorthands do: least-connections and latency clear hash_on; hash_on none
// means round-robin and any other hash_on means consistent-hashing.
func normalizeUpstream(in map[string]any, _ schema.Op) {
	if a, ok := in["algorithm"]; ok && (a == "least-connections" || a == "latency") {
		in["hash_on"] = nil
	}
	h, ok := in["hash_on"]
	switch {
	case !ok:
	case h == nil:
		in["hash_on"] = "none"
	case h == "none":
		in["algorithm"] = "round-robin"
	default:
		if _, isStr := h.(string); isStr {
			in["algorithm"] = "consistent-hashing"
		}
	}
}

func validateUpstreamName(v any) error {
	s := v.(string)
	h, port, ok := schema.SplitHostPort(s)
	if _, err := netip.ParseAddr(h); err == nil {
		return errors.New("Invalid name ('" + s + "'); no ip addresses allowed")
	}
	if port >= 0 || !ok {
		return errors.New("Invalid name ('" + s + "'); no port allowed")
	}
	if !upstreamNameRe.MatchString(s) {
		return errors.New("Invalid name ('" + s + "'); must be a valid hostname")
	}
	return nil
}

var (
	upstreamNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$`)
	cookieNameRe   = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

func validateCookieName(v any) error {
	s := v.(string)
	if !cookieNameRe.MatchString(s) {
		return errors.New("invalid value: " + s)
	}
	return nil
}

func statuses(name string, codes ...int) schema.Field {
	def := make([]any, len(codes))
	for i, c := range codes {
		def[i] = int64(c)
	}
	return schema.ArrayOf(name, schema.Int("").Between(100, 999)).Default(def)
}

func counter(name string) schema.Field { return schema.Int(name).Default(0).Between(0, 255) }

func interval(name string) schema.Field { return schema.Num(name).Default(0).Between(0, 65535) }

func healthchecksField() schema.Field {
	return schema.RecordOf("healthchecks",
		schema.RecordOf("active",
			schema.Str("type").Default("http").OneOf("tcp", "http", "https", "grpc", "grpcs"),
			schema.Num("timeout").Default(1).Between(0, 65535),
			schema.Int("concurrency").Default(10).Between(1, 1<<31),
			schema.Path.Named("http_path").Default("/"),
			schema.SNI.Named("https_sni"),
			schema.Bool("https_verify_certificate").Required().Default(true),
			schema.MapOf("headers", schema.HeaderName, schema.ArrayOf("", schema.Str(""))),
			schema.RecordOf("healthy",
				interval("interval"),
				statuses("http_statuses", 200, 302),
				counter("successes"),
			),
			schema.RecordOf("unhealthy",
				interval("interval"),
				statuses("http_statuses", 429, 404, 500, 501, 502, 503, 504, 505),
				counter("tcp_failures"),
				counter("timeouts"),
				counter("http_failures"),
			),
		),
		schema.RecordOf("passive",
			schema.Str("type").Default("http").OneOf("tcp", "http", "https", "grpc", "grpcs"),
			schema.RecordOf("healthy",
				statuses("http_statuses", 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
					300, 301, 302, 303, 304, 305, 306, 307, 308),
				counter("successes"),
			),
			schema.RecordOf("unhealthy",
				statuses("http_statuses", 429, 500, 503),
				counter("tcp_failures"),
				counter("timeouts"),
				counter("http_failures"),
			),
		),
		schema.Num("threshold").Default(0).Between(0, 100),
	)
}

// Upstream is the runtime's view of an upstream.
type Upstream struct {
	ID           string
	Name         string
	Algorithm    string
	HashOn       string
	HashFallback string
	// The names hash_on and hash_fallback read: header, cookie (with its
	// path), query argument and URI capture.
	HashOnHeader, HashFallbackHeader     string
	HashOnCookie, HashOnCookiePath       string
	HashOnQueryArg, HashFallbackQueryArg string
	HashOnURICapture                     string
	HashFallbackURICapture               string
	Slots                                int
	HostHeader                           string
	Healthchecks                         map[string]any
	Tags                                 []string
	UseSRVName                           bool
}

// UpstreamFromRow converts a stored upstreams row.
func UpstreamFromRow(r map[string]any) *Upstream {
	hc, _ := r["healthchecks"].(map[string]any)
	return &Upstream{
		ID: str(r, "id"), Name: str(r, "name"), Algorithm: str(r, "algorithm"),
		HashOn: str(r, "hash_on"), HashFallback: str(r, "hash_fallback"), Slots: integer(r, "slots"),
		HashOnHeader: str(r, "hash_on_header"), HashFallbackHeader: str(r, "hash_fallback_header"),
		HashOnCookie: str(r, "hash_on_cookie"), HashOnCookiePath: str(r, "hash_on_cookie_path"),
		HashOnQueryArg: str(r, "hash_on_query_arg"), HashFallbackQueryArg: str(r, "hash_fallback_query_arg"),
		HashOnURICapture: str(r, "hash_on_uri_capture"), HashFallbackURICapture: str(r, "hash_fallback_uri_capture"),
		HostHeader: str(r, "host_header"), Healthchecks: hc, Tags: strs(r, "tags"),
		UseSRVName: boolean(r, "use_srv_name"),
	}
}
