package responseratelimiting

import (
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/ratelimit"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	HeaderName            string                `json:"header_name"`
	LimitBy               string                `json:"limit_by"`
	Policy                string                `json:"policy"`
	FaultTolerant         bool                  `json:"fault_tolerant"`
	Redis                 ratelimit.RedisConfig `json:"redis"`
	BlockOnFirstViolation bool                  `json:"block_on_first_violation"`
	HideClientHeaders     bool                  `json:"hide_client_headers"`
	// Limits maps a limit's name to its limits by period name, nil for a
	// period without limit.
	Limits map[string]map[string]*float64 `json:"limits"`
}

var configSchema = func() *schema.Subschema {
	periods := make([]string, len(ratelimit.Periods))
	for i, p := range ratelimit.Periods {
		periods[i] = "'" + p.String() + "'"
	}
	atLeastOne := "at least one of these fields must be non-empty: " + strings.Join(periods, ", ")
	limit := schema.RecordOf("", ratelimit.LimitFields()...).Required().Custom(func(v any) error {
		limits, _ := v.(map[string]any)
		if msg := ratelimit.PeriodOrder(limits, false); msg != "" {
			return errors.New(msg)
		}
		for _, p := range ratelimit.Periods {
			if limits[p.String()] != nil {
				return nil
			}
		}
		return errors.New(atLeastOne)
	})
	fields := []schema.Field{
		schema.Str("header_name").Default("x-kong-limit"),
		schema.Str("limit_by").Default("consumer").OneOf("consumer", "credential", "ip"),
		ratelimit.PolicyField,
		schema.Bool("fault_tolerant").Required().Default(true),
		ratelimit.RedisField,
		schema.Bool("block_on_first_violation").Required().Default(false),
		schema.Bool("hide_client_headers").Required().Default(false),
		// LenMin for /schemas; package schema checks it on strings,
		// arrays and sets only, hence the Custom.
		schema.MapOf("limits", schema.Str(""), limit).Required().LenMin(1).Custom(func(v any) error {
			if m, _ := v.(map[string]any); len(m) == 0 {
				return errors.New("length must be at least 1")
			}
			return nil
		}),
	}
	fields = append(fields, ratelimit.RedisShorthandFields()...)
	sub := plugin.ConfigSchema(plugin.ProtocolsHTTP, fields,
		append([]schema.Check{ratelimit.RedisShorthands()}, ratelimit.RedisRequired()...)...)
	sub.Fields[1] = sub.Fields[1].ShorthandFields(ratelimit.RedisShorthandDocs(Name)...)
	return sub
}()
