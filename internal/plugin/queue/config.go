package queue

import (
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is a queue's configuration, the queue record of a plugin's config
// (Kong's typedefs.queue); times are in seconds.
type Config struct {
	MaxBatchSize       int     `json:"max_batch_size"`
	MaxCoalescingDelay float64 `json:"max_coalescing_delay"`
	MaxEntries         int     `json:"max_entries"`
	// MaxBytes bounds the bytes waiting, nil for no bound.
	MaxBytes          *int    `json:"max_bytes"`
	MaxRetryTime      float64 `json:"max_retry_time"`
	InitialRetryDelay float64 `json:"initial_retry_delay"`
	MaxRetryDelay     float64 `json:"max_retry_delay"`
	// ConcurrencyLimit is 1 (one worker sends batches in order) or -1 (each
	// entry is sent at once on its own, without queueing).
	ConcurrencyLimit int `json:"concurrency_limit"`
}

// Field is the queue record of a plugin's config, Kong's typedefs.queue
// (kong/tools/queue_schema.lua); like every record of a plugin schema it
// is required, so its defaults are always filled.
var Field = schema.RecordOf("queue",
	schema.Int("max_batch_size").Default(1).Between(1, 1_000_000),
	schema.Num("max_coalescing_delay").Default(1).Between(0, 3600),
	schema.Int("max_entries").Default(10000).Between(1, 1_000_000),
	schema.Int("max_bytes"),
	schema.Num("max_retry_time").Default(60),
	schema.Num("initial_retry_delay").Default(0.01).Between(0.001, 1_000_000),
	schema.Num("max_retry_delay").Default(60).Between(0.001, 1_000_000),
	schema.Int("concurrency_limit").Default(1).OneOf(-1, 1),
).Required()

// Legacy are the deprecated queue parameters of the older logging plugins
// (http-log, statsd, datadog), still honoured when they differ from their
// old defaults (Kong's Queue.get_plugin_params).
type Legacy struct {
	RetryCount   *int     `json:"retry_count"`
	QueueSize    *int     `json:"queue_size"`
	FlushTimeout *float64 `json:"flush_timeout"`
}

// Apply returns c with the legacy parameters in effect, and the warnings
// Kong logs for them.
func (l Legacy) Apply(c Config) (Config, []string) {
	var warnings []string
	if l.RetryCount != nil && *l.RetryCount != 10 {
		warnings = append(warnings, "the retry_count parameter no longer works, please update your "+
			"configuration to use initial_retry_delay and max_retry_time instead")
	}
	if l.QueueSize != nil && *l.QueueSize != 1 {
		c.MaxBatchSize = *l.QueueSize
		warnings = append(warnings, "the queue_size parameter is deprecated, please update your "+
			"configuration to use queue.max_batch_size instead")
	}
	if l.FlushTimeout != nil && *l.FlushTimeout != 2 {
		c.MaxCoalescingDelay = *l.FlushTimeout
		warnings = append(warnings, "the flush_timeout parameter is deprecated, please update your "+
			"configuration to use queue.max_coalescing_delay instead")
	}
	return c, warnings
}
