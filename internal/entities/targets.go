package entities

import (
	"errors"
	"net/netip"
	"strconv"

	"github.com/silverback-gw/silverback/internal/schema"
)

// DefaultTargetPort is the port a target without one gets (Kong: 8000).
const DefaultTargetPort = 8000

// Targets declares Kong's targets entity. Its timestamps are float seconds
// with millisecond precision.
var Targets = &schema.Entity{
	Name:          "targets",
	EndpointKey:   "target",
	CacheKey:      []string{"upstream", "target"},
	Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAtMs, schema.UpdatedAtMs,
		schema.ForeignKey("upstream", "upstreams").Required().Cascade(),
		schema.Str("target").Required().Custom(func(v any) error {
			_, err := NormalizeTarget(v.(string))
			return err
		}),
		schema.Int("weight").Default(100).Between(0, 65535),
		schema.Tags,
	},
	Transform: func(v map[string]any) {
		if t, err := NormalizeTarget(v["target"].(string)); err == nil {
			v["target"] = t
		}
	},
}

// NormalizeTarget returns a target as Kong stores it: host:port with the
// default port 8000 and IPv6 addresses in brackets.
func NormalizeTarget(t string) (string, error) {
	host, port, ok := schema.SplitHostPort(t)
	invalid := errors.New("Invalid target ('" + t + "'); not a valid hostname or ip address")
	if !ok || host == "" {
		return "", invalid
	}
	if port < 0 {
		port = DefaultTargetPort
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is6() && !a.Is4In6() {
			return "[" + a.String() + "]:" + strconv.Itoa(port), nil
		}
		return a.String() + ":" + strconv.Itoa(port), nil
	}
	if !targetHostRe.MatchString(host) {
		return "", invalid
	}
	return host + ":" + strconv.Itoa(port), nil
}

var targetHostRe = upstreamNameRe

// Target is the runtime's view of a target.
type Target struct {
	ID         string
	UpstreamID string
	Target     string // host:port
	Weight     int
	Tags       []string
}

// TargetFromRow converts a stored targets row.
func TargetFromRow(r map[string]any) *Target {
	return &Target{ID: str(r, "id"), UpstreamID: foreignID(r, "upstream"), Target: str(r, "target"),
		Weight: integer(r, "weight"), Tags: strs(r, "tags")}
}
