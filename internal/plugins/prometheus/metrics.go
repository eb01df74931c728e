package prometheus

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// namespace prefixes every metric name, as Kong's exporter does.
const namespace = "kong"

// workspace is the workspace label: the gateway has the default one only.
const workspace = "default"

// Kong's histogram buckets (exporter.lua), in milliseconds.
var (
	kongLatencyBuckets     = []float64{1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000}
	upstreamLatencyBuckets = []float64{25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000}
)

// requestMetrics are the families the log phase feeds, kept for the
// process's life as Kong keeps them in its shared dictionary.
type requestMetrics struct {
	registry        *prometheus.Registry
	status          *prometheus.CounterVec
	kongLatency     *prometheus.HistogramVec
	upstreamLatency *prometheus.HistogramVec
	requestLatency  *prometheus.HistogramVec
	bandwidth       *prometheus.CounterVec
}

// requests holds the request metrics of every instance.
var requests = newRequestMetrics()

func newRequestMetrics() *requestMetrics {
	latency := func(name, help string, buckets []float64) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets},
			[]string{"service", "route", "workspace"})
	}
	m := &requestMetrics{
		registry: prometheus.NewRegistry(),
		status: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP status codes per consumer/service/route in Kong"},
			[]string{"service", "route", "code", "source", "workspace", "consumer"}),
		kongLatency: latency("kong_latency_ms",
			"Latency added by Kong and enabled plugins for each service/route in Kong", kongLatencyBuckets),
		upstreamLatency: latency("upstream_latency_ms",
			"Latency added by upstream response for each service/route in Kong", upstreamLatencyBuckets),
		requestLatency: latency("request_latency_ms",
			"Total latency incurred during requests for each service/route in Kong", upstreamLatencyBuckets),
		bandwidth: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "bandwidth_bytes",
			Help: "Total bandwidth (ingress/egress) throughput in bytes"},
			[]string{"service", "route", "direction", "workspace", "consumer"}),
	}
	m.registry.MustRegister(m.status, m.kongLatency, m.upstreamLatency, m.requestLatency, m.bandwidth)
	return m
}

// observe records one request in the families c enables (Kong's
// exporter.log): nothing for a request no route matched.
func (m *requestMetrics) observe(c Config, e *plugin.LogEntry) {
	if e.Route == nil {
		return
	}
	route := e.Route.Name
	if route == "" {
		route = e.Route.ID
	}
	var service string
	if e.Service != nil {
		service = e.Service.Name
		if service == "" {
			service = e.Service.Host
		}
	}
	var consumer string
	if c.PerConsumer && e.Consumer != nil {
		consumer = e.Consumer.Username
	}
	if c.BandwidthMetrics {
		if e.Request.Size > 0 {
			m.bandwidth.WithLabelValues(service, route, "ingress", workspace, consumer).Add(float64(e.Request.Size))
		}
		if e.Response.Size > 0 {
			m.bandwidth.WithLabelValues(service, route, "egress", workspace, consumer).Add(float64(e.Response.Size))
		}
	}
	if c.StatusCodeMetrics {
		source := "kong"
		if e.Response.Source == proxy.SourceService {
			source = "service"
		}
		m.status.WithLabelValues(service, route, strconv.Itoa(e.Response.Status), source, workspace, consumer).Inc()
	}
	if c.LatencyMetrics {
		l := e.Latencies()
		if l.Request >= 0 {
			m.requestLatency.WithLabelValues(service, route, workspace).Observe(float64(l.Request))
		}
		if l.Proxy >= 0 {
			m.upstreamLatency.WithLabelValues(service, route, workspace).Observe(float64(l.Proxy))
		}
		if l.Kong >= 0 {
			m.kongLatency.WithLabelValues(service, route, workspace).Observe(float64(l.Kong))
		}
	}
}
