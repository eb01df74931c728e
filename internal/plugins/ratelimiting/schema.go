package ratelimiting

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/ratelimit"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration. A nil limit is a period without
// limit.
type Config struct {
	Second            *float64              `json:"second"`
	Minute            *float64              `json:"minute"`
	Hour              *float64              `json:"hour"`
	Day               *float64              `json:"day"`
	Month             *float64              `json:"month"`
	Year              *float64              `json:"year"`
	LimitBy           string                `json:"limit_by"`
	HeaderName        string                `json:"header_name"`
	Path              string                `json:"path"`
	Policy            string                `json:"policy"`
	FaultTolerant     bool                  `json:"fault_tolerant"`
	Redis             ratelimit.RedisConfig `json:"redis"`
	HideClientHeaders bool                  `json:"hide_client_headers"`
	ErrorCode         float64               `json:"error_code"`
	ErrorMessage      string                `json:"error_message"`
	SyncRate          float64               `json:"sync_rate"`
}

// limits returns the configured limits by period.
func (c *Config) limits() [len(ratelimit.Periods)]*float64 {
	return [...]*float64{c.Second, c.Minute, c.Hour, c.Day, c.Month, c.Year}
}

var configSchema = func() *schema.Subschema {
	fields := append(ratelimit.LimitFields(),
		schema.Str("limit_by").Default("consumer").OneOf("consumer", "credential", "ip", "service", "header", "path"),
		schema.HeaderName.Named("header_name"),
		schema.Path,
		ratelimit.PolicyField,
		schema.Bool("fault_tolerant").Required().Default(true),
		ratelimit.RedisField,
		schema.Bool("hide_client_headers").Required().Default(false),
		schema.Num("error_code").Default(429).Custom(ratelimit.Positive),
		schema.Str("error_message").Default("API rate limit exceeded"),
		schema.Num("sync_rate").Required().Default(ratelimit.SyncRealtime),
	)
	fields = append(fields, ratelimit.RedisShorthandFields()...)
	periods := make([]string, len(ratelimit.Periods))
	for i, p := range ratelimit.Periods {
		periods[i] = "config." + p.String()
	}
	checks := append([]schema.Check{
		schema.Custom([]string{"config"}, validateConfig),
		schema.AtLeastOneOf(periods...),
		ratelimit.RedisShorthands(),
	}, ratelimit.RedisRequired()...)
	checks = append(checks,
		schema.Conditional("config.limit_by", schema.Cond{OneOf: []any{"header"}}, "config.header_name", schema.Cond{Required: true}),
		schema.Conditional("config.limit_by", schema.Cond{OneOf: []any{"path"}}, "config.path", schema.Cond{Required: true}),
	)
	return &schema.Subschema{
		Fields: []schema.Field{plugin.ProtocolsHTTP, schema.RecordOf("config", fields...).Required().
			ShorthandFields(ratelimit.RedisShorthandDocs(Name)...)},
		Checks: checks,
	}
}()

// validateConfig is Kong's custom validator of the config record (its
// message is the config field's): limits in order, sync_rate only with
// redis, and then at least 0.02 s. It runs as an entity check so that a
// refusal leaves the config to the other checks, as in Kong.
func validateConfig(values map[string]any, _ schema.Op, errs schema.Errors) {
	config, _ := values["config"].(map[string]any)
	rate, _ := config["sync_rate"].(float64)
	switch msg := ratelimit.PeriodOrder(config, true); {
	case msg != "":
		errs["config"] = msg
	case config["policy"] != "redis" && rate != ratelimit.SyncRealtime:
		errs["config"] = "sync_rate can only be used with the redis policy"
	case rate != ratelimit.SyncRealtime && rate < 0.02:
		errs["config"] = "sync_rate must be greater than 0.02, or -1 to disable"
	}
}
