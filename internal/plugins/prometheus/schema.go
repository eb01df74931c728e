package prometheus

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration: which metric families the
// instance feeds.
type Config struct {
	// PerConsumer fills the consumer label (the consumer's username).
	PerConsumer bool `json:"per_consumer"`
	// StatusCodeMetrics feeds kong_http_requests_total.
	StatusCodeMetrics bool `json:"status_code_metrics"`
	// AIMetrics feeds the kong_ai_llm_* families (no plugin of this
	// gateway produces AI data).
	AIMetrics bool `json:"ai_metrics"`
	// LatencyMetrics feeds kong_kong_latency_ms, kong_upstream_latency_ms
	// and kong_request_latency_ms.
	LatencyMetrics bool `json:"latency_metrics"`
	// BandwidthMetrics feeds kong_bandwidth_bytes.
	BandwidthMetrics bool `json:"bandwidth_metrics"`
	// UpstreamHealthMetrics exports kong_upstream_target_health.
	UpstreamHealthMetrics bool `json:"upstream_health_metrics"`
}

var configSchema = plugin.ConfigSchema(plugin.Protocols,
	[]schema.Field{
		schema.Bool("per_consumer").Default(false),
		schema.Bool("status_code_metrics").Default(false),
		schema.Bool("ai_metrics").Default(false),
		schema.Bool("latency_metrics").Default(false),
		schema.Bool("bandwidth_metrics").Default(false),
		schema.Bool("upstream_health_metrics").Default(false),
	},
)
