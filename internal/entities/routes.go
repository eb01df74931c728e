package entities

import (
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Routes declares Kong's routes entity (traditional_compatible flavor).
var Routes = &schema.Entity{
	Name:          "routes",
	EndpointKey:   "name",
	Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt, schema.UpdatedAt,
		schema.UTF8Name,
		schema.SetOf("protocols", schema.Protocol.Required()).Required().LenMin(1).
			Default([]any{"http", "https"}).Custom(validateProtocolSets),
		schema.Int("https_redirect_status_code").Required().Default(426).OneOf(426, 301, 302, 307, 308),
		schema.Bool("strip_path").Required().Default(true),
		schema.Bool("preserve_host").Required().Default(false),
		schema.Bool("request_buffering").Required().Default(true),
		schema.Bool("response_buffering").Required().Default(true),
		schema.Tags,
		schema.ForeignKey("service", "services"),
		schema.SetOf("snis", schema.WildcardHost),
		schema.SetOf("sources", endpointRecord()),
		schema.SetOf("destinations", endpointRecord()),
		schema.SetOf("methods", schema.Str("").Match(`^[A-Z]+$`, "^%u+$", "")),
		schema.ArrayOf("hosts", schema.Str("").Custom(validateRouteHost)),
		schema.ArrayOf("paths", schema.Str("").Custom(validateRoutePath)),
		schema.MapOf("headers", schema.HeaderName, schema.ArrayOf("", schema.Str(""))).Custom(validateRouteHeaders),
		schema.Int("regex_priority").Default(0),
		schema.Str("path_handling").Default("v0").OneOf("v0", "v1"),
	},
	Checks: []schema.Check{
		schema.Custom([]string{"snis", "protocols"}, checkRouteSNIs),
		schema.Custom([]string{"protocols", "methods", "hosts", "paths", "headers", "snis", "sources", "destinations", "strip_path"}, checkRouteProtocols),
	},
	Normalize: func(in map[string]any, op schema.Op) {
		// gRPC routes default strip_path to false (routes_subschemas.lua).
		if _, set := in["strip_path"]; !set && op != schema.OpUpdate && onlyGRPC(in["protocols"]) {
			in["strip_path"] = false
		}
	},
}

func endpointRecord() schema.Field {
	return schema.RecordOf("", schema.IPOrCIDR.Named("ip"), schema.Port.Named("port")).
		Custom(func(v any) error {
			m := v.(map[string]any)
			if m["ip"] == nil && m["port"] == nil {
				return errors.New("at least one of these fields must be non-empty: 'ip', 'port'")
			}
			return nil
		})
}

func validateRoutePath(v any) error { return router.ValidatePath(v.(string)) }
func validateRouteHost(v any) error { return router.ValidateHost(v.(string)) }

func validateRouteHeaders(v any) error {
	for name := range v.(map[string]any) {
		if strings.EqualFold(name, "host") {
			return errors.New("cannot contain 'host' header, which must be specified in the 'hosts' attribute")
		}
	}
	return nil
}

var protocolSets = [][]string{{"http", "https"}, {"tcp", "tls", "udp"}, {"tls_passthrough"}, {"grpc", "grpcs"}}

func validateProtocolSets(v any) error {
	seen := map[int]bool{}
	for _, p := range v.([]any) {
		for i, set := range protocolSets {
			for _, s := range set {
				if p == s {
					seen[i] = true
				}
			}
		}
	}
	if len(seen) > 1 {
		parts := make([]string, len(protocolSets))
		for i, set := range protocolSets {
			parts[i] = "('" + strings.Join(set, "', '") + "')"
		}
		return errors.New("these sets are mutually exclusive: " + strings.Join(parts, ", "))
	}
	return nil
}

func protocolsOf(v any) map[string]bool {
	out := map[string]bool{}
	items, _ := v.([]any)
	for _, p := range items {
		if s, ok := p.(string); ok {
			out[s] = true
		}
	}
	return out
}

func onlyGRPC(v any) bool {
	ps := protocolsOf(v)
	return len(ps) > 0 && (ps["grpc"] || ps["grpcs"]) && !ps["http"] && !ps["https"]
}

// checkRouteSNIs is Kong's conditional check on snis: unless a protocol
// carries TLS, snis must be empty ("length must be 0" on the field, the
// check's message on the entity).
func checkRouteSNIs(v map[string]any, _ schema.Op, errs schema.Errors) {
	ps := protocolsOf(v["protocols"])
	if schema.IsNonEmpty(v["snis"]) && !ps["https"] && !ps["grpcs"] && !ps["tls"] && !ps["tls_passthrough"] {
		errs.AddEntity("'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'")
		errs["snis"] = "length must be 0"
	}
}

// checkRouteProtocols applies Kong's per-protocol route subschemas: which
// matching fields a route may set and which it must set.
func checkRouteProtocols(v map[string]any, _ schema.Op, errs schema.Errors) {
	ps := protocolsOf(v["protocols"])
	forbid := func(when string, fields ...string) {
		for _, f := range fields {
			if schema.IsNonEmpty(v[f]) {
				errs[f] = "cannot set '" + f + "' when 'protocols' is " + when
			}
		}
	}
	require := func(msg string, fields ...string) {
		for _, f := range fields {
			if schema.IsNonEmpty(v[f]) {
				return
			}
		}
		errs.AddEntity(msg)
	}
	switch {
	case ps["http"] || ps["https"]:
		forbid("'http' or 'https'", "sources", "destinations")
		if ps["https"] {
			require("must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'",
				"methods", "hosts", "headers", "paths", "snis")
		} else {
			require("must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'",
				"methods", "hosts", "headers", "paths")
		}
	case ps["grpc"] || ps["grpcs"]:
		forbid("'grpc' or 'grpcs'", "methods", "sources", "destinations")
		if v["strip_path"] == true {
			errs["strip_path"] = "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"
		}
		if ps["grpcs"] {
			require("must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'",
				"hosts", "headers", "paths", "snis")
		} else {
			require("must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'",
				"hosts", "headers", "paths")
		}
	case ps["tls_passthrough"]:
		forbid("'tcp', 'tls', 'tls_passthrough' or 'udp'", "methods", "hosts", "paths", "headers")
		require("must set snis when 'protocols' is 'tls_passthrough'", "snis")
	case ps["tcp"] || ps["tls"] || ps["udp"]:
		forbid("'tcp', 'tls', 'tls_passthrough' or 'udp'", "methods", "hosts", "paths", "headers")
		require("must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'",
			"sources", "destinations", "snis")
	}
}

// Route is the runtime's view of a route.
type Route struct {
	ID                      string
	Name                    string
	Protocols               []string
	HTTPSRedirectStatusCode int
	StripPath               bool
	PreserveHost            bool
	RequestBuffering        bool
	ResponseBuffering       bool
	Tags                    []string
	ServiceID               string
	SNIs                    []string
	Sources                 []Endpoint
	Destinations            []Endpoint
	Methods                 []string
	Hosts                   []string
	Paths                   []string
	Headers                 map[string][]string
	RegexPriority           int
	PathHandling            string
}

// Endpoint is an element of a stream route's sources or destinations.
type Endpoint struct {
	// IP is an address or a CIDR range, "" when unset.
	IP string
	// Port is 0 when unset.
	Port int
}

func endpoints(r map[string]any, k string) []Endpoint {
	items, _ := r[k].([]any)
	if len(items) == 0 {
		return nil
	}
	out := make([]Endpoint, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, Endpoint{IP: str(m, "ip"), Port: integer(m, "port")})
		}
	}
	return out
}

// RouteFromRow converts a stored routes row.
func RouteFromRow(r map[string]any) *Route {
	rt := &Route{
		ID:                      str(r, "id"),
		Name:                    str(r, "name"),
		Protocols:               strs(r, "protocols"),
		HTTPSRedirectStatusCode: integer(r, "https_redirect_status_code"),
		StripPath:               boolean(r, "strip_path"),
		PreserveHost:            boolean(r, "preserve_host"),
		RequestBuffering:        boolean(r, "request_buffering"),
		ResponseBuffering:       boolean(r, "response_buffering"),
		Tags:                    strs(r, "tags"),
		ServiceID:               foreignID(r, "service"),
		SNIs:                    strs(r, "snis"),
		Sources:                 endpoints(r, "sources"),
		Destinations:            endpoints(r, "destinations"),
		Methods:                 strs(r, "methods"),
		Hosts:                   strs(r, "hosts"),
		Paths:                   strs(r, "paths"),
		RegexPriority:           integer(r, "regex_priority"),
		PathHandling:            str(r, "path_handling"),
	}
	if h, ok := r["headers"].(map[string]any); ok && len(h) > 0 {
		rt.Headers = make(map[string][]string, len(h))
		for k := range h {
			rt.Headers[k] = strs(h, k)
		}
	}
	return rt
}
