package ratelimit

import (
	"errors"
	"fmt"

	"github.com/silverback-gw/silverback/internal/schema"
)

// Policies are the values of the policy field. Kong refuses "cluster" on
// a DB-less node and a control plane; the schema does not know the node's
// mode here, and ClusterPolicy counts in memory when there is no shared
// database.
var Policies = []any{"local", "cluster", "redis"}

// PolicyField is the policy field.
var PolicyField = schema.Str("policy").Default("local").OneOf(Policies...)

// errNotPositive is Kong's gt = 0 message.
var errNotPositive = errors.New("value must be greater than 0")

// Positive is a number field's check that it is greater than 0 (Kong's
// gt = 0).
func Positive(v any) error {
	if f, _ := v.(float64); f <= 0 {
		return errNotPositive
	}
	return nil
}

// LimitFields returns the six period fields, numbers greater than 0.
func LimitFields() []schema.Field {
	out := make([]schema.Field, len(Periods))
	for i, p := range Periods {
		out[i] = schema.Num(p.String()).Custom(Positive)
	}
	return out
}

// PeriodOrder returns Kong's message when a longer period of limits
// (period name to number) has a lower limit than a shorter one, "" when
// they are in order. The plugins word it differently: "The limit for ..."
// (rate-limiting, upper true) and "the limit for ..."
// (response-ratelimiting).
func PeriodOrder(limits map[string]any, upper bool) string {
	format := "the limit for %s(%.1f) cannot be lower than the limit for %s(%.1f)"
	if upper {
		format = "T" + format[1:]
	}
	for i, lower := range Periods {
		v1, ok := limits[lower.String()].(float64)
		if !ok {
			continue
		}
		for _, upperPeriod := range Periods[i+1:] {
			if v2, ok := limits[upperPeriod.String()].(float64); ok && v2 < v1 {
				return fmt.Sprintf(format, upperPeriod, v2, lower, v1)
			}
		}
	}
	return ""
}

// redisFields is the redis record (kong/tools/redis/schema.lua).
var redisFields = []schema.Field{
	schema.Host,
	schema.Port.Default(6379),
	schema.Timeout.Default(2000),
	schema.Str("username").Referenceable(),
	schema.Str("password").LenMin(0).Referenceable(),
	schema.Int("database").Default(0),
	schema.Bool("ssl").Default(false),
	schema.Bool("ssl_verify").Default(false),
	schema.SNI.Named("server_name"),
}

// RedisField is the config.redis record.
var RedisField = schema.RecordOf("redis", redisFields...)

// redisShorthands are the deprecated flat fields for the redis record
// that Kong 3.9 still accepts (and decK may send), each validated as the
// field it stands for.
var redisShorthands = func() []schema.Field {
	out := make([]schema.Field, len(redisFields))
	for i, f := range redisFields {
		out[i] = f.Named("redis_" + f.Name())
		if d, _ := f.DefaultValue(); d != nil {
			out[i] = out[i].NullDefault()
		}
	}
	return out
}()

// RedisShorthandFields returns the deprecated config.redis_host ...
// config.redis_server_name fields. They are stored as null:
// RedisShorthands moves their values into config.redis.
func RedisShorthandFields() []schema.Field { return redisShorthands }

// RedisShorthandDocs returns the deprecated redis_* fields as Kong's
// shorthand_fields of plugin's config record render them in /schemas:
// typed as the redis field each stands for, with its deprecation (go-kong
// and decK map them onto config.redis with it).
func RedisShorthandDocs(plugin string) []schema.Field {
	out := make([]schema.Field, len(redisFields))
	for i, f := range redisFields {
		out[i] = f.Named("redis_" + f.Name()).NoDefault().Optional().Deprecated(schema.Deprecation{
			Message: fmt.Sprintf("%s: config.redis_%s is deprecated, please use config.redis.%s instead",
				plugin, f.Name(), f.Name()),
			RemovalInVersion: "4.0",
			ReplacedWith:     [][]string{{"redis", f.Name()}},
		})
	}
	return out
}

// RedisShorthands is the check moving the deprecated redis_* fields into
// config.redis, as Kong's shorthand fields do: a deprecated value replaces
// the redis field's when the latter is unset or its default; given
// together with a different value it is refused with Kong's message
// (except in a PATCH, whose stored side never holds a deprecated field).
// Add it before the checks that read config.redis.
func RedisShorthands() schema.Check {
	return schema.Custom([]string{"config"}, func(values map[string]any, op schema.Op, errs schema.Errors) {
		config, _ := values["config"].(map[string]any)
		if config == nil {
			return
		}
		ferrs := schema.Errors{}
		for i, sh := range redisShorthands {
			v := config[sh.Name()]
			if v == nil {
				continue
			}
			config[sh.Name()] = nil
			redis, _ := config["redis"].(map[string]any)
			if redis == nil {
				redis = redisDefaults()
				config["redis"] = redis
			}
			target := redisFields[i]
			cur := redis[target.Name()]
			def, _ := target.DefaultValue()
			if op != schema.OpUpdate && cur != nil && !schema.Equal(cur, def) && !schema.Equal(cur, v) {
				ferrs[sh.Name()] = fmt.Sprintf("both deprecated and new field are used but their values mismatch: %s = %v vs redis.%s = %v",
					sh.Name(), v, target.Name(), cur)
				continue
			}
			redis[target.Name()] = v
		}
		if len(ferrs) > 0 {
			errs["config"] = ferrs
		}
	})
}

func redisDefaults() map[string]any {
	m := make(map[string]any, len(redisFields))
	for _, f := range redisFields {
		m[f.Name()], _ = f.DefaultValue()
	}
	return m
}

// RedisRequired are Kong's checks that a redis policy has the Redis's
// host, port and timeout.
func RedisRequired() []schema.Check {
	redis := schema.Cond{OneOf: []any{"redis"}}
	return []schema.Check{
		schema.Conditional("config.policy", redis, "config.redis.host", schema.Cond{Required: true}),
		schema.Conditional("config.policy", redis, "config.redis.port", schema.Cond{Required: true}),
		schema.Conditional("config.policy", redis, "config.redis.timeout", schema.Cond{Required: true}),
	}
}
